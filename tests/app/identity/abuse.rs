//! Holding up under abuse: sign-in throttling, redirects after sign-in,
//! single-line fields, slow and numerous clients, huge Markdown.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{CONTRIBUTOR, PASSWORD, TEAM, TestApp, csrf_token_in};

#[tokio::test]
async fn repeated_bad_sign_ins_lock_the_account_with_retry_after_even_for_the_right_password() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    for attempt in 0..5 {
        let response = browser.sign_in(TEAM, "not the password").await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
    }
    let locked = browser.sign_in(TEAM, PASSWORD).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = locked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait > 0 && wait <= 15 * 60, "{wait}");
    assert!(
        locked
            .text()
            .await
            .unwrap()
            .contains("Too many failed sign-ins")
    );
    // Another account from the same address is not locked by this one.
    assert_eq!(
        browser.sign_in(CONTRIBUTOR, PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn one_address_guessing_across_many_accounts_is_throttled() {
    let app = TestApp::spawn_with(|config| earshot::config::Config {
        sign_in_limits: earshot::config::SignInLimits {
            per_account: 100,
            per_address: 3,
            window: Duration::from_secs(600),
        },
        ..config
    })
    .await;
    let browser = app.browser();
    for account in ["a@example.com", "b@example.com", "c@example.com"] {
        assert_eq!(
            browser.sign_in(account, "guess").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let throttled = browser.sign_in(TEAM, PASSWORD).await;
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn the_next_parameter_only_ever_leads_to_a_path_on_this_site() {
    let app = TestApp::spawn().await;
    for next in [
        "/\t/evil.example",
        "/\n/evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "/inbox\r\nSet-Cookie: planted=1",
        "/\u{0}",
        "/é",
    ] {
        let browser = app.browser();
        let token = csrf_token_in(&browser.get_text("/login").await);
        let response = browser
            .post_form(
                "/login",
                &[
                    ("email", TEAM),
                    ("password", PASSWORD),
                    ("next", next),
                    ("csrf", &token),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(response.headers()["location"], "/", "{next:?}");
        let form = browser
            .get(&format!("/login?next={}", urlencode(next)))
            .await;
        assert_eq!(form.status(), StatusCode::OK, "{next:?}");
    }
}

fn urlencode(raw: &str) -> String {
    raw.bytes().map(|byte| format!("%{byte:02X}")).collect()
}

#[tokio::test]
async fn single_line_fields_refuse_line_breaks_and_direction_overrides() {
    let app = TestApp::spawn().await;
    let api = app.api(CONTRIBUTOR);
    for title in [
        "Invoice\u{202e}fdp.exe",
        "two\nlines",
        "isolate\u{2066}x\u{2069}",
    ] {
        let mut body = crate::helpers::feedback_json("body text");
        body["title"] = json!(title);
        let response = api.post_json("/api/v1/feedback", &body).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{title:?}"
        );
    }
    let team = app.api(TEAM);
    let pain = team
        .post_json(
            "/api/v1/pain-points",
            &json!({"title": "cold\u{202d}caches"}),
        )
        .await;
    assert_eq!(pain.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.feedback_count(), 0);
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let app = TestApp::spawn_with(|config| earshot::config::Config {
        header_read_timeout: Duration::from_millis(500),
        ..config
    })
    .await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&address).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut buffer = Vec::new();
    let closed =
        tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut buffer)).await;
    assert!(
        closed.is_ok(),
        "the slow client was still connected after 10 s"
    );
    assert!(
        !String::from_utf8_lossy(&buffer).contains("ok"),
        "no answer to half a request"
    );
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_too() {
    let app = TestApp::spawn_with(|config| earshot::config::Config {
        header_read_timeout: Duration::from_millis(500),
        ..config
    })
    .await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&address).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buffer = Vec::new();
    let closed =
        tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut buffer)).await;
    assert!(
        closed.is_ok(),
        "an idle connection was still open after 10 s"
    );
    assert!(
        String::from_utf8_lossy(&buffer).contains("ok"),
        "the request was answered first"
    );
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_until_one_is_free() {
    let app = TestApp::spawn_with(|config| earshot::config::Config {
        max_connections: 2,
        header_read_timeout: Duration::from_secs(3),
        ..config
    })
    .await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(&address).await.unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\n")
            .await
            .unwrap();
        held.push(stream);
    }
    let waiting = tokio::spawn(reqwest::get(app.url("/healthz")));
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(
        !waiting.is_finished(),
        "a third connection was served while two were held"
    );
    drop(held);
    let answered = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("served once a connection was free")
        .unwrap()
        .unwrap();
    assert_eq!(answered.status(), StatusCode::OK);
}

#[tokio::test]
async fn notes_of_deeply_nested_quotes_render_without_stalling() {
    let app = TestApp::spawn().await;
    let team = app.api(TEAM);
    let notes = format!("{}the last word", ">".repeat(40_000));
    let created = team
        .post_json(
            "/api/v1/interviews",
            &json!({"participant_name": "Lars", "held_on": "2026-11-20", "notes": notes}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let browser = app.signed_in(TEAM).await;
    let (page, health) = tokio::join!(
        browser.get_text("/interviews/1"),
        reqwest::get(app.url("/healthz"))
    );
    assert!(page.contains("the last word"));
    assert_eq!(health.unwrap().status(), StatusCode::OK);
}
