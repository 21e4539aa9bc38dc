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

/// What a case sends.
enum Request {
    /// A JSON body posted to the feedback endpoint.
    Json(Value),
    /// Bytes with this content type posted to the feedback endpoint.
    Raw(&'static str, Vec<u8>),
    /// A GET of this path.
    Get(&'static str),
}

/// One row of the table: what is sent, and the refusal expected.
struct Case {
    name: &'static str,
    request: Request,
    status: StatusCode,
    /// The field the problem must name, if any.
    field: Option<&'static str>,
}

/// A valid feedback body with `field` set to `value`.
fn with(field: &str, value: Value) -> Request {
    let mut body = feedback_json("a valid body");
    body[field] = value;
    Request::Json(body)
}

fn cases() -> Vec<Case> {
    let case = |name, request, status, field| Case {
        name,
        request,
        status,
        field,
    };
    let unprocessable =
        |name, request, field| case(name, request, StatusCode::UNPROCESSABLE_ENTITY, Some(field));
    let mut invalid_utf8 = br#"{"service":"ci-runner","kind":"pain","body":""#.to_vec();
    invalid_utf8.extend_from_slice(&[0xff, 0xfe, 0xfd]);
    invalid_utf8.extend_from_slice(br#""}"#);
    vec![
        case(
            "a body over the size limit is 413",
            Request::Json(feedback_json(&"x".repeat(200 * 1024))),
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
        ),
        case(
            "a wrong content type is 415",
            Request::Raw(
                "text/plain",
                serde_json::to_vec(&feedback_json("plain text?")).unwrap(),
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            None,
        ),
        case(
            "invalid JSON is 400",
            Request::Raw("application/json", b"{\"service\": \"ci-runner\",".to_vec()),
            StatusCode::BAD_REQUEST,
            None,
        ),
        case(
            "invalid UTF-8 is 400",
            Request::Raw("application/json", invalid_utf8),
            StatusCode::BAD_REQUEST,
            None,
        ),
        case(
            "a JSON body that is not an object is 422",
            Request::Json(json!(["ci-runner"])),
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
        ),
        unprocessable(
            "empty text is 422 on body",
            with("body", json!("  \n ")),
            "body",
        ),
        unprocessable(
            "text over the limit is 422 on body",
            with("body", json!("y".repeat(10_001))),
            "body",
        ),
        unprocessable(
            "control characters in text are 422 on body",
            with("body", json!("a\u{0}b")),
            "body",
        ),
        unprocessable(
            "a title over the limit is 422 on title",
            with("title", json!("t".repeat(201))),
            "title",
        ),
        unprocessable(
            "rating zero is 422 on rating",
            with("rating", json!(0)),
            "rating",
        ),
        unprocessable(
            "rating six is 422 on rating",
            with("rating", json!(6)),
            "rating",
        ),
        unprocessable(
            "rating five as a word is 422 on rating",
            with("rating", json!("five")),
            "rating",
        ),
        unprocessable(
            "a fractional rating is 422 on rating",
            with("rating", json!(2.5)),
            "rating",
        ),
        unprocessable(
            "an unknown service is 422 on service",
            with("service", json!("mainframe")),
            "service",
        ),
        unprocessable(
            "an unknown kind is 422 on kind",
            with("kind", json!("rant")),
            "kind",
        ),
        unprocessable(
            "anonymous as a string is 422 on anonymous",
            with("anonymous", json!("yes")),
            "anonymous",
        ),
        case(
            "a non-numeric id is 404",
            Request::Get("/api/v1/feedback/abc"),
            StatusCode::NOT_FOUND,
            None,
        ),
        case(
            "an unknown API route is a 404 problem",
            Request::Get("/api/v1/nothing-here"),
            StatusCode::NOT_FOUND,
            None,
        ),
    ]
}

async fn send(api: &Api, request: &Request) -> Response {
    match request {
        Request::Json(body) => api.post_json("/api/v1/feedback", body).await,
        Request::Raw(content_type, body) => {
            api.post_raw("/api/v1/feedback", content_type, body.clone())
                .await
        }
        Request::Get(path) => api.get(path).await,
    }
}

/// How many items are stored, and the first one's text.
fn stored(app: &TestApp) -> (i64, String) {
    app.with_db(|connection| {
        Ok(connection.query_row(
            "SELECT count(*), (SELECT body FROM feedback WHERE id = 1) FROM feedback",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?)
    })
}

/// What is wrong with the answer to `case`, if anything: it must be a
/// problem body with the case's status, naming its field.
async fn refusal_problem(case: &Case, response: Response) -> Option<String> {
    if response.status() != case.status {
        return Some(format!(
            "status {}, expected {}",
            response.status(),
            case.status
        ));
    }
    let content_type = response.headers().get("content-type").cloned();
    if content_type
        .as_ref()
        .is_none_or(|value| value != "application/problem+json")
    {
        return Some(format!("content type {content_type:?}"));
    }
    let problem: Value = match response.json().await {
        Ok(problem) => problem,
        Err(error) => return Some(format!("the problem body is not JSON: {error}")),
    };
    if problem["status"] != case.status.as_u16() {
        return Some(format!("the problem says status {}", problem["status"]));
    }
    if problem["detail"].as_str().is_none_or(str::is_empty) {
        return Some(format!("the problem has no detail: {problem}"));
    }
    if let Some(field) = case.field {
        let named = problem["errors"]
            .as_array()
            .is_some_and(|errors| errors.iter().any(|error| error["field"] == field));
        if !named {
            return Some(format!("no error for {field} in {problem}"));
        }
    }
    None
}

/// Every row runs, on one app, and must leave what is stored as it was;
/// a failure names each row that failed.
#[tokio::test]
async fn bad_api_input_is_refused_with_a_problem_that_names_what_to_fix() {
    let (app, api) = app_with_one_item().await;
    let cases = cases();
    let mut failures = Vec::new();
    for case in &cases {
        let before = stored(&app);
        let response = send(&api, &case.request).await;
        let problem = match refusal_problem(case, response).await {
            None if stored(&app) != before => Some("stored feedback changed".to_owned()),
            problem => problem,
        };
        if let Some(problem) = problem {
            failures.push(format!("{}: {problem}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
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
async fn a_bad_form_body_never_gives_a_500() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(CONTRIBUTOR).await;
    let token = crate::helpers::csrf_token_in(&browser.get_text("/feedback/new").await);
    let url = format!("{}/feedback", browser.base);
    let bodies = [
        (
            "invalid UTF-8 in a field",
            "application/x-www-form-urlencoded",
            format!("csrf={token}&body=%FF%FE&service=ci-runner&kind=pain").into_bytes(),
        ),
        (
            "a rating twice, once as a word",
            "application/x-www-form-urlencoded",
            format!("csrf={token}&rating=five&rating=6").into_bytes(),
        ),
        ("plain text", "text/plain", b"hello".to_vec()),
    ];
    let mut failures = Vec::new();
    for (name, content_type, body) in bodies {
        let response = browser
            .client
            .post(&url)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        if !(status.is_client_error() || status.is_redirection()) {
            failures.push(format!("{name}: {status}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
