//! The discovery habit, the recruiting list and the contact cap.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{CONTRIBUTOR, OTHER_CONTRIBUTOR, TEAM, TestApp};

#[tokio::test]
async fn the_dashboard_counts_interviews_per_week_against_the_target() {
    // A Sunday evening: the week in progress is almost over.
    let app = TestApp::spawn_at("2026-11-29T22:00:00Z").await;
    let api = app.api(TEAM);
    let today = app.clock.now().date_naive();
    for weeks_back in [1, 1, 2, 2, 3] {
        let held = today - chrono::Duration::weeks(weeks_back);
        api.post_json(
            "/api/v1/interviews",
            &json!({"participant_name": "Someone", "held_on": held.to_string()}),
        )
        .await;
    }
    let team = app.signed_in(TEAM).await;
    let page = team.get_text("/dashboard").await;
    assert!(
        page.contains("Streak: 3 weeks"),
        "target 1 by default: {page}"
    );
    let saved = team
        .submit(
            "/dashboard",
            "/dashboard/settings",
            &[("interview_target", "2"), ("contact_cap_days", "30")],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert!(
        team.get_text("/dashboard")
            .await
            .contains("Streak: 2 weeks")
    );
    let bad = team
        .submit(
            "/dashboard",
            "/dashboard/settings",
            &[("interview_target", "lots"), ("contact_cap_days", "30")],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_recruiting_list_respects_the_contact_cap_for_interviews_and_surveys() {
    let app = TestApp::spawn().await;
    app.api(CONTRIBUTOR)
        .post_json("/api/v1/feedback", &json!({"service": "ci-runner", "kind": "pain", "body": "happy to talk", "contact_ok": true}))
        .await;
    app.api(OTHER_CONTRIBUTOR)
        .post_json(
            "/api/v1/feedback",
            &json!({"service": "ci-runner", "kind": "pain", "body": "leave me alone"}),
        )
        .await;
    let team = app.signed_in(TEAM).await;
    let list = team
        .get_text("/interviews/recruiting?service=ci-runner")
        .await;
    assert!(list.contains("Cora Contributor") && !list.contains("Otto Other"));

    let user: i64 = app.with_db(|connection| {
        Ok(connection.query_row(
            "SELECT id FROM users WHERE email = ?1",
            [CONTRIBUTOR],
            |row| row.get(0),
        )?)
    });
    let path = format!("/interviews/recruiting/{user}/ask");
    assert_eq!(
        team.submit("/interviews/recruiting", &path, &[])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        team.submit("/interviews/recruiting", &path, &[])
            .await
            .status(),
        StatusCode::CONFLICT
    );
    assert!(
        team.get_text("/interviews/recruiting")
            .await
            .contains("asked recently")
    );

    let api = app.api(TEAM);
    let survey: Value = api
        .post_json(
            "/api/v1/surveys",
            &json!({"title": "Pulse", "questions": [{"kind": "csat", "prompt": "CI?"}]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = survey["id"].as_i64().unwrap();
    let invited: Value = api
        .post_json(
            &format!("/api/v1/surveys/{id}/invitations"),
            &json!({"emails": [CONTRIBUTOR, OTHER_CONTRIBUTOR]}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(invited["contacted_recently"], json!([CONTRIBUTOR]));
    assert_eq!(invited["invited"], json!([OTHER_CONTRIBUTOR]));
}

#[tokio::test]
async fn the_dashboard_shows_satisfaction_per_service_with_intervals_and_movers() {
    let data = tempfile::tempdir().unwrap();
    let seeded = std::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
        .env("EARSHOT_DATA_DIR", data.path())
        .arg("seed")
        .output()
        .unwrap();
    assert!(seeded.status.success());
    let app = TestApp::start(data.path()).await;
    let team = app.browser();
    assert_eq!(
        team.sign_in("sam.rivera@halcyon.example", "earshot-demo")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let page = team.get_text("/dashboard").await;
    assert!(
        page.contains("NPS (points, −100 to 100)") && page.contains("<polygon"),
        "NPS over waves with an interval band"
    );
    let ci_row = page
        .split("/services/ci-runner")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(
        ci_row.contains("mover"),
        "CI satisfaction jumped after the cache fix: {ci_row}"
    );
    assert!(
        page.contains("Behind "),
        "the pain points behind the lowest-scoring services"
    );
}

#[tokio::test]
async fn a_service_page_shows_satisfaction_beside_reliability_and_its_top_pain_points() {
    let data = tempfile::tempdir().unwrap();
    let seeded = std::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
        .env("EARSHOT_DATA_DIR", data.path())
        .arg("seed")
        .output()
        .unwrap();
    assert!(seeded.status.success());
    let app = TestApp::start(data.path()).await;
    let team = app.browser();
    team.sign_in("sam.rivera@halcyon.example", "earshot-demo")
        .await;
    let page = team.get_text("/services/ci-runner").await;
    assert!(page.contains("Satisfaction: Platform pulse"));
    assert!(
        page.matches("data-label=\"Wave\">Q").count() == 4,
        "one row per wave, labelled by its period"
    );
    assert!(
        page.contains("CI caches are cold after every deploy"),
        "its top pain points"
    );
    let contributor = app.browser();
    contributor
        .sign_in("priya.natarajan@halcyon.example", "earshot-demo")
        .await;
    let seen = contributor.get_text("/services/ci-runner").await;
    assert!(seen.contains("Satisfaction: Platform pulse"));
    assert!(!seen.contains("Top pain points"));
}
