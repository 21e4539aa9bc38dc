//! The list endpoints the document showed missing: surveys, summary
//! subscriptions, one team.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{ADMIN, CONTRIBUTOR, TEAM, TestApp};

async fn subscribe(app: &TestApp, who: &str, fields: &[(&str, &str)]) {
    let browser = app.signed_in(who).await;
    let response = browser.submit("/digests", "/digests", fields).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{who} subscribing"
    );
}

#[tokio::test]
async fn surveys_are_listed_for_the_platform_team_with_published_counts_and_hidden_from_contributors()
 {
    let app = TestApp::spawn().await;
    let team = app.api(TEAM);
    let created = team
        .post_json("/api/v1/surveys", &crate::surveys::survey())
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();

    let listed = team.get("/api/v1/surveys").await;
    assert_eq!(listed.status(), StatusCode::OK);
    let listed: Value = listed.json().await.unwrap();
    let surveys = listed.as_array().unwrap();
    assert_eq!(surveys.len(), 1);
    assert_eq!(surveys[0]["id"], created["id"]);
    assert_eq!(surveys[0]["title"], "Platform survey Q4");
    assert_eq!(surveys[0]["status"], "draft");
    assert_eq!(surveys[0]["questions"], 3);
    assert_eq!(surveys[0]["responses"], 0);

    let contributor = app.api(CONTRIBUTOR).get("/api/v1/surveys").await;
    assert_eq!(contributor.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn subscriptions_are_listed_all_for_the_team_and_only_their_own_for_a_contributor() {
    let app = TestApp::spawn().await;
    subscribe(
        &app,
        TEAM,
        &[
            ("email", "leads@example.com"),
            ("cadence", "weekly"),
            ("weekday", "mon"),
            ("hour", "09:30"),
            ("timezone", "Europe/Berlin"),
            ("services", "ci-runner"),
        ],
    )
    .await;
    subscribe(
        &app,
        CONTRIBUTOR,
        &[("cadence", "monthly"), ("hour", "8"), ("timezone", "UTC")],
    )
    .await;

    let all: Value = app
        .api(TEAM)
        .get("/api/v1/subscriptions")
        .await
        .json()
        .await
        .unwrap();
    let emails: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|subscription| subscription["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, [CONTRIBUTOR, "leads@example.com"]);
    let leads = &all[1];
    assert_eq!(leads["cadence"], "weekly");
    assert_eq!(leads["weekday"], "Mon");
    assert_eq!(
        (leads["hour"].as_u64(), leads["minute"].as_u64()),
        (Some(9), Some(30))
    );
    assert_eq!(leads["timezone"], "Europe/Berlin");
    assert_eq!(leads["services"], serde_json::json!(["ci-runner"]));

    let own: Value = app
        .api(CONTRIBUTOR)
        .get("/api/v1/subscriptions")
        .await
        .json()
        .await
        .unwrap();
    let own = own.as_array().unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0]["email"], CONTRIBUTOR);
    assert_eq!(own[0]["cadence"], "monthly");
    assert_eq!(own[0]["weekday"], Value::Null);
}

#[tokio::test]
async fn one_team_is_read_by_its_slug_by_admins_only() {
    let app = TestApp::spawn().await;
    let team = app.api(ADMIN).get("/api/v1/teams/payments").await;
    assert_eq!(team.status(), StatusCode::OK);
    let team: Value = team.json().await.unwrap();
    assert_eq!(team["slug"], "payments");
    assert_eq!(team["name"], "Payments");
    assert_eq!(
        app.api(ADMIN).get("/api/v1/teams/nope").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.api(CONTRIBUTOR)
            .get("/api/v1/teams/payments")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}
