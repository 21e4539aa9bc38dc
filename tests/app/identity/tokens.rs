//! API tokens: made, named, listed and revoked in the browser and the API
//! by their owner; all of them by admins; expiry; `earshot token list|revoke`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{ADMIN, CONTRIBUTOR, OTHER_CONTRIBUTOR, TestApp};

/// The token shown once on the account page after creating it.
fn shown_token(html: &str) -> String {
    let marker = r#"<code id="new-token">"#;
    let start = html.find(marker).expect("the new token is shown") + marker.len();
    html[start..].split('<').next().unwrap().to_owned()
}

async fn get_with(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_person_creates_a_named_token_in_the_browser_sees_it_listed_and_revokes_it() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(CONTRIBUTOR).await;
    let created = browser
        .submit(
            "/account",
            "/account/tokens",
            &[("label", "incident bot"), ("expires_in_days", "30")],
        )
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let page = created.text().await.unwrap();
    let token = shown_token(&page);
    assert!(token.starts_with("esk_"));

    assert_eq!(
        get_with(&app, &token, "/api/v1/feedback").await.status(),
        StatusCode::OK
    );
    let listed = browser.get_text("/account").await;
    assert!(listed.contains("incident bot"));
    assert!(!listed.contains(&token), "the secret is shown once only");
    let tokens: Vec<Value> = get_with(&app, &token, "/api/v1/tokens")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0]["label"], "incident bot");
    assert!(tokens[0]["last_used_at"].is_string(), "{tokens:?}");
    assert!(tokens[0]["expires_at"].is_string());
    assert!(tokens[0]["created_at"].is_string());

    let id = tokens[0]["id"].as_i64().unwrap();
    let revoked = browser
        .submit("/account", &format!("/account/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        get_with(&app, &token, "/api/v1/feedback").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert!(browser.get_text("/account").await.contains("revoked"));
}

#[tokio::test]
async fn nobody_but_the_owner_or_an_admin_can_revoke_a_token() {
    let app = TestApp::spawn().await;
    let owner = app.api(CONTRIBUTOR);
    let other = app.api(OTHER_CONTRIBUTOR);
    let tokens: Vec<Value> = owner.get("/api/v1/tokens").await.json().await.unwrap();
    let id = tokens[0]["id"].as_i64().unwrap();

    let refused = other
        .client
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .bearer_auth(&other.token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    let everyone: Vec<Value> = other
        .get("/api/v1/tokens?all=true")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        everyone
            .iter()
            .all(|token| token["owner"] == OTHER_CONTRIBUTOR),
        "a contributor sees only their own"
    );
    assert_eq!(owner.get("/api/v1/feedback").await.status(), StatusCode::OK);

    let admin = app.api(ADMIN);
    let all: Vec<Value> = admin
        .get("/api/v1/tokens?all=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all.len(), 3, "{all:?}");
    let admin_page = app.signed_in(ADMIN).await.get_text("/admin/tokens").await;
    assert!(admin_page.contains(CONTRIBUTOR) && admin_page.contains(OTHER_CONTRIBUTOR));
    let revoked = admin
        .client
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        owner.get("/api/v1/feedback").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_token_stops_working_when_it_expires() {
    let app = TestApp::spawn().await;
    let api = app.api(CONTRIBUTOR);
    let created = api
        .post_json(
            "/api/v1/tokens",
            &json!({"label": "short lived", "expires_in_days": 1}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let body: Value = created.json().await.unwrap();
    let token = body["token"].as_str().unwrap().to_owned();
    assert_eq!(
        get_with(&app, &token, "/api/v1/feedback").await.status(),
        StatusCode::OK
    );
    app.with_db(|connection| {
        connection.execute(
            "UPDATE api_tokens SET expires_at = '2000-01-01 00:00:00+00:00' WHERE label = 'short lived'",
            [],
        )?;
        Ok(())
    });
    let expired = get_with(&app, &token, "/api/v1/feedback").await;
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
    let bad = api
        .post_json(
            "/api/v1/tokens",
            &json!({"label": "x", "expires_in_days": 9999}),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bidi = api
        .post_json("/api/v1/tokens", &json!({"label": "bot\u{202e}exe"}))
        .await;
    assert_eq!(bidi.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn tokens_are_listed_and_revoked_on_the_command_line() {
    let app = TestApp::spawn().await;
    let api = app.api(CONTRIBUTOR);
    let id: i64 = app.with_db(|connection| {
        Ok(connection.query_row("SELECT max(id) FROM api_tokens", [], |row| row.get(0))?)
    });
    let earshot = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
            .env_clear()
            .env("EARSHOT_DATA_DIR", &app.data_dir)
            .args(args)
            .output()
            .unwrap()
    };
    let listed = earshot(&["token", "list"]);
    assert!(listed.status.success());
    let listing = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listing.contains(CONTRIBUTOR) && listing.contains("live"),
        "{listing}"
    );
    assert!(!listing.contains(&api.token), "never the secret");

    let revoked = earshot(&["token", "revoke", "--id", &id.to_string()]);
    assert!(
        revoked.status.success(),
        "{}",
        String::from_utf8_lossy(&revoked.stderr)
    );
    assert_eq!(
        api.get("/api/v1/feedback").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let again = earshot(&["token", "list", "--email", CONTRIBUTOR]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("revoked"));
    let unknown = earshot(&["token", "revoke", "--id", "999"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("there is no token 999"));
}
