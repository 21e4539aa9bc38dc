//! Interview snapshots: recorded, rendered safely, highlighted, used as evidence.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{CONTRIBUTOR, TEAM, TestApp};

#[tokio::test]
async fn an_interview_highlight_becomes_evidence_for_a_pain_point() {
    let app = TestApp::spawn().await;
    let api = app.api(TEAM);
    let created = api
        .post_json(
            "/api/v1/interviews",
            &json!({
                "participant_name": "Lars Berg", "participant_team": "payments", "participant_role": "backend engineer",
                "held_on": "2026-11-20", "quote": "I go for coffee while CI warms up",
                "notes": "Builds are **slow**.\n\nEvery morning the CI cache is cold and the first build takes 40 minutes.\n\n<script>alert('x')</script><a href=\"javascript:alert(1)\">click</a>",
                "services": ["ci-runner"]
            }),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let interview: Value = created.json().await.unwrap();
    let id = interview["id"].as_i64().unwrap();

    let not_said = api
        .post_json(
            &format!("/api/v1/interviews/{id}/highlights"),
            &json!({"quote": "CI is perfect"}),
        )
        .await;
    assert_eq!(not_said.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let highlight: Value = api
        .post_json(
            &format!("/api/v1/interviews/{id}/highlights"),
            &json!({"quote": "the CI cache is cold and the first build takes 40 minutes"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let highlight = highlight["id"].as_i64().unwrap();

    api.post_json(
        "/api/v1/pain-points",
        &json!({"title": "CI caches are cold"}),
    )
    .await;
    let team = app.signed_in(TEAM).await;
    let page = team.get_text(&format!("/interviews/{id}")).await;
    assert!(page.contains("<strong>slow</strong>"), "notes are rendered");
    assert!(
        !page.contains("<script>alert") && !page.contains("javascript:"),
        "and sanitised"
    );
    let linked = team
        .submit(
            &format!("/interviews/{id}"),
            "/pain-points/highlights",
            &[("pain_point", "1"), ("highlight", &highlight.to_string())],
        )
        .await;
    assert_eq!(linked.status(), StatusCode::SEE_OTHER);
    let pain_point: Value = api.get("/api/v1/pain-points/1").await.json().await.unwrap();
    assert_eq!(pain_point["impact_parts"]["evidence"], 1);
    assert!(
        team.get_text("/pain-points/1")
            .await
            .contains("first build takes 40 minutes")
    );

    // Interview notes are found by the team, never by contributors.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let found: Value = api
            .get("/api/v1/search?q=coffee")
            .await
            .json()
            .await
            .unwrap();
        if found["total"] == 1 {
            assert_eq!(found["hits"][0]["kind"], "interview");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the interview never became searchable"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let contributor: Value = app
        .api(CONTRIBUTOR)
        .get("/api/v1/search?q=coffee")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(contributor["total"], 0);
    assert_eq!(
        app.api(CONTRIBUTOR)
            .get("/api/v1/interviews")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.signed_in(CONTRIBUTOR)
            .await
            .get(&format!("/interviews/{id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

/// The discovery flow end to end: interview → highlight → pain point →
/// roadmap item → shipped, and on the page everyone can read.
#[tokio::test]
async fn an_interview_highlight_leads_through_a_pain_point_and_roadmap_item_to_the_shipped_page() {
    let app = TestApp::spawn().await;
    let team = app.signed_in(TEAM).await;
    let recorded = team
        .submit(
            "/interviews",
            "/interviews",
            &[
                ("participant_name", "Noor Haddad"),
                ("participant_team", "payments"),
                ("held_on", "2026-11-24"),
                (
                    "notes",
                    "Deploys queue behind each other and a hotfix waits forty minutes.",
                ),
                ("services", "ci-runner"),
            ],
        )
        .await;
    assert_eq!(recorded.status(), StatusCode::SEE_OTHER);
    let interview = recorded.headers()["location"].to_str().unwrap().to_owned();
    let id = interview.trim_start_matches("/interviews/");
    team.submit(
        &interview,
        &format!("/interviews/{id}/highlights"),
        &[("quote", "a hotfix waits forty minutes")],
    )
    .await;
    team.submit(
        "/pain-points",
        "/pain-points",
        &[("title", "Hotfixes wait in the deploy queue")],
    )
    .await;
    team.submit(
        &interview,
        "/pain-points/highlights",
        &[("pain_point", "1"), ("highlight", "1")],
    )
    .await;
    team.submit(
        "/roadmap",
        "/roadmap",
        &[
            ("title", "Priority lane for hotfixes"),
            ("target_quarter", "2027-Q1"),
        ],
    )
    .await;
    team.submit(
        "/roadmap/1",
        "/roadmap/1/pain-points",
        &[("pain_point", "1")],
    )
    .await;
    let shipped = team
        .submit("/roadmap/1", "/roadmap/1/status", &[("status", "shipped")])
        .await;
    assert_eq!(shipped.status(), StatusCode::SEE_OTHER);

    let page = app.signed_in(CONTRIBUTOR).await.get_text("/shipped").await;
    assert!(page.contains("Priority lane for hotfixes"));
    assert!(page.contains("Hotfixes wait in the deploy queue"));
    assert!(
        !page.contains("forty minutes"),
        "the interview stays private"
    );
}
