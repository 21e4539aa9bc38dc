//! Summaries that are right: the held-back line says what the results
//! page hid (team rows included), the message reads on a phone, and
//! `earshot digest` links where the server said it is, or refuses.

use std::process::Output;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TEAM, TestApp};
use crate::surveys::{answer, close, results};

async fn earshot(data_dir: &std::path::Path, args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
        .env("EARSHOT_DATA_DIR", data_dir)
        .env_remove("EARSHOT_PUBLIC_URL")
        .args(args)
        .output()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_summary_holds_back_the_team_rows_the_results_page_hides_and_fits_a_phone() {
    let app = TestApp::spawn_at("2026-11-18T10:00:00Z").await;
    // Five in one team, two and three in two others: the results page shows
    // alpha's row and hides beta's and gamma's (together five).
    let emails = app.add_team_members(&[("alpha", 5), ("beta", 2), ("gamma", 3)]);
    let api = app.api(TEAM);
    let survey: Value = api
        .post_json(
            "/api/v1/surveys",
            &json!({
                "title": "Pulse", "anonymous": true, "threshold": 5,
                "questions": [{"kind": "csat", "prompt": "Happy with CI?", "service": "ci-runner", "required": true}]
            }),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = survey["id"].as_i64().unwrap();
    let question = survey["questions"][0]["id"].as_i64().unwrap();
    api.post_json(
        "/api/v1/series",
        &json!({"name": "Pulse", "cadence": "quarterly"}),
    )
    .await;
    api.put_json(
        &format!("/api/v1/surveys/{id}/series"),
        &json!({"series": "Pulse"}),
    )
    .await;
    api.post_json(&format!("/api/v1/surveys/{id}/open"), &json!({}))
        .await;
    api.post_json(
        &format!("/api/v1/surveys/{id}/invitations"),
        &json!({"emails": emails}),
    )
    .await;
    for (_, token) in app.invitation_tokens(id).await {
        let answered = answer(&app, &token, json!([{"question_id": question, "value": 4}])).await;
        assert_eq!(answered, StatusCode::CREATED);
    }
    close(&api, id).await;
    let published = results(&api, id).await;
    let breakdowns = &published["questions"][0]["breakdowns"];
    assert_eq!(breakdowns["others_hidden"], true, "{published}");
    assert_eq!(breakdowns["team"].as_array().map(Vec::len), Some(1));

    let team = app.signed_in(TEAM).await;
    team.submit(
        "/digests",
        "/digests",
        &[("email", "leads@example.com"), ("cadence", "monthly")],
    )
    .await;
    let summary = team.get_text("/digests/1/preview").await;
    assert!(
        summary.contains(
            "CSAT for ci-runner, by team: some teams (fewer than 5 answers, or recoverable from those shown)"
        ),
        "{summary}"
    );
    assert!(!summary.contains("Nothing was held back"), "{summary}");
    assert!(!summary.contains("beta") && !summary.contains("gamma"));
    assert!(
        summary.contains(r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#),
        "{summary}"
    );
    assert!(summary.contains("@media (max-width: 480px)"), "{summary}");
}

#[tokio::test]
async fn digest_commands_link_where_the_server_is_and_refuse_when_no_server_said() {
    let never_served = tempfile::tempdir().unwrap();
    let seeded = earshot(never_served.path(), &["seed"]).await;
    assert!(seeded.status.success());
    let refused = earshot(never_served.path(), &["digest", "send", "--now"]).await;
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("no public URL is known for links in mail: pass --public-url"),
        "{said}"
    );
    let queued: i64 = rusqlite::Connection::open(never_served.path().join("earshot.db"))
        .unwrap()
        .query_row("SELECT count(*) FROM email_outbox", [], |row| row.get(0))
        .unwrap();
    assert_eq!(queued, 0, "nothing was queued with a wrong link");

    // A server records the URL it uses; the command line links there.
    let app = TestApp::spawn_with(|config| earshot::config::Config {
        public_url: "https://earshot.example.test/".into(),
        ..config
    })
    .await;
    let posted = app
        .api(TEAM)
        .post_json(
            "/api/v1/feedback",
            &crate::helpers::feedback_json("Runners are slow"),
        )
        .await;
    assert_eq!(posted.status(), StatusCode::CREATED);
    let team = app.signed_in(TEAM).await;
    team.submit(
        "/digests",
        "/digests",
        &[("email", "leads@example.com"), ("cadence", "weekly")],
    )
    .await;
    let preview = earshot(&app.data_dir, &["digest", "preview", "--subscription", "1"]).await;
    let text = String::from_utf8_lossy(&preview.stdout);
    assert!(
        preview.status.success(),
        "{}",
        String::from_utf8_lossy(&preview.stderr)
    );
    assert!(
        text.contains("Read it all: https://earshot.example.test/dashboard"),
        "{text}"
    );
    assert!(!text.contains("127.0.0.1:3000"), "{text}");
}
