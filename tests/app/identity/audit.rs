//! The audit log: what is recorded, who may read it, its filter and
//! export, and that the application cannot change it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{ADMIN, CONTRIBUTOR, TEAM, TestApp, feedback_json};

fn lines(body: &str) -> Vec<Value> {
    body.lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect()
}

#[tokio::test]
async fn sign_ins_changes_deletions_exports_and_subscriptions_are_recorded() {
    let app = TestApp::spawn().await;
    let admin_browser = app.signed_in(ADMIN).await;
    let admin = app.api(ADMIN);
    let team = app.api(TEAM);
    let contributor = app.api(CONTRIBUTOR);
    contributor
        .post_json("/api/v1/feedback", &feedback_json("flaky runners"))
        .await;
    let cora: i64 = app.with_db(|connection| {
        Ok(connection.query_row(
            "SELECT id FROM users WHERE email = ?1",
            [CONTRIBUTOR],
            |row| row.get(0),
        )?)
    });
    admin
        .patch_json(
            &format!("/api/v1/people/{cora}"),
            &json!({"team": "platform"}),
        )
        .await;
    admin
        .patch_json(&format!("/api/v1/people/{cora}"), &json!({"role": "team"}))
        .await;
    let created: Value = team
        .post_json("/api/v1/tokens", &json!({"label": "bot"}))
        .await
        .json()
        .await
        .unwrap();
    let token_id = created["id"].as_i64().unwrap();
    team.client
        .delete(app.url(&format!("/api/v1/tokens/{token_id}")))
        .bearer_auth(&team.token)
        .send()
        .await
        .unwrap();
    let team_browser = app.signed_in(TEAM).await;
    team_browser
        .submit("/feedback/1", "/feedback/1/triage", &[("status", "closed")])
        .await;
    team_browser
        .submit(
            "/digests",
            "/digests",
            &[
                ("email", "leads@example.com"),
                ("cadence", "weekly"),
                ("weekday", "mon"),
                ("hour", "9"),
                ("timezone", "UTC"),
            ],
        )
        .await;
    team.post_json("/api/v1/surveys", &crate::surveys::survey())
        .await;
    let csv = team.get("/api/v1/surveys/1/results.csv").await;
    assert_eq!(csv.status(), StatusCode::OK);
    team.post_json("/api/v1/roadmap-items", &json!({"title": "Warm caches"}))
        .await;
    team.patch_json("/api/v1/roadmap-items/1", &json!({"status": "planned"}))
        .await;
    team.post_json("/api/v1/pain-points", &json!({"title": "Cold caches"}))
        .await;
    team.patch_json("/api/v1/pain-points/1", &json!({"status": "exploring"}))
        .await;
    let deleted = team
        .client
        .delete(app.url("/api/v1/feedback/1"))
        .bearer_auth(&team.token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    admin
        .patch_json(&format!("/api/v1/people/{cora}"), &json!({"active": false}))
        .await;

    let export = admin.get("/api/v1/audit.jsonl").await;
    assert_eq!(export.status(), StatusCode::OK);
    assert!(
        export.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/x-ndjson")
    );
    let entries = lines(&export.text().await.unwrap());
    let has = |action: &str, subject: &str| {
        entries.iter().any(|entry| {
            entry["action"] == action
                && entry["subject"].as_str().unwrap_or("").starts_with(subject)
        })
    };
    assert!(has("sign_in", "person:"), "{entries:#?}");
    assert!(has("team_changed", &format!("person:{cora}")));
    assert!(has("role_changed", &format!("person:{cora}")));
    assert!(has("token_created", &format!("token:{token_id}")));
    assert!(has("token_revoked", &format!("token:{token_id}")));
    assert!(has("status_changed", "feedback:1"));
    assert!(has("subscribed_other", "subscription:"));
    assert!(has("deleted", "feedback:1"));
    assert!(has("status_changed", "roadmap_item:1"), "{entries:#?}");
    assert!(has("exported", "survey:1"), "{entries:#?}");
    assert!(has("status_changed", "pain_point:1"), "{entries:#?}");
    assert!(has("deactivated", &format!("person:{cora}")));
    let role = entries
        .iter()
        .find(|entry| entry["action"] == "role_changed")
        .unwrap();
    assert_eq!(role["actor"], ADMIN);
    assert_eq!(role["detail"], "contributor to team");

    let filtered = admin_browser.get_text("/admin/audit?action=deleted").await;
    assert!(filtered.contains("feedback:1"));
    assert!(!filtered.contains("token:"), "the filter narrows the page");
    let by_subject = lines(
        &admin
            .get(&format!("/api/v1/audit.jsonl?q=person:{cora}"))
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(
        by_subject
            .iter()
            .all(|entry| entry["subject"] == format!("person:{cora}"))
    );
    let exports = lines(
        &admin
            .get("/api/v1/audit.jsonl?action=exported")
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(!exports.is_empty(), "exporting the log is itself recorded");
}

#[tokio::test]
async fn only_admins_read_the_audit_log() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.api(TEAM).get("/api/v1/audit.jsonl").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.api(CONTRIBUTOR)
            .get("/api/v1/audit.jsonl")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.signed_in(CONTRIBUTOR)
            .await
            .get("/admin/audit")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let bad = app
        .api(ADMIN)
        .get("/api/v1/audit.jsonl?action=nonsense")
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_audit_log_refuses_updates_and_deletes() {
    let app = TestApp::spawn().await;
    app.signed_in(TEAM).await;
    let changed = earshot::db::with_connection(&app.data_dir.join("earshot.db"), |connection| {
        Ok(connection.execute("UPDATE audit_log SET actor = 'nobody'", [])?)
    });
    assert!(changed.is_err(), "an update went through");
    let deleted = earshot::db::with_connection(&app.data_dir.join("earshot.db"), |connection| {
        Ok(connection.execute("DELETE FROM audit_log", [])?)
    });
    assert!(deleted.is_err(), "a delete went through");
    let count: i64 = app.with_db(|connection| {
        Ok(connection.query_row("SELECT count(*) FROM audit_log", [], |row| row.get(0))?)
    });
    assert_eq!(count, 1);
}
