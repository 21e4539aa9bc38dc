//! The opportunity solution tree: outcomes, nested pain points, solutions, tests.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{CONTRIBUTOR, TEAM, TestApp};

#[tokio::test]
async fn pain_points_nest_under_outcomes_and_each_other_with_solutions_and_tests_below() {
    let app = TestApp::spawn().await;
    let api = app.api(TEAM);
    let outcome = api
        .post_json("/api/v1/outcomes", &json!({"title": "Time to first deploy under 1 day", "metric": "median hours", "target": "< 24"}))
        .await;
    assert_eq!(outcome.status(), StatusCode::CREATED);
    api.post_json(
        "/api/v1/pain-points",
        &json!({"title": "Onboarding takes weeks"}),
    )
    .await;
    api.post_json(
        "/api/v1/pain-points",
        &json!({"title": "No template for a new service"}),
    )
    .await;
    api.post_json(
        "/api/v1/roadmap-items",
        &json!({"title": "Service template"}),
    )
    .await;
    api.post_json(
        "/api/v1/roadmap-items/1/pain-points",
        &json!({"pain_point_id": 2}),
    )
    .await;

    let team = app.signed_in(TEAM).await;
    let placed = team
        .submit(
            "/pain-points/1",
            "/pain-points/1/placement",
            &[("outcome", "1"), ("parent", "")],
        )
        .await;
    assert_eq!(placed.status(), StatusCode::SEE_OTHER);
    team.submit(
        "/pain-points/2",
        "/pain-points/2/placement",
        &[("outcome", "1"), ("parent", "2")],
    )
    .await;
    let nested = team
        .submit(
            "/pain-points/2",
            "/pain-points/2/placement",
            &[("outcome", "1"), ("parent", "1")],
        )
        .await;
    assert_eq!(nested.status(), StatusCode::SEE_OTHER);
    let cycle = team
        .submit(
            "/pain-points/1",
            "/pain-points/1/placement",
            &[("outcome", "1"), ("parent", "2")],
        )
        .await;
    assert_eq!(
        cycle.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a pain point cannot sit under its own child"
    );

    let test = team
        .submit(
            "/roadmap/1",
            "/roadmap/1/tests",
            &[
                ("assumption", "Teams will start from a template"),
                ("method", "two teams, one week"),
            ],
        )
        .await;
    assert_eq!(test.status(), StatusCode::SEE_OTHER);
    team.submit(
        "/roadmap/1",
        "/tests/1/result",
        &[
            ("status", "validated"),
            ("result", "both teams shipped in a day"),
        ],
    )
    .await;

    let page = team.get_text("/tree").await;
    let order = [
        "Time to first deploy under 1 day",
        "Onboarding takes weeks",
        "No template for a new service",
        "Service template",
        "Teams will start from a template",
        "validated",
    ];
    let mut from = 0;
    for part in order {
        let at = page[from..]
            .find(part)
            .unwrap_or_else(|| panic!("{part} is not in the tree after position {from}"));
        from += at;
    }
    assert!(page.contains("<details"), "branches fold without script");
    let outcomes: Value = api.get("/api/v1/outcomes").await.json().await.unwrap();
    assert_eq!(outcomes["items"][0]["target"], "< 24");
    assert_eq!(
        app.signed_in(CONTRIBUTOR).await.get("/tree").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn patching_an_outcome_keeps_fields_not_sent_and_names_a_wrong_typed_one() {
    let app = TestApp::spawn().await;
    let api = app.api(TEAM);
    api.post_json(
        "/api/v1/outcomes",
        &json!({"title": "Platform CSAT at 80%", "metric": "CSAT", "target": ">= 80%"}),
    )
    .await;
    let patched = api
        .patch_json("/api/v1/outcomes/1", &json!({"target": ">= 85%"}))
        .await;
    assert_eq!(patched.status(), StatusCode::OK);
    let outcome: Value = patched.json().await.unwrap();
    assert_eq!(outcome["target"], ">= 85%");
    assert_eq!(outcome["title"], "Platform CSAT at 80%");
    let wrong = api
        .patch_json("/api/v1/outcomes/1", &json!({"metric": 80}))
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = wrong.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "metric");
    let empty = api
        .patch_json("/api/v1/outcomes/1", &json!({"title": ""}))
        .await;
    let problem: Value = empty.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "title");
    assert_eq!(
        api.patch_json("/api/v1/outcomes/7", &json!({"title": "x"}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.api(CONTRIBUTOR)
            .patch_json("/api/v1/outcomes/1", &json!({"title": "x"}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}
