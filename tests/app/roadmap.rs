//! The roadmap: from feedback to a shipped item, and telling those who asked.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{CONTRIBUTOR, OTHER_CONTRIBUTOR, TEAM, TestApp};

#[tokio::test]
async fn feedback_becomes_a_pain_point_a_roadmap_item_ships_and_the_people_who_asked_are_told_once()
{
    let app = TestApp::spawn().await;
    app.api(CONTRIBUTOR)
        .post_json("/api/v1/feedback", &json!({"service": "ci-runner", "kind": "pain", "body": "Cora: caches are always cold"}))
        .await;
    app.api(OTHER_CONTRIBUTOR)
        .post_json("/api/v1/feedback", &json!({"service": "ci-runner", "kind": "pain", "body": "secret anonymous complaint", "anonymous": true}))
        .await;
    let api = app.api(TEAM);
    api.post_json(
        "/api/v1/pain-points",
        &json!({"title": "CI caches are cold"}),
    )
    .await;
    api.post_json(
        "/api/v1/pain-points/1/evidence",
        &json!({"feedback_ids": [1, 2]}),
    )
    .await;
    let created = api
        .post_json("/api/v1/roadmap-items", &json!({"title": "Warm cache on deploy", "target_quarter": "2026-Q1", "status": "planned"}))
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let linked: Value = api
        .post_json(
            "/api/v1/roadmap-items/1/pain-points",
            &json!({"pain_point_id": 1}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(linked["pain_points"][0][1], "CI caches are cold");

    let team = app.signed_in(TEAM).await;
    assert!(
        team.get_text("/roadmap")
            .await
            .contains("Warm cache on deploy")
    );
    // Shipping asks first, saying whom it emails; nothing is sent yet.
    let asked = team
        .submit("/roadmap/1", "/roadmap/1/status", &[("status", "shipped")])
        .await;
    assert_eq!(asked.status(), StatusCode::OK);
    let question = asked.text().await.unwrap();
    assert!(question.contains("This will email 1 person"), "{question}");
    assert!(question.contains("1 pain point addressed"), "{question}");
    assert_eq!(
        app.with_db(
            |c| Ok(c.query_row("SELECT count(*) FROM email_outbox", [], |r| r
                .get::<_, i64>(0))?)
        ),
        0
    );
    let shipped = team
        .submit(
            "/roadmap/1",
            "/roadmap/1/status",
            &[("status", "shipped"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(shipped.status(), StatusCode::SEE_OTHER);
    let again: Value = api
        .post_json("/api/v1/roadmap-items/1/ship", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["people_told"], 0, "shipping twice tells nobody twice");
    assert_eq!(again["item"]["status"], "shipped");
    assert!(again["item"]["shipped_on"].is_string());

    let messages: Vec<(String, String, String)> = app.with_db(|connection| {
        let mut statement =
            connection.prepare("SELECT dedupe_key, to_address, body_text FROM email_outbox")?;
        let rows = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    });
    assert_eq!(
        messages.len(),
        1,
        "one message, to the one non-anonymous person: {messages:?}"
    );
    assert_eq!(messages[0].1, CONTRIBUTOR);
    assert!(messages[0].2.contains("Warm cache on deploy"));

    // Everyone signed in sees what shipped and what it answered, and no evidence.
    let page = app
        .signed_in(OTHER_CONTRIBUTOR)
        .await
        .get_text("/shipped")
        .await;
    assert!(page.contains("Warm cache on deploy") && page.contains("CI caches are cold"));
    assert!(!page.contains("secret anonymous complaint") && !page.contains("Cora:"));

    // The opt-out link in the message works, without signing in.
    let link = messages[0]
        .2
        .lines()
        .find_map(|line| {
            line.split_once("/opt-out/")
                .map(|(_, rest)| rest.trim().to_owned())
        })
        .unwrap();
    let client = reqwest::Client::new();
    assert_eq!(
        client
            .get(app.url(&format!("/opt-out/{link}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        client
            .post(app.url(&format!("/opt-out/{link}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let opted_out: bool = app.with_db(|connection| {
        Ok(connection.query_row(
            "SELECT closed_loop_opt_out FROM users WHERE email = ?1",
            [CONTRIBUTOR],
            |row| row.get(0),
        )?)
    });
    assert!(opted_out);
    assert_eq!(
        client
            .post(app.url("/opt-out/1/forged"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn roadmap_items_check_their_fields_and_are_for_the_team() {
    let app = TestApp::spawn().await;
    let bad = app
        .api(TEAM)
        .post_json(
            "/api/v1/roadmap-items",
            &json!({"title": "", "target_quarter": "Q5", "status": "someday"}),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = bad.json().await.unwrap();
    assert_eq!(problem["errors"].as_array().unwrap().len(), 3);
    let contributor = app
        .api(CONTRIBUTOR)
        .post_json("/api/v1/roadmap-items", &json!({"title": "Mine"}))
        .await;
    assert_eq!(contributor.status(), StatusCode::NOT_FOUND);
    let link = app
        .api(TEAM)
        .post_json(
            "/api/v1/roadmap-items/9/pain-points",
            &json!({"pain_point_id": 1}),
        )
        .await;
    assert_eq!(
        link.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "pain point 1 does not exist"
    );
}

#[tokio::test]
async fn pain_points_and_roadmap_items_are_updated_through_the_api() {
    let app = TestApp::spawn().await;
    let api = app.api(TEAM);
    api.post_json("/api/v1/pain-points", &json!({"title": "Slow builds"}))
        .await;
    api.post_json("/api/v1/roadmap-items", &json!({"title": "Faster builds"}))
        .await;
    let patch = |path: &str, body: Value| {
        let request = api
            .client
            .patch(app.url(path))
            .bearer_auth(&api.token)
            .json(&body);
        async move { request.send().await.unwrap() }
    };
    let pain_point: Value = patch(
        "/api/v1/pain-points/1",
        json!({"status": "exploring", "description": "Gradle"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(pain_point["status"], "exploring");
    assert_eq!(
        pain_point["title"], "Slow builds",
        "fields not sent are kept"
    );
    assert_eq!(
        patch("/api/v1/pain-points/1", json!({"status": "someday"}))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let item: Value = patch(
        "/api/v1/roadmap-items/1",
        json!({"target_quarter": "2027-Q2", "status": "shipped"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(item["target_quarter"], "2027-Q2");
    assert_eq!(item["status"], "shipped");
    assert!(item["shipped_on"].is_string());
    assert_eq!(
        patch("/api/v1/roadmap-items/9", json!({"title": "x"}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn fields_of_the_wrong_type_are_named_on_every_collection() {
    let app = TestApp::spawn().await;
    let api = app.api(TEAM);
    for (path, body, field) in [
        ("/api/v1/pain-points", json!({"title": 5}), "title"),
        (
            "/api/v1/roadmap-items",
            json!({"title": "x", "target_quarter": 2027}),
            "target_quarter",
        ),
        ("/api/v1/outcomes", json!({"title": ["x"]}), "title"),
        (
            "/api/v1/interviews",
            json!({"participant_name": "x", "held_on": "2026-11-01", "services": "ci-runner"}),
            "services",
        ),
    ] {
        let response = api.post_json(path, &body).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], field, "{path}: {problem}");
    }
}

#[tokio::test]
async fn roadmap_items_carry_services_and_tags_onto_the_board_search_and_service_page() {
    let app = TestApp::spawn().await;
    let api = app.api(TEAM);
    let created = api
        .post_json(
            "/api/v1/roadmap-items",
            &json!({"title": "Warm caches", "services": ["ci-runner"], "tags": ["caching"]}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let item: Value = created.json().await.unwrap();
    assert_eq!(item["services"], json!(["ci-runner"]));
    assert_eq!(item["tags"], json!(["caching"]));
    api.post_json("/api/v1/roadmap-items", &json!({"title": "Bigger nodes"}))
        .await;
    let team = app.signed_in(TEAM).await;
    let board = team.get_text("/roadmap?tag=caching").await;
    assert!(board.contains("Warm caches") && !board.contains("Bigger nodes"));
    api.search_until("kind:roadmap_item tag:caching", 1).await;
    assert!(
        team.get_text("/services/ci-runner")
            .await
            .contains("Warm caches")
    );
    let contributor = app.signed_in(CONTRIBUTOR).await;
    assert!(
        !contributor
            .get_text("/services/ci-runner")
            .await
            .contains("Warm caches"),
        "contributors see only what shipped"
    );

    let edited = team
        .submit(
            "/roadmap/1",
            "/roadmap/1/edit",
            &[
                ("title", "Warm caches on deploy"),
                ("target_quarter", "2027-Q1"),
                ("services", "k8s.prod"),
                ("tags", "caching, deploys"),
            ],
        )
        .await;
    assert_eq!(edited.status(), StatusCode::SEE_OTHER);
    let item: Value = api
        .get("/api/v1/roadmap-items/1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(item["services"], json!(["k8s.prod"]));
    assert_eq!(item["tags"], json!(["caching", "deploys"]));
    assert_eq!(item["status"], "idea", "editing keeps the status");
    let listed: Value = api
        .get("/api/v1/roadmap-items?service=k8s.prod")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["total"], 1);

    api.post_json("/api/v1/roadmap-items/1/ship", &json!({}))
        .await;
    assert!(
        contributor
            .get_text("/services/k8s.prod")
            .await
            .contains("Warm caches on deploy")
    );
    let wrong = api
        .patch_json("/api/v1/roadmap-items/1", &json!({"services": "k8s.prod"}))
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = wrong.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "services");
}
