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
