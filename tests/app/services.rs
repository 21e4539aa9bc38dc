//! The services catalog, reliability figures and service pages.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{CONTRIBUTOR, OTHER_CONTRIBUTOR, TEAM, TestApp, feedback_json};

async fn put(api: &crate::helpers::Api, path: &str, body: &Value) -> reqwest::Response {
    api.client
        .put(format!("{}{path}", api.base))
        .bearer_auth(&api.token)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn tools_push_reliability_figures_and_the_service_page_shows_them() {
    // The page shows the twelve months up to today: a day after the figures.
    let app = TestApp::spawn_at("2026-12-15T12:00:00Z").await;
    let team = app.api(TEAM);
    let figures = json!({"period": "2026-11", "slo_attainment": 0.9991, "error_budget_remaining": 0.42, "incidents": 3});
    let stored = put(&team, "/api/v1/services/ci-runner/reliability", &figures).await;
    assert_eq!(stored.status(), StatusCode::OK);
    let replaced = put(
        &team,
        "/api/v1/services/ci-runner/reliability",
        &json!({"period": "2026-11", "incidents": 4}),
    )
    .await;
    assert_eq!(replaced.status(), StatusCode::OK);
    put(
        &team,
        "/api/v1/services/ci-runner/reliability",
        &json!({"period": "2026-10", "slo_attainment": 0.98}),
    )
    .await;

    let history: Value = team
        .get("/api/v1/services/ci-runner/reliability")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history["items"][0]["period"], "2026-11");
    assert_eq!(history["items"][0]["incidents"], 4);
    assert_eq!(history["items"][1]["slo_attainment"], 0.98);

    app.api(CONTRIBUTOR)
        .post_json("/api/v1/feedback", &feedback_json("cold builds again"))
        .await;
    let browser = app.signed_in(CONTRIBUTOR).await;
    let page = browser.get_text("/services/ci-runner").await;
    assert!(
        page.contains("2026-10") && page.contains("98.000%"),
        "{page}"
    );
    assert!(page.contains("<svg"), "feedback volume is charted");
    assert!(page.contains("Cache misses"));
    assert!(
        browser
            .get_text("/services")
            .await
            .contains("/services/k8s.prod")
    );
}

#[tokio::test]
async fn bad_reliability_figures_are_refused_field_by_field() {
    let app = TestApp::spawn().await;
    let team = app.api(TEAM);
    let response = put(
        &team,
        "/api/v1/services/ci-runner/reliability",
        &json!({"period": "November", "slo_attainment": 99.9, "error_budget_remaining": "lots", "incidents": -2}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await.unwrap();
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "period",
            "slo_attainment",
            "incidents",
            "error_budget_remaining"
        ]
    );
    let unknown = put(
        &team,
        "/api/v1/services/mainframe/reliability",
        &json!({"period": "2026-11"}),
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let contributor = put(
        &app.api(CONTRIBUTOR),
        "/api/v1/services/ci-runner/reliability",
        &json!({"period": "2026-11"}),
    )
    .await;
    assert_eq!(contributor.status(), StatusCode::NOT_FOUND);
    let range = put(
        &team,
        "/api/v1/services/ci-runner/reliability",
        &json!({"period": "2026-13", "slo_attainment": 1.5}),
    )
    .await;
    assert_eq!(range.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_service_page_shows_a_contributor_only_their_own_items_and_no_script_links() {
    let app = TestApp::spawn().await;
    app.api(OTHER_CONTRIBUTOR)
        .post_json(
            "/api/v1/feedback",
            &json!({"service": "ci-runner", "kind": "pain", "title": "Otto private", "body": "x"}),
        )
        .await;
    app.with_db(|connection| {
        connection.execute(
            "UPDATE services SET runbook_url = 'javascript:alert(1)', dashboard_url = 'https://grafana.example/d/ci'
              WHERE slug = 'ci-runner'",
            [],
        )?;
        Ok(())
    });
    let page = app
        .signed_in(CONTRIBUTOR)
        .await
        .get_text("/services/ci-runner")
        .await;
    assert!(!page.contains("Otto private"));
    assert!(!page.contains("javascript:"));
    assert!(page.contains(r#"href="https://grafana.example/d/ci""#));
    let team_page = app
        .signed_in(TEAM)
        .await
        .get_text("/services/ci-runner")
        .await;
    assert!(team_page.contains("Otto private"));
    assert_eq!(
        app.browser().get("/services/nope").await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn the_team_edits_the_catalog_and_admins_delete_only_services_without_history() {
    let app = TestApp::spawn().await;
    let team = app.signed_in(TEAM).await;
    let edited = team
        .submit(
            "/services/ci-runner",
            "/services/ci-runner",
            &[
                ("name", "CI runners"),
                ("description", "Build agents"),
                ("owner_team", "platform"),
                ("tier", "1"),
                ("slo_percent", "99.5"),
                ("slo_window_days", "28"),
                ("runbook_url", "https://wiki.example/ci"),
                ("dashboard_url", ""),
            ],
        )
        .await;
    assert_eq!(edited.status(), StatusCode::SEE_OTHER);
    let service: Value = app
        .api(TEAM)
        .get("/api/v1/services/ci-runner")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(service["tier"], 1);
    assert!((service["slo_target"].as_f64().unwrap() - 0.995).abs() < 1e-12);
    assert_eq!(service["slo_window_days"], 28);

    let bad = team
        .submit(
            "/services/ci-runner",
            "/services/ci-runner",
            &[
                ("name", ""),
                ("tier", "7"),
                ("runbook_url", "javascript:alert(1)"),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let patched = app
        .api(TEAM)
        .client
        .patch(app.url("/api/v1/services/k8s.prod"))
        .bearer_auth(app.token_for(TEAM))
        .json(&json!({"name": "Kubernetes (prod)", "tier": 1, "slo_target": 0.9995}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::OK);

    app.api(CONTRIBUTOR)
        .post_json("/api/v1/feedback", &feedback_json("history"))
        .await;
    let admin = app.api(crate::helpers::ADMIN);
    let delete = |slug: &str| {
        let request = admin
            .client
            .delete(app.url(&format!("/api/v1/services/{slug}")))
            .bearer_auth(&admin.token);
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(
        delete("ci-runner").await,
        StatusCode::CONFLICT,
        "ci-runner has feedback"
    );
    let by_team = app
        .api(TEAM)
        .client
        .delete(app.url("/api/v1/services/k8s.prod"))
        .bearer_auth(app.token_for(TEAM))
        .send()
        .await
        .unwrap();
    assert_eq!(by_team.status(), StatusCode::FORBIDDEN);
    assert_eq!(delete("k8s.prod").await, StatusCode::NO_CONTENT);
    assert_eq!(delete("k8s.prod").await, StatusCode::NOT_FOUND);
}
