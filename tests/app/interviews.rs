//! Interview snapshots: recorded, rendered safely, highlighted, used as evidence.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{ADMIN, CONTRIBUTOR, TEAM, TestApp};

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
        .submit(
            "/roadmap/1",
            "/roadmap/1/status",
            &[("status", "shipped"), ("confirm", "yes")],
        )
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

fn interview_json() -> Value {
    json!({
        "participant_name": "Lars Berg", "participant_team": "payments",
        "held_on": "2026-11-20", "quote": "Onboarding took me a week",
        "notes": "Getting a namespace took three tickets.",
        "services": ["k8s.prod"], "tags": ["onboarding", "Tickets"],
        "interviewers": [TEAM, ADMIN]
    })
}

#[tokio::test]
async fn an_interview_with_tags_and_two_interviewers_is_found_by_tag_search() {
    let app = TestApp::spawn().await;
    let api = app.api(TEAM);
    let created = api.post_json("/api/v1/interviews", &interview_json()).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let interview: Value = created.json().await.unwrap();
    assert_eq!(interview["tags"], json!(["onboarding", "tickets"]));
    assert_eq!(
        interview["interviewers"],
        json!([
            {"name": "Ada Admin", "email": ADMIN},
            {"name": "Tom Team", "email": TEAM}
        ])
    );
    let found = api.search_until("tag:onboarding", 1).await;
    assert_eq!(found["hits"][0]["kind"], "interview");
    api.search_until("kind:interview tag:tickets service:k8s.prod", 1)
        .await;

    let page = app.signed_in(TEAM).await.get_text("/interviews/1").await;
    assert!(
        page.contains("interviewed by Ada Admin, Tom Team"),
        "{page}"
    );
    assert!(page.contains("onboarding"));
    let contributor = app.api(CONTRIBUTOR);
    contributor.search_until("tag:onboarding", 0).await;
}

#[tokio::test]
async fn editing_an_interview_on_its_page_changes_its_tags_and_keeps_its_highlights() {
    let app = TestApp::spawn().await;
    let api = app.api(TEAM);
    api.post_json("/api/v1/interviews", &interview_json()).await;
    api.post_json(
        "/api/v1/interviews/1/highlights",
        &json!({"quote": "took three tickets"}),
    )
    .await;
    let team = app.signed_in(TEAM).await;
    let form = team.get_text("/interviews/1/edit").await;
    assert!(
        form.contains("onboarding, tickets"),
        "the form shows the tags"
    );
    let saved = team
        .submit(
            "/interviews/1/edit",
            "/interviews/1/edit",
            &[
                ("participant_name", "Lars Berg"),
                ("held_on", "2026-11-21"),
                ("notes", "A namespace is self-service now."),
                ("services", "ci-runner, k8s.prod"),
                ("tags", "namespaces"),
                ("interviewers", TEAM),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let interview: Value = api.get("/api/v1/interviews/1").await.json().await.unwrap();
    assert_eq!(interview["tags"], json!(["namespaces"]));
    assert_eq!(interview["services"], json!(["ci-runner", "k8s.prod"]));
    assert_eq!(interview["interviewers"].as_array().unwrap().len(), 1);
    assert_eq!(
        interview["highlights"][0]["quote"], "took three tickets",
        "a highlight keeps its quoted text"
    );
    api.search_until("tag:namespaces", 1).await;
    api.search_until("tag:onboarding", 0).await;

    let bad = team
        .submit(
            "/interviews/1/edit",
            "/interviews/1/edit",
            &[
                ("participant_name", "Lars"),
                ("held_on", "2026-11-21"),
                ("tags", "no good!"),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("tags"));
}

#[tokio::test]
async fn an_interviewer_must_be_someone_of_the_platform_team() {
    let app = TestApp::spawn().await;
    let response = app
        .api(TEAM)
        .post_json(
            "/api/v1/interviews",
            &json!({"participant_name": "Lars", "held_on": "2026-11-20", "interviewers": [CONTRIBUTOR]}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "interviewers");
}

#[tokio::test]
async fn patching_an_interview_changes_only_the_fields_sent_and_names_a_wrong_typed_field() {
    let app = TestApp::spawn().await;
    let api = app.api(TEAM);
    api.post_json("/api/v1/interviews", &interview_json()).await;
    let patched = api
        .patch_json(
            "/api/v1/interviews/1",
            &json!({"quote": "Now it takes a minute", "tags": ["self-service"]}),
        )
        .await;
    assert_eq!(patched.status(), StatusCode::OK);
    let interview: Value = patched.json().await.unwrap();
    assert_eq!(interview["quote"], "Now it takes a minute");
    assert_eq!(interview["tags"], json!(["self-service"]));
    assert_eq!(
        interview["participant_name"], "Lars Berg",
        "fields not sent are kept"
    );
    assert_eq!(interview["interviewers"].as_array().unwrap().len(), 2);

    let wrong = api
        .patch_json(
            "/api/v1/interviews/1",
            &json!({"tags": "onboarding", "held_on": 20261120}),
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.headers()["content-type"], "application/problem+json");
    let problem: Value = wrong.json().await.unwrap();
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["held_on", "tags"]);
    assert_eq!(
        api.patch_json("/api/v1/interviews/1", &json!({"held_on": "someday"}))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        api.patch_json("/api/v1/interviews/9", &json!({"quote": "x"}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}
