//! Survey series: the headline series is what the dashboard, service pages
//! and summaries chart; an ad-hoc survey never replaces its figures.

use earshot::clock::Clock;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Browser, TestApp};
use crate::surveys::{answer, close, post, results};

const TEAM: &str = "sam.rivera@halcyon.example";

/// The demo as of a fixed day: its four "Platform pulse" waves opened in
/// Q3 2025, Q4 2025, Q1 2026 and Q2 2026.
async fn demo() -> (TestApp, Browser) {
    let at = "2026-05-20T10:00:00Z".parse().unwrap();
    let app = TestApp::spawn_demo(Clock::starting_at(at)).await;
    let team = app.browser();
    team.sign_in(TEAM, earshot::seed::DEMO_PASSWORD).await;
    (app, team)
}

/// The part of `page` from `start` up to `end`.
fn between<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    let from = page
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} in {page}"));
    let rest = &page[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// What the headline figures look like: the dashboard's satisfaction
/// section, ci-runner's satisfaction on its page, and a summary preview.
async fn headline_figures(team: &Browser) -> (String, String, String) {
    let dashboard = team.get_text("/dashboard").await;
    let service = team.get_text("/services/ci-runner").await;
    let summary = team.get_text("/digests/1/preview").await;
    (
        between(&dashboard, "<h2>Satisfaction", "Discovery habit").to_owned(),
        between(&service, "<h2>Satisfaction", "</table>").to_owned(),
        summary,
    )
}

#[tokio::test]
async fn an_ad_hoc_survey_with_nine_answers_changes_no_headline_figure() {
    let (app, team) = demo().await;
    let before = headline_figures(&team).await;
    assert!(before.0.contains("Platform pulse") && before.1.contains("CSAT"));

    let api = app.api(TEAM);
    let created: Value = post(
        &api,
        "/api/v1/surveys",
        json!({"title": "CI check", "threshold": 5, "questions": [
            {"kind": "nps", "prompt": "Recommend the platform?", "required": true},
            {"kind": "csat", "prompt": "Happy with CI?", "service": "ci-runner", "required": true}
        ]}),
    )
    .await
    .json()
    .await
    .unwrap();
    let id = created["id"].as_i64().unwrap();
    let questions: Vec<i64> = created["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|question| question["id"].as_i64().unwrap())
        .collect();
    post(&api, &format!("/api/v1/surveys/{id}/open"), json!({})).await;
    let link: Value = post(&api, &format!("/api/v1/surveys/{id}/open-link"), json!({}))
        .await
        .json()
        .await
        .unwrap();
    let token = link["token"].as_str().unwrap();
    for _ in 0..9 {
        let answers = json!([
            {"question_id": questions[0], "value": 0},
            {"question_id": questions[1], "value": 1}
        ]);
        assert_eq!(answer(&app, token, answers).await, StatusCode::CREATED);
    }
    close(&api, id).await;
    // Not vacuous: the ad-hoc survey publishes a CI figure of its own.
    let own = results(&api, id).await;
    assert!(own["questions"][1]["n"].as_u64().unwrap() >= 5, "{own}");
    assert_eq!(own["questions"][1]["score"], 0.0);

    let after = headline_figures(&team).await;
    assert_eq!(after.0, before.0, "the dashboard's satisfaction");
    assert_eq!(after.1, before.1, "ci-runner's satisfaction");
    assert_eq!(after.2, before.2, "the summary");
}

#[tokio::test]
async fn a_series_chart_labels_its_waves_by_period() {
    let (_app, team) = demo().await;
    let dashboard = team.get_text("/dashboard").await;
    let chart = between(&dashboard, "NPS", "</svg>");
    let labels: Vec<usize> = ["Q3 2025", "Q4 2025", "Q1 2026", "Q2 2026"]
        .iter()
        .map(|label| {
            chart
                .find(&format!(">{label}<"))
                .unwrap_or_else(|| panic!("{label} on the NPS chart: {chart}"))
        })
        .collect();
    assert!(labels.is_sorted(), "oldest wave first: {labels:?}");
    assert!(!chart.contains(">check<") && !chart.contains(">2026-Q2<"));
}

#[tokio::test]
async fn a_wave_takes_its_series_period_once_and_is_compared_with_the_wave_before() {
    let app = TestApp::spawn_at("2026-02-10T09:00:00Z").await;
    let api = app.api(crate::helpers::TEAM);
    let made = post(
        &api,
        "/api/v1/series",
        json!({"name": "Platform pulse", "cadence": "quarterly"}),
    )
    .await;
    assert_eq!(made.status(), StatusCode::CREATED);
    let series: Value = made.json().await.unwrap();
    assert_eq!(
        series["headline"], true,
        "the first series is the headline one"
    );
    let survey = |title: &str| json!({"title": title, "questions": [{"kind": "nps", "prompt": "Recommend?"}]});
    let first: Value = post(&api, "/api/v1/surveys", survey("Pulse one"))
        .await
        .json()
        .await
        .unwrap();
    let second: Value = post(&api, "/api/v1/surveys", survey("Pulse two"))
        .await
        .json()
        .await
        .unwrap();
    let (first, second) = (
        first["id"].as_i64().unwrap(),
        second["id"].as_i64().unwrap(),
    );
    let wave = api
        .put_json(
            &format!("/api/v1/surveys/{first}/series"),
            &json!({"series": "platform pulse", "period": "2025-Q4"}),
        )
        .await;
    assert_eq!(wave.status(), StatusCode::OK);
    assert_eq!(wave.json::<Value>().await.unwrap()["label"], "Q4 2025");
    // Without a period: the quarter it opens in.
    let wave: Value = api
        .put_json(
            &format!("/api/v1/surveys/{second}/series"),
            &json!({"series": "Platform pulse"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(wave["period"], "2026-Q1");
    let stored: Value = api
        .get(&format!("/api/v1/surveys/{second}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        stored["previous_wave_id"], first,
        "compared with the wave before"
    );
    let taken = api
        .put_json(
            &format!("/api/v1/surveys/{second}/series"),
            &json!({"series": "Platform pulse", "period": "2025-Q4"}),
        )
        .await;
    assert_eq!(taken.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem = taken.text().await.unwrap();
    assert!(
        problem.contains("already has a wave for Q4 2025"),
        "{problem}"
    );
    let wrong = api
        .put_json(
            &format!("/api/v1/surveys/{second}/series"),
            &json!({"series": "Platform pulse", "period": "spring"}),
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.text().await.unwrap().contains("2026-Q1"),
        "an example of what to type"
    );
    let contributor = app.api(crate::helpers::CONTRIBUTOR);
    assert_eq!(
        contributor.get("/api/v1/series").await.status(),
        StatusCode::NOT_FOUND
    );
}
