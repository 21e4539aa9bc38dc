//! Health checks and the headers every response carries.

use reqwest::StatusCode;

use crate::helpers::TestApp;

#[tokio::test]
async fn healthz_and_readyz_answer_ok() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    for path in ["/healthz", "/readyz"] {
        let response = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn pages_carry_security_headers_and_the_stylesheet_is_served() {
    let app = TestApp::spawn().await;
    let response = reqwest::get(app.url("/login")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'self'")
    );
    let css = reqwest::get(app.url("/static/earshot.css")).await.unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
}

#[tokio::test]
async fn an_unknown_page_is_a_friendly_404_page() {
    let app = TestApp::spawn().await;
    let response = reqwest::get(app.url("/no/such/page")).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(response.text().await.unwrap().contains("Back to Earshot"));
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_writer_batches() {
    let app = TestApp::spawn_with(|config| earshot::config::Config {
        metrics_token: Some(earshot::config::Secret("metrics-secret".into())),
        ..config
    })
    .await;
    let api = app.api(crate::helpers::CONTRIBUTOR);
    for index in 0..3 {
        let body = crate::helpers::feedback_json(&format!("metrics {index}"));
        assert_eq!(
            api.post_json("/api/v1/feedback", &body).await.status(),
            StatusCode::CREATED
        );
    }
    api.get("/api/v1/feedback/1").await;

    let response = reqwest::Client::new()
        .get(app.url("/metrics"))
        .bearer_auth("metrics-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    assert!(
        text.contains(
            r#"earshot_http_requests_total{method="POST",route="/api/v1/feedback",status="201"} 3"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"route="/api/v1/feedback/{id}",status="200"} 1"#),
        "{text}"
    );
    assert!(text.contains(
        r#"earshot_http_request_duration_seconds_count{method="POST",route="/api/v1/feedback"} 3"#
    ));
    let writes: u64 = text
        .lines()
        .find_map(|line| line.strip_prefix("earshot_writer_writes_total "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(writes >= 3, "{writes}");
}

#[tokio::test]
async fn metrics_need_the_configured_token_on_the_main_address() {
    let closed = TestApp::spawn().await;
    let response = reqwest::get(closed.url("/metrics")).await.unwrap();
    assert_eq!(
        response.status(),
        StatusCode::NOT_FOUND,
        "no token configured: not served"
    );

    let guarded = TestApp::spawn_with(|config| earshot::config::Config {
        metrics_token: Some(earshot::config::Secret("metrics-secret".into())),
        ..config
    })
    .await;
    let client = reqwest::Client::new();
    for token in [None, Some("wrong"), Some("metrics-secre")] {
        let mut request = client.get(guarded.url("/metrics"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{token:?}");
        assert!(!response.text().await.unwrap().contains("earshot_http"));
    }
}

#[tokio::test]
async fn a_separate_metrics_address_serves_metrics_and_nothing_else() {
    let app = TestApp::spawn_with(|config| earshot::config::Config {
        metrics_listen: Some("127.0.0.1:0".parse().unwrap()),
        ..config
    })
    .await;
    let metrics = app.metrics_address.clone().expect("a metrics address");
    let response = reqwest::get(format!("{metrics}/metrics")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("earshot_writer_writes_total")
    );
    let other = reqwest::get(format!("{metrics}/login")).await.unwrap();
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    let main = reqwest::get(app.url("/metrics")).await.unwrap();
    assert_eq!(main.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn personal_pages_are_never_cached_but_static_files_are() {
    let app = TestApp::spawn().await;
    let page = reqwest::get(app.url("/login")).await.unwrap();
    assert_eq!(page.headers()["cache-control"], "no-store");
    let script = reqwest::get(app.url("/static/earshot.js")).await.unwrap();
    assert_eq!(script.status(), StatusCode::OK);
    assert_eq!(script.headers()["cache-control"], "public, max-age=3600");
}
