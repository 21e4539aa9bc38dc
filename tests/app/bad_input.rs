//! Bad input gets a clear problem, never a 500, and loses nothing stored.

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Api, CONTRIBUTOR, TestApp, feedback_json};

/// An app with one stored item, and a contributor's API client.
async fn app_with_one_item() -> (TestApp, Api) {
    let app = TestApp::spawn().await;
    let api = app.api(CONTRIBUTOR);
    let response = api
        .post_json("/api/v1/feedback", &feedback_json("kept safe"))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    (app, api)
}

/// Asserts a problem body with `status`, naming `field` if given, and that
/// the stored item is untouched.
async fn assert_refused(
    app: &TestApp,
    response: Response,
    status: StatusCode,
    field: Option<&str>,
) {
    assert_eq!(response.status(), status);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["status"], status.as_u16());
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|detail| !detail.is_empty())
    );
    if let Some(field) = field {
        let named = problem["errors"]
            .as_array()
            .is_some_and(|errors| errors.iter().any(|error| error["field"] == field));
        assert!(named, "no error for {field} in {problem}");
    }
    assert_eq!(app.feedback_count(), 1, "stored feedback changed");
    let body: String = app.with_db(|connection| {
        Ok(
            connection.query_row("SELECT body FROM feedback WHERE id = 1", [], |row| {
                row.get(0)
            })?,
        )
    });
    assert_eq!(body, "kept safe");
}

fn with(field: &str, value: Value) -> Value {
    let mut body = feedback_json("a valid body");
    body[field] = value;
    body
}

#[tokio::test]
async fn a_body_over_the_size_limit_is_413() {
    let (app, api) = app_with_one_item().await;
    let huge = feedback_json(&"x".repeat(200 * 1024));
    let response = api.post_json("/api/v1/feedback", &huge).await;
    assert_refused(&app, response, StatusCode::PAYLOAD_TOO_LARGE, None).await;
}

#[tokio::test]
async fn a_wrong_content_type_is_415() {
    let (app, api) = app_with_one_item().await;
    let body = serde_json::to_vec(&feedback_json("plain text?")).unwrap();
    let response = api.post_raw("/api/v1/feedback", "text/plain", body).await;
    assert_refused(&app, response, StatusCode::UNSUPPORTED_MEDIA_TYPE, None).await;
}

#[tokio::test]
async fn invalid_json_is_400() {
    let (app, api) = app_with_one_item().await;
    let response = api
        .post_raw(
            "/api/v1/feedback",
            "application/json",
            b"{\"service\": \"ci-runner\",".to_vec(),
        )
        .await;
    assert_refused(&app, response, StatusCode::BAD_REQUEST, None).await;
}

#[tokio::test]
async fn invalid_utf8_is_400() {
    let (app, api) = app_with_one_item().await;
    let mut body = br#"{"service":"ci-runner","kind":"pain","body":""#.to_vec();
    body.extend_from_slice(&[0xff, 0xfe, 0xfd]);
    body.extend_from_slice(br#""}"#);
    let response = api
        .post_raw("/api/v1/feedback", "application/json", body)
        .await;
    assert_refused(&app, response, StatusCode::BAD_REQUEST, None).await;
}

#[tokio::test]
async fn a_json_body_that_is_not_an_object_is_422() {
    let (app, api) = app_with_one_item().await;
    let response = api
        .post_json("/api/v1/feedback", &json!(["ci-runner"]))
        .await;
    assert_refused(&app, response, StatusCode::UNPROCESSABLE_ENTITY, None).await;
}

#[tokio::test]
async fn empty_text_is_422_on_body() {
    let (app, api) = app_with_one_item().await;
    let response = api
        .post_json("/api/v1/feedback", &with("body", json!("  \n ")))
        .await;
    assert_refused(
        &app,
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("body"),
    )
    .await;
}

#[tokio::test]
async fn text_over_the_limit_is_422_on_body() {
    let (app, api) = app_with_one_item().await;
    let response = api
        .post_json("/api/v1/feedback", &with("body", json!("y".repeat(10_001))))
        .await;
    assert_refused(
        &app,
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("body"),
    )
    .await;
}

#[tokio::test]
async fn a_title_over_the_limit_is_422_on_title() {
    let (app, api) = app_with_one_item().await;
    let response = api
        .post_json("/api/v1/feedback", &with("title", json!("t".repeat(201))))
        .await;
    assert_refused(
        &app,
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("title"),
    )
    .await;
}

#[tokio::test]
async fn rating_zero_is_422_on_rating() {
    let (app, api) = app_with_one_item().await;
    let response = api
        .post_json("/api/v1/feedback", &with("rating", json!(0)))
        .await;
    assert_refused(
        &app,
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("rating"),
    )
    .await;
}

#[tokio::test]
async fn rating_six_is_422_on_rating() {
    let (app, api) = app_with_one_item().await;
    let response = api
        .post_json("/api/v1/feedback", &with("rating", json!(6)))
        .await;
    assert_refused(
        &app,
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("rating"),
    )
    .await;
}

#[tokio::test]
async fn rating_five_as_a_word_is_422_on_rating() {
    let (app, api) = app_with_one_item().await;
    let response = api
        .post_json("/api/v1/feedback", &with("rating", json!("five")))
        .await;
    assert_refused(
        &app,
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("rating"),
    )
    .await;
}

#[tokio::test]
async fn a_fractional_rating_is_422_on_rating() {
    let (app, api) = app_with_one_item().await;
    let response = api
        .post_json("/api/v1/feedback", &with("rating", json!(2.5)))
        .await;
    assert_refused(
        &app,
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("rating"),
    )
    .await;
}

#[tokio::test]
async fn an_unknown_service_is_422_on_service() {
    let (app, api) = app_with_one_item().await;
    let response = api
        .post_json("/api/v1/feedback", &with("service", json!("mainframe")))
        .await;
    assert_refused(
        &app,
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("service"),
    )
    .await;
}

#[tokio::test]
async fn an_unknown_kind_is_422_on_kind() {
    let (app, api) = app_with_one_item().await;
    let response = api
        .post_json("/api/v1/feedback", &with("kind", json!("rant")))
        .await;
    assert_refused(
        &app,
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("kind"),
    )
    .await;
}

#[tokio::test]
async fn anonymous_as_a_string_is_422_on_anonymous() {
    let (app, api) = app_with_one_item().await;
    let response = api
        .post_json("/api/v1/feedback", &with("anonymous", json!("yes")))
        .await;
    assert_refused(
        &app,
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("anonymous"),
    )
    .await;
}

#[tokio::test]
async fn control_characters_in_text_are_422() {
    let (app, api) = app_with_one_item().await;
    let response = api
        .post_json("/api/v1/feedback", &with("body", json!("a\u{0}b")))
        .await;
    assert_refused(
        &app,
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("body"),
    )
    .await;
}

#[tokio::test]
async fn html_in_every_field_is_stored_as_typed_and_returned_as_json_text() {
    let (app, api) = app_with_one_item().await;
    let script = "<script>alert(1)</script>";
    let response = api
        .post_json(
            "/api/v1/feedback",
            &json!({"service": "ci-runner", "kind": "idea", "title": script, "body": script}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["title"], script);
    assert_eq!(app.feedback_count(), 2);
}

#[tokio::test]
async fn a_non_numeric_id_is_404() {
    let (app, api) = app_with_one_item().await;
    let response = api.get("/api/v1/feedback/abc").await;
    assert_refused(&app, response, StatusCode::NOT_FOUND, None).await;
}

#[tokio::test]
async fn an_unknown_api_route_is_a_404_problem() {
    let (app, api) = app_with_one_item().await;
    let response = api.get("/api/v1/nothing-here").await;
    assert_refused(&app, response, StatusCode::NOT_FOUND, None).await;
}

#[tokio::test]
async fn a_bad_form_body_never_gives_a_500() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(CONTRIBUTOR).await;
    let token = crate::helpers::csrf_token_in(&browser.get_text("/feedback/new").await);
    let url = format!("{}/feedback", browser.base);
    let bodies: [(&str, Vec<u8>); 3] = [
        (
            "application/x-www-form-urlencoded",
            format!("csrf={token}&body=%FF%FE&service=ci-runner&kind=pain").into_bytes(),
        ),
        (
            "application/x-www-form-urlencoded",
            format!("csrf={token}&rating=five&rating=6").into_bytes(),
        ),
        ("text/plain", b"hello".to_vec()),
    ];
    for (content_type, body) in bodies {
        let response = browser
            .client
            .post(&url)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_client_error() || response.status().is_redirection(),
            "{}",
            response.status()
        );
    }
}
