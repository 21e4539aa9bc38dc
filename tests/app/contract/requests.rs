//! Typed request bodies: every wrong field named at once, unknown fields
//! refused, and PATCH telling absent from null.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TEAM, TestApp};

fn named_fields(problem: &Value) -> Vec<&str> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|error| error["field"].as_str())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn every_field_of_the_wrong_type_is_named_in_one_problem() {
    let app = TestApp::spawn().await;
    let response = app
        .api(TEAM)
        .post_json(
            "/api/v1/feedback",
            &json!({"service": 5, "kind": ["pain"], "rating": "5", "body": "ok", "anonymous": "yes", "contact_ok": 1}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(
        named_fields(&problem),
        ["service", "kind", "rating", "anonymous", "contact_ok"],
        "{problem}"
    );
    assert_eq!(app.feedback_count(), 0);
}

#[tokio::test]
async fn a_field_the_request_does_not_have_is_refused_by_name() {
    let app = TestApp::spawn().await;
    let mut body = crate::helpers::feedback_json("a body");
    body["servce"] = json!("ci-runner");
    let response = app.api(TEAM).post_json("/api/v1/feedback", &body).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("`servce`"),
        "{problem}"
    );
    assert_eq!(app.feedback_count(), 0);
}

#[tokio::test]
async fn patching_an_outcome_keeps_absent_fields_clears_null_ones_and_names_wrong_ones() {
    let app = TestApp::spawn().await;
    let team = app.api(TEAM);
    let created = team
        .post_json(
            "/api/v1/outcomes",
            &json!({"title": "Faster builds", "metric": "p50 build time", "target": "under 5 minutes"}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let id = created.json::<Value>().await.unwrap()["id"].clone();
    let path = format!("/api/v1/outcomes/{id}");

    let changed = team.patch_json(&path, &json!({"target": null})).await;
    assert_eq!(changed.status(), StatusCode::OK);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(changed["title"], "Faster builds");
    assert_eq!(changed["metric"], "p50 build time");
    assert_eq!(changed["target"], "");

    let wrong = team
        .patch_json(&path, &json!({"title": 5, "metric": ["x"]}))
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = wrong.json().await.unwrap();
    assert_eq!(named_fields(&problem), ["title", "metric"], "{problem}");
    let kept: Value = team.get(&path).await.json().await.unwrap();
    assert_eq!(kept["title"], "Faster builds");
}

#[tokio::test]
async fn a_survey_whose_fields_have_the_wrong_type_is_refused_naming_each_and_nothing_is_created() {
    let app = TestApp::spawn().await;
    let team = app.api(TEAM);
    let before: Value = team.get("/api/v1/surveys").await.json().await.unwrap();
    let mut body = crate::surveys::survey();
    // Before typed bodies these were read as absent: the survey was created
    // anonymous, with the default threshold and no questions.
    body["anonymous"] = json!("no");
    body["threshold"] = json!("3");
    body["questions"] = json!([{"kind": "csat", "prompt": 5}]);
    let response = team.post_json("/api/v1/surveys", &body).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(
        named_fields(&problem),
        ["questions", "anonymous", "threshold"],
        "{problem}"
    );
    let after: Value = team.get("/api/v1/surveys").await.json().await.unwrap();
    assert_eq!(before, after);
}

#[tokio::test]
async fn invitations_and_answers_of_the_wrong_shape_are_refused_by_name() {
    let app = TestApp::spawn().await;
    let team = app.api(TEAM);
    let created: Value = team
        .post_json("/api/v1/surveys", &crate::surveys::survey())
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    let response = team
        .post_json(
            &format!("/api/v1/surveys/{id}/invitations"),
            &json!({"emails": "dana@example.com", "teams": ["platform"]}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(named_fields(&problem), ["emails"], "{problem}");

    let opened = team
        .post_json(&format!("/api/v1/surveys/{id}/open"), &json!({}))
        .await;
    assert_eq!(opened.status(), StatusCode::OK);
    let link: Value = team
        .post_json(&format!("/api/v1/surveys/{id}/open-link"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let token = link["token"].as_str().unwrap();
    let question = created["questions"][1]["id"].as_i64().unwrap();
    let response = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/responses/{token}")))
        .json(&json!({"answers": [{"question_id": question.to_string(), "value": 5}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(named_fields(&problem), ["answers"], "{problem}");
    let stored = app.with_db(|connection| {
        Ok(
            connection.query_row("SELECT count(*) FROM survey_responses", [], |row| {
                row.get::<_, i64>(0)
            })?,
        )
    });
    assert_eq!(stored, 0);
}
