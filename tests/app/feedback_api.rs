//! The JSON API for feedback and services.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{ADMIN, CONTRIBUTOR, TEAM, TestApp, feedback_json};

#[tokio::test]
async fn posting_feedback_returns_201_a_location_and_the_stored_item() {
    let app = TestApp::spawn().await;
    let api = app.api(CONTRIBUTOR);

    let response = api
        .post_json(
            "/api/v1/feedback",
            &feedback_json("ci-runner cache misses again"),
        )
        .await;

    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = response.json().await.unwrap();
    let id = created["id"].as_i64().expect("an id");
    assert_eq!(location, format!("/api/v1/feedback/{id}"));
    assert_eq!(created["service"], "ci-runner");
    assert_eq!(created["kind"], "pain");
    assert_eq!(created["rating"], 2);
    assert_eq!(created["status"], "new");
    assert_eq!(created["anonymous"], false);
    assert_eq!(created["author"]["email"], CONTRIBUTOR);

    let fetched: Value = api.get(&location).await.json().await.unwrap();
    assert_eq!(fetched["body"], "ci-runner cache misses again");
}

#[tokio::test]
async fn anonymous_feedback_through_the_api_stores_and_returns_no_author() {
    let app = TestApp::spawn().await;
    let api = app.api(CONTRIBUTOR);
    let mut body = feedback_json("anonymous via the API");
    body["anonymous"] = json!(true);

    let response = api.post_json("/api/v1/feedback", &body).await;

    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    assert!(created.get("author").is_none());
    let author: Option<i64> = app.with_db(|connection| {
        Ok(connection.query_row("SELECT author_id FROM feedback", [], |row| row.get(0))?)
    });
    assert_eq!(author, None);
    // The team sees it, without an author; the submitter cannot find it again.
    let team_view: Value = app
        .api(TEAM)
        .get("/api/v1/feedback/1")
        .await
        .json()
        .await
        .unwrap();
    assert!(team_view.get("author").is_none());
    assert_eq!(
        api.get("/api/v1/feedback/1").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_feedback_table_has_no_column_for_an_address_or_user_agent() {
    let app = TestApp::spawn().await;
    let columns: Vec<String> = app.with_db(|connection| {
        let mut statement = connection.prepare("SELECT name FROM pragma_table_info('feedback')")?;
        let names = statement
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(names)
    });
    assert!(columns.contains(&"author_id".to_owned()));
    for column in &columns {
        for forbidden in ["ip", "addr", "agent", "ua"] {
            assert!(
                !column.split('_').any(|part| part == forbidden),
                "feedback has a column {column}"
            );
        }
    }
}

#[tokio::test]
async fn listing_feedback_filters_and_pages() {
    let app = TestApp::spawn().await;
    let api = app.api(CONTRIBUTOR);
    for index in 0..7 {
        let mut body = feedback_json(&format!("item {index}"));
        if index % 2 == 0 {
            body["service"] = json!("k8s.prod");
            body["kind"] = json!("idea");
        }
        api.post_json("/api/v1/feedback", &body).await;
    }
    let team = app.api(TEAM);

    let page: Value = team
        .get("/api/v1/feedback?limit=3&offset=0")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 7);
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
    assert_eq!(page["items"][0]["body"], "item 6", "newest first");
    let last: Value = team
        .get("/api/v1/feedback?limit=3&offset=6")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(last["items"].as_array().unwrap().len(), 1);
    let ideas: Value = team
        .get("/api/v1/feedback?service=k8s.prod&kind=idea&status=new")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ideas["total"], 4);
}

#[tokio::test]
async fn listing_with_bad_parameters_names_each_bad_parameter() {
    let app = TestApp::spawn().await;
    let response = app
        .api(TEAM)
        .get("/api/v1/feedback?limit=1000&offset=-1&kind=rant&status=open")
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await.unwrap();
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["kind", "status", "limit", "offset"]);
}

#[tokio::test]
async fn services_are_listed_for_everyone_and_created_by_admins_only() {
    let app = TestApp::spawn().await;
    let listed: Value = app
        .api(CONTRIBUTOR)
        .get("/api/v1/services")
        .await
        .json()
        .await
        .unwrap();
    let slugs: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|service| service["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["ci-runner", "k8s.prod"]);

    let new_service = json!({
        "slug": "secrets", "name": "Vault secrets", "description": "Secrets as a service",
        "owner_team": "platform", "tier": 1
    });
    let by_team = app
        .api(TEAM)
        .post_json("/api/v1/services", &new_service)
        .await;
    assert_eq!(by_team.status(), StatusCode::FORBIDDEN);

    let admin = app.api(ADMIN);
    let created = admin.post_json("/api/v1/services", &new_service).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.headers()["location"], "/api/v1/services/secrets");
    let service: Value = admin
        .get("/api/v1/services/secrets")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(service["owner_team"], "platform");
    assert_eq!(service["tier"], 1);

    let again = admin.post_json("/api/v1/services", &new_service).await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = again.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "slug");

    let bad = admin
        .post_json(
            "/api/v1/services",
            &json!({"slug": "Bad Slug", "name": "", "tier": 9, "owner_team": "nobody"}),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn many_concurrent_submissions_are_all_stored() {
    let app = TestApp::spawn().await;
    let api = std::sync::Arc::new(app.api(CONTRIBUTOR));
    // The indexer prunes applied changes (at most every second), so the
    // sequence is counted, not the rows left.
    let sequence = || -> i64 {
        app.with_db(|connection| {
            Ok(connection.query_row(
                "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'search_changes'), 0)",
                [],
                |row| row.get(0),
            )?)
        })
    };
    let before = sequence();
    let submissions: Vec<_> = (0..200)
        .map(|index| {
            let api = api.clone();
            tokio::spawn(async move {
                api.post_json(
                    "/api/v1/feedback",
                    &feedback_json(&format!("concurrent {index}")),
                )
                .await
                .status()
            })
        })
        .collect();
    for submission in submissions {
        assert_eq!(submission.await.unwrap(), StatusCode::CREATED);
    }
    assert_eq!(app.feedback_count(), 200);
    assert_eq!(
        sequence() - before,
        200,
        "every write bumps the search change sequence"
    );
}
