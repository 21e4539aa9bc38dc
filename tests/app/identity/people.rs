//! People and teams for admins, in the browser and the API, and
//! `earshot user add` saying how a person will sign in.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{ADMIN, CONTRIBUTOR, OTHER_CONTRIBUTOR, TEAM, TestApp, feedback_json};

fn id_of(app: &TestApp, email: &str) -> i64 {
    app.with_db(|connection| {
        Ok(
            connection.query_row("SELECT id FROM users WHERE email = ?1", [email], |row| {
                row.get(0)
            })?,
        )
    })
}

#[tokio::test]
async fn an_admin_finds_people_and_changes_role_and_team_in_the_browser() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in(ADMIN).await;
    let found = admin.get_text("/admin/people?q=payments").await;
    assert!(found.contains("Cora Contributor") && found.contains("Otto Other"));
    assert!(!found.contains("Tom Team"), "search narrows the list");

    let cora = id_of(&app, CONTRIBUTOR);
    let page = format!("/admin/people/{cora}");
    let saved = admin
        .submit(&page, &page, &[("role", "team"), ("team", "platform")])
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let api = app.api(ADMIN);
    let person: Value = api
        .get(&format!("/api/v1/people/{cora}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(person["role"], "team");
    assert_eq!(person["team"], "platform");

    let unknown_team = admin
        .submit(&page, &page, &[("role", "team"), ("team", "nope")])
        .await;
    assert_eq!(unknown_team.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown_team
            .text()
            .await
            .unwrap()
            .contains("there is no team")
    );
}

#[tokio::test]
async fn deactivating_someone_ends_their_sessions_and_tokens_at_once_but_keeps_their_feedback() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(CONTRIBUTOR).await;
    let api = app.api(CONTRIBUTOR);
    let created = api
        .post_json("/api/v1/feedback", &feedback_json("slow builds"))
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let cora = id_of(&app, CONTRIBUTOR);

    let admin = app.signed_in(ADMIN).await;
    let page = format!("/admin/people/{cora}");
    let done = admin
        .submit(&page, &page, &[("action", "deactivate")])
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);

    assert_eq!(
        browser.get("/feedback/mine").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        api.get("/api/v1/feedback").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let again = app
        .browser()
        .sign_in(CONTRIBUTOR, crate::helpers::PASSWORD)
        .await;
    assert_eq!(
        again.status(),
        StatusCode::UNAUTHORIZED,
        "a deactivated person cannot sign in"
    );
    let item: Value = app
        .api(TEAM)
        .get("/api/v1/feedback/1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(item["author"]["email"], CONTRIBUTOR, "{item}");
    assert!(admin.get_text(&page).await.contains("deactivated on"));

    let back = admin
        .submit(&page, &page, &[("action", "reactivate")])
        .await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.browser()
            .sign_in(CONTRIBUTOR, crate::helpers::PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        api.get("/api/v1/feedback").await.status(),
        StatusCode::UNAUTHORIZED,
        "revoked tokens stay revoked"
    );
}

#[tokio::test]
async fn an_admin_cannot_demote_or_deactivate_themselves() {
    let app = TestApp::spawn().await;
    let admin = app.api(ADMIN);
    let me = id_of(&app, ADMIN);
    for change in [json!({"role": "team"}), json!({"active": false})] {
        let refused = admin
            .patch_json(&format!("/api/v1/people/{me}"), &change)
            .await;
        assert_eq!(
            refused.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{change}"
        );
    }
}

#[tokio::test]
async fn teams_are_created_renamed_and_merged_with_their_people() {
    let app = TestApp::spawn().await;
    let api = app.api(ADMIN);
    let created = api
        .post_json(
            "/api/v1/teams",
            &json!({"slug": "billing", "name": "Billing"}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let duplicate = api
        .post_json(
            "/api/v1/teams",
            &json!({"slug": "billing", "name": "Again"}),
        )
        .await;
    assert_eq!(duplicate.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad = api
        .post_json(
            "/api/v1/teams",
            &json!({"slug": "Bad Slug", "name": "Line\nbreak"}),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let browser = app.signed_in(ADMIN).await;
    let renamed = browser
        .submit(
            "/admin/teams",
            "/admin/teams/billing",
            &[("name", "Billing & Invoices")],
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::SEE_OTHER);
    assert!(
        browser
            .get_text("/admin/teams")
            .await
            .contains("Billing &amp; Invoices")
    );

    let merged = browser
        .submit(
            "/admin/teams",
            "/admin/teams/payments",
            &[("merge_into", "billing")],
        )
        .await;
    assert_eq!(merged.status(), StatusCode::SEE_OTHER);
    let teams: Vec<Value> = api.get("/api/v1/teams").await.json().await.unwrap();
    assert!(
        teams.iter().all(|team| team["slug"] != "payments"),
        "{teams:?}"
    );
    let billing = teams.iter().find(|team| team["slug"] == "billing").unwrap();
    assert_eq!(billing["members"], 2);
    let otto: Value = api
        .get(&format!(
            "/api/v1/people/{}",
            id_of(&app, OTHER_CONTRIBUTOR)
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(otto["team"], "billing");

    let renamed_api = api
        .patch_json("/api/v1/teams/billing", &json!({"name": "Billing"}))
        .await;
    assert_eq!(renamed_api.status(), StatusCode::OK);
    let missing = api
        .patch_json("/api/v1/teams/nope", &json!({"name": "x"}))
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_admins_reach_people_and_teams() {
    let app = TestApp::spawn().await;
    let contributor = app.signed_in(CONTRIBUTOR).await;
    assert_eq!(
        contributor.get("/admin/people").await.status(),
        StatusCode::NOT_FOUND
    );
    let team = app.signed_in(TEAM).await;
    assert_eq!(
        team.get("/admin/people").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.api(TEAM).get("/api/v1/people").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.api(CONTRIBUTOR).get("/api/v1/teams").await.status(),
        StatusCode::NOT_FOUND
    );
    let list: Vec<Value> = app
        .api(ADMIN)
        .get("/api/v1/people?q=ada")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["sign_in"], "password");
}

#[tokio::test]
async fn user_add_without_a_password_says_how_they_sign_in_or_refuses() {
    let data = tempfile::tempdir().unwrap();
    let earshot = |args: &[&str], env: &[(&str, &str)]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_earshot"));
        command
            .env_clear()
            .env("EARSHOT_DATA_DIR", data.path())
            .args(args);
        for (key, value) in env {
            command.env(key, value);
        }
        command.output().unwrap()
    };
    let base = [
        "user",
        "add",
        "--name",
        "Kim",
        "--role",
        "contributor",
        "--email",
    ];
    let refused = earshot(&[&base[..], &["kim@example.com"]].concat(), &[]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("would have no way to sign in") && stderr.contains("--password-stdin"),
        "{stderr}"
    );

    let sso = earshot(&[&base[..], &["kim@example.com", "--sso"]].concat(), &[]);
    assert!(
        sso.status.success(),
        "{}",
        String::from_utf8_lossy(&sso.stderr)
    );
    assert!(String::from_utf8_lossy(&sso.stdout).contains("company's identity"));

    let configured = earshot(
        &[&base[..], &["lee@example.com"]].concat(),
        &[("EARSHOT_OIDC_ISSUER", "https://login.example.com")],
    );
    assert!(configured.status.success());
    assert!(
        String::from_utf8_lossy(&configured.stdout)
            .contains("sign in through the company's identity")
    );
}
