//! Results beyond one wave: breakdowns by service and the comparison with
//! the previous wave.

use earshot::db::settings;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{add_people, post};
use crate::helpers::{TEAM, TestApp};

/// Creates and opens a survey, invites everyone, and lets each person
/// answer `answers(email, question ids)`; returns the survey id.
pub async fn run_wave(
    app: &TestApp,
    emails: &[String],
    survey: Value,
    answers: impl Fn(&str, &[i64]) -> Value,
) -> i64 {
    let team = app.api(TEAM);
    let created = post(&team, "/api/v1/surveys", survey).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    let questions: Vec<i64> = created["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|question| question["id"].as_i64().unwrap())
        .collect();
    post(&team, &format!("/api/v1/surveys/{id}/open"), json!({})).await;
    let invited: Value = post(
        &team,
        &format!("/api/v1/surveys/{id}/invitations"),
        json!({"emails": emails}),
    )
    .await
    .json()
    .await
    .unwrap();
    let client = reqwest::Client::new();
    for invitation in invited["invitations"].as_array().unwrap() {
        let email = invitation["email"].as_str().unwrap();
        let token = invitation["token"].as_str().unwrap();
        let response = client
            .post(app.url(&format!("/api/v1/responses/{token}")))
            .json(&json!({"answers": answers(email, &questions)}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    id
}

fn wave(title: &str, previous: Option<i64>) -> Value {
    json!({
        "title": title,
        "previous_wave": previous,
        "questions": [
            {"kind": "nps", "prompt": "How likely are you to recommend the platform?", "required": true},
            {"kind": "csat", "prompt": "How satisfied are you with CI?", "service": "ci-runner"},
            {"kind": "csat", "prompt": "How satisfied are you with Kubernetes?", "service": "k8s.prod"}
        ]
    })
}

#[tokio::test]
async fn services_rated_by_fewer_than_k_people_are_hidden_in_the_service_breakdown() {
    let app = TestApp::spawn().await;
    let emails = add_people(&app);
    let id = run_wave(&app, &emails, wave("Services", None), |email, q| {
        // Everyone rates CI; only the two mobile people rate Kubernetes.
        let mut answers = vec![
            json!({"question_id": q[0], "value": 8}),
            json!({"question_id": q[1], "value": 4}),
        ];
        if email.starts_with("mobile") {
            answers.push(json!({"question_id": q[2], "value": 1}));
        }
        Value::Array(answers)
    })
    .await;
    let results: Value = app
        .api(TEAM)
        .get(&format!("/api/v1/surveys/{id}/results"))
        .await
        .json()
        .await
        .unwrap();
    let services = results["breakdowns"]["service"].as_array().unwrap();
    let ci = services
        .iter()
        .find(|group| group["group"] == "ci-runner")
        .unwrap();
    assert_eq!(
        (ci["n"].as_i64(), ci["score"].as_f64()),
        (Some(15), Some(100.0))
    );
    assert!(ci["ci_low"].as_f64().unwrap() < 100.0);
    let k8s = services
        .iter()
        .find(|group| group["group"] == "k8s.prod")
        .unwrap();
    assert_eq!(k8s["suppressed"], true, "two people are under k = 5: {k8s}");
    assert!(k8s.get("n").is_none() && k8s.get("score").is_none());
    // The team breakdown of the Kubernetes question has one team of two: hidden too.
    let k8s_teams = &results["questions"][2]["breakdowns"]["team"];
    assert_eq!(k8s_teams, &json!([{"group": "mobile", "suppressed": true}]));
    let csv = app
        .api(TEAM)
        .get(&format!("/api/v1/surveys/{id}/results.csv"))
        .await
        .text()
        .await
        .unwrap();
    let line = csv
        .lines()
        .find(|line| line.contains("service:k8s.prod"))
        .unwrap();
    assert!(line.ends_with("\"\",\"\",\"\",\"\",\"true\""), "{line}");
}

#[tokio::test]
async fn a_wave_is_compared_with_the_previous_one_and_only_significant_changes_are_movers() {
    let app = TestApp::spawn().await;
    let emails = add_people(&app);
    app.with_db(|connection| settings::set(connection, settings::CONTACT_CAP_DAYS, "0"));
    let first = run_wave(&app, &emails, wave("Platform Q1", None), |_, q| {
        json!([
            {"question_id": q[0], "value": 8},
            {"question_id": q[1], "value": 2},
            {"question_id": q[2], "value": 4}
        ])
    })
    .await;
    let second = run_wave(
        &app,
        &emails,
        wave("Platform Q2", Some(first)),
        |email, q| {
            // CI goes from nobody satisfied to everybody; Kubernetes and NPS barely move.
            let k8s = if email == "payments0@example.com" {
                3
            } else {
                4
            };
            json!([
                {"question_id": q[0], "value": 8},
                {"question_id": q[1], "value": 5},
                {"question_id": q[2], "value": k8s}
            ])
        },
    )
    .await;
    let results: Value = app
        .api(TEAM)
        .get(&format!("/api/v1/surveys/{second}/results"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(results["previous_wave"]["survey_id"], first);
    let ci = &results["questions"][1]["previous"];
    // 0/15 → 15/15: pooled p = 0.5, SE = sqrt(0.25 · 2/15) = 0.18257, z = 5.477.
    assert_eq!(ci["delta"], 100.0);
    assert!((ci["z"].as_f64().unwrap() - 5.477).abs() < 1e-3, "{ci}");
    assert_eq!(ci["significant"], true);
    let k8s = &results["questions"][2]["previous"];
    assert_eq!(k8s["significant"], false, "{k8s}");
    let movers = results["movers"].as_array().unwrap();
    assert_eq!(movers.len(), 1, "{movers:?}");
    assert_eq!(movers[0]["service"], "ci-runner");
    let service = results["breakdowns"]["service"]
        .as_array()
        .unwrap()
        .iter()
        .find(|group| group["group"] == "ci-runner")
        .unwrap();
    assert_eq!(service["previous"]["significant"], true);
    let first_results: Value = app
        .api(TEAM)
        .get(&format!("/api/v1/surveys/{first}/results"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first_results["previous_wave"], Value::Null);
    assert_eq!(first_results["movers"], json!([]));
}
