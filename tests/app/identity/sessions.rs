//! Sessions: idle and absolute ends, a new session (and CSRF cookie) at
//! every sign-in, signing out everywhere, and a changed role ending them.

use reqwest::StatusCode;

use super::set_cookie;
use crate::helpers::{ADMIN, CONTRIBUTOR, PASSWORD, TEAM, TestApp, csrf_token_in};

/// A request with exactly this session cookie and nothing else.
async fn with_session(app: &TestApp, session: &str, path: &str) -> StatusCode {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url(path))
        .header("cookie", format!("earshot_session={session}"))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn a_session_unused_for_its_idle_time_ends_even_before_its_absolute_end() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(TEAM).await;
    assert_eq!(browser.get("/inbox").await.status(), StatusCode::OK);
    app.with_db(|connection| {
        connection.execute(
            "UPDATE sessions SET idle_expires_at = '2000-01-01 00:00:00+00:00'",
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
}

#[tokio::test]
async fn using_a_session_moves_its_idle_end_but_never_past_its_absolute_end() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(TEAM).await;
    app.with_db(|connection| {
        connection.execute(
            "UPDATE sessions SET idle_expires_at = datetime('now', '+1 minute') || '+00:00'",
            [],
        )?;
        Ok(())
    });
    assert_eq!(browser.get("/inbox").await.status(), StatusCode::OK);
    let (idle, absolute): (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) = app
        .with_db(|connection| {
            Ok(connection.query_row(
                "SELECT idle_expires_at, expires_at FROM sessions",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?)
        });
    assert!(
        idle > chrono::Utc::now() + chrono::Duration::hours(11),
        "{idle}"
    );
    assert!(idle <= absolute);
}

#[tokio::test]
async fn signing_in_again_starts_a_new_session_and_a_new_csrf_cookie() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let login = browser.get("/login").await;
    let planted_csrf = set_cookie(&login, "earshot_csrf").expect("a CSRF cookie");
    let token = csrf_token_in(&login.text().await.unwrap());
    let first = browser
        .post_form(
            "/login",
            &[("email", TEAM), ("password", PASSWORD), ("csrf", &token)],
        )
        .await;
    let first_session = set_cookie(&first, "earshot_session").expect("a session");
    let rotated_csrf = set_cookie(&first, "earshot_csrf").expect("a new CSRF cookie at sign-in");
    assert_ne!(
        rotated_csrf, planted_csrf,
        "the CSRF token known before sign-in is replaced"
    );

    // The old CSRF token no longer passes.
    let stale = browser
        .post_form("/logout", &[("csrf", &planted_csrf)])
        .await;
    assert_eq!(stale.status(), StatusCode::FORBIDDEN);

    let second = browser.sign_in(TEAM, PASSWORD).await;
    let second_session = set_cookie(&second, "earshot_session").expect("a session");
    assert_ne!(first_session, second_session);
    assert_eq!(
        with_session(&app, &first_session, "/inbox").await,
        StatusCode::SEE_OTHER,
        "the browser's earlier session ended"
    );
    assert_eq!(
        with_session(&app, &second_session, "/inbox").await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_of_that_person_only() {
    let app = TestApp::spawn().await;
    let laptop = app.signed_in(TEAM).await;
    let phone = app.signed_in(TEAM).await;
    let someone_else = app.signed_in(CONTRIBUTOR).await;
    let response = laptop
        .submit("/account", "/account/sign-out-everywhere", &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/login");
    assert_eq!(phone.get("/inbox").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(laptop.get("/inbox").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        someone_else.get("/feedback/mine").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_changed_role_ends_the_persons_sessions_so_they_sign_in_under_the_new_one() {
    let app = TestApp::spawn().await;
    let team_member = app.signed_in(TEAM).await;
    assert_eq!(team_member.get("/inbox").await.status(), StatusCode::OK);
    let admin = app.api(ADMIN);
    let id: i64 = app.with_db(|connection| {
        Ok(
            connection.query_row("SELECT id FROM users WHERE email = ?1", [TEAM], |row| {
                row.get(0)
            })?,
        )
    });
    let changed = admin
        .patch_json(
            &format!("/api/v1/people/{id}"),
            &serde_json::json!({"role": "contributor"}),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(
        team_member.get("/inbox").await.status(),
        StatusCode::SEE_OTHER
    );
    let again = app.signed_in(TEAM).await;
    assert_eq!(
        again.get("/inbox").await.status(),
        StatusCode::NOT_FOUND,
        "now a contributor"
    );
}
