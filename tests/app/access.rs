//! Signing in, sessions, tokens and who may see what.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{CONTRIBUTOR, OTHER_CONTRIBUTOR, PASSWORD, TEAM, TestApp, feedback_json};

#[tokio::test]
async fn a_person_who_is_not_signed_in_is_sent_to_the_login_page_and_back() {
    let app = TestApp::spawn().await;
    let browser = app.browser();

    let response = browser.get("/inbox?status=new").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()["location"],
        "/login?next=%2Finbox%3Fstatus%3Dnew"
    );

    let login_page = browser
        .get_text("/login?next=%2Finbox%3Fstatus%3Dnew")
        .await;
    let token = crate::helpers::csrf_token_in(&login_page);
    let signed_in = browser
        .post_form(
            "/login",
            &[
                ("email", TEAM),
                ("password", PASSWORD),
                ("next", "/inbox?status=new"),
                ("csrf", &token),
            ],
        )
        .await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert_eq!(signed_in.headers()["location"], "/inbox?status=new");
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}

#[tokio::test]
async fn signing_in_never_redirects_off_site() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let token = crate::helpers::csrf_token_in(&browser.get_text("/login").await);
    let response = browser
        .post_form(
            "/login",
            &[
                ("email", TEAM),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
                ("csrf", &token),
            ],
        )
        .await;
    assert_eq!(response.headers()["location"], "/");
}

#[tokio::test]
async fn a_wrong_password_or_unknown_email_gets_the_same_message() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    for (email, password) in [
        (TEAM, "wrong password"),
        ("nobody@example.com", PASSWORD),
        ("not an email", "x"),
    ] {
        let response = browser.sign_in(email, password).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("do not match an account")
        );
    }
    assert_eq!(browser.get("/inbox").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(TEAM).await;
    assert_eq!(browser.get("/inbox").await.status(), StatusCode::OK);
    let response = browser.submit("/inbox", "/logout", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(browser.get("/inbox").await.status(), StatusCode::SEE_OTHER);
    let sessions: i64 = app.with_db(|connection| {
        Ok(connection.query_row("SELECT count(*) FROM sessions", [], |row| row.get(0))?)
    });
    assert_eq!(sessions, 0);
}

#[tokio::test]
async fn an_expired_session_asks_to_sign_in_again() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(TEAM).await;
    app.with_db(|connection| {
        connection.execute(
            "UPDATE sessions SET expires_at = '2000-01-01 00:00:00+00:00'",
            [],
        )?;
        Ok(())
    });

    let page = browser.get("/inbox").await;
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert!(
        page.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
    let api = browser.get("/api/v1/feedback").await;
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(api.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn an_unknown_or_malformed_bearer_token_is_refused() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    for authorization in ["Bearer esk_nonsense", "Basic dXNlcjpwYXNz", "Bearer"] {
        let response = client
            .get(app.url("/api/v1/feedback"))
            .header("authorization", authorization)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{authorization}"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["status"], 401);
    }
}

#[tokio::test]
async fn a_contributor_asking_for_someone_elses_feedback_gets_404() {
    let app = TestApp::spawn().await;
    app.api(OTHER_CONTRIBUTOR)
        .post_json(
            "/api/v1/feedback",
            &feedback_json("Otto's private complaint"),
        )
        .await;
    let cora = app.api(CONTRIBUTOR);

    let api = cora.get("/api/v1/feedback/1").await;
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    let missing = cora.get("/api/v1/feedback/999").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let api_body = api.text().await.unwrap();
    assert_eq!(
        api_body,
        missing.text().await.unwrap(),
        "existence must not leak"
    );

    let browser = app.signed_in(CONTRIBUTOR).await;
    let page = browser.get("/feedback/1").await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(!page.text().await.unwrap().contains("Otto"));

    let listed: Value = cora.get("/api/v1/feedback").await.json().await.unwrap();
    assert_eq!(listed["total"], 0);
}

#[tokio::test]
async fn contributors_cannot_reach_the_inbox_or_triage() {
    let app = TestApp::spawn().await;
    app.api(CONTRIBUTOR)
        .post_json("/api/v1/feedback", &feedback_json("mine"))
        .await;
    let browser = app.signed_in(CONTRIBUTOR).await;

    assert_eq!(browser.get("/inbox").await.status(), StatusCode::NOT_FOUND);
    let triage = browser
        .submit("/feedback/1", "/feedback/1/triage", &[("status", "closed")])
        .await;
    assert_eq!(triage.status(), StatusCode::NOT_FOUND);
    let note = browser
        .submit("/feedback/1", "/feedback/1/triage", &[("note", "hi")])
        .await;
    assert_eq!(note.status(), StatusCode::NOT_FOUND);
    let status: String = app.with_db(|connection| {
        Ok(connection.query_row("SELECT status FROM feedback", [], |row| row.get(0))?)
    });
    assert_eq!(status, "new");
}

#[tokio::test]
async fn the_team_reads_all_feedback_with_authors_and_notes() {
    let app = TestApp::spawn().await;
    app.api(CONTRIBUTOR)
        .post_json("/api/v1/feedback", &feedback_json("from Cora"))
        .await;
    app.api(OTHER_CONTRIBUTOR)
        .post_json("/api/v1/feedback", &feedback_json("from Otto"))
        .await;

    let listed: Value = app
        .api(TEAM)
        .get("/api/v1/feedback")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["total"], 2);
    let item: Value = app
        .api(TEAM)
        .get("/api/v1/feedback/1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(item["author"]["name"], "Cora Contributor");
    assert!(item["internal_notes"].is_array());
    let own: Value = app
        .api(CONTRIBUTOR)
        .get("/api/v1/feedback/1")
        .await
        .json()
        .await
        .unwrap();
    assert!(own.get("internal_notes").is_none());
}

#[tokio::test]
async fn an_api_post_riding_on_the_session_cookie_needs_the_csrf_header() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(CONTRIBUTOR).await;
    let url = format!("{}/api/v1/feedback", browser.base);

    let without = browser
        .client
        .post(&url)
        .json(&feedback_json("x"))
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), StatusCode::FORBIDDEN);

    let token = crate::helpers::csrf_token_in(&browser.get_text("/feedback/new").await);
    let with = browser
        .client
        .post(&url)
        .header("x-csrf-token", token)
        .json(&feedback_json("from the browser"))
        .send()
        .await
        .unwrap();
    assert_eq!(with.status(), StatusCode::CREATED);
    assert_eq!(app.feedback_count(), 1);
}

/// Discovery is the platform team's: a contributor learns nothing of it,
/// not even that something exists (404 rather than 403).
#[tokio::test]
async fn a_contributor_gets_not_found_on_every_discovery_page_and_api() {
    let app = TestApp::spawn().await;
    let api = app.api(TEAM);
    api.post_json(
        "/api/v1/interviews",
        &json!({"participant_name": "Lars", "held_on": "2026-11-20", "notes": "cache"}),
    )
    .await;
    api.post_json("/api/v1/pain-points", &json!({"title": "Cold caches"}))
        .await;
    api.post_json("/api/v1/roadmap-items", &json!({"title": "Warm caches"}))
        .await;
    api.post_json("/api/v1/outcomes", &json!({"title": "Fast builds"}))
        .await;
    let browser = app.signed_in(CONTRIBUTOR).await;
    for page in [
        "/interviews",
        "/interviews/1",
        "/interviews/1/edit",
        "/pain-points",
        "/pain-points/1",
        "/roadmap",
        "/roadmap/1",
        "/tree",
    ] {
        assert_eq!(
            browser.get(page).await.status(),
            StatusCode::NOT_FOUND,
            "{page}"
        );
    }
    let contributor = app.api(CONTRIBUTOR);
    for path in [
        "/api/v1/interviews",
        "/api/v1/interviews/1",
        "/api/v1/pain-points",
        "/api/v1/pain-points/1",
        "/api/v1/roadmap-items",
        "/api/v1/roadmap-items/1",
        "/api/v1/outcomes",
        "/api/v1/outcomes/1",
    ] {
        assert_eq!(
            contributor.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    for path in [
        "/api/v1/interviews/1",
        "/api/v1/pain-points/1",
        "/api/v1/roadmap-items/1",
        "/api/v1/outcomes/1",
    ] {
        let patched = contributor
            .patch_json(path, &json!({"title": "mine"}))
            .await;
        assert_eq!(patched.status(), StatusCode::NOT_FOUND, "PATCH {path}");
    }
}
