//! Results beyond one wave: breakdowns by service and the comparison with
//! the previous wave.

use earshot::db::settings;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{add_people, answer, close, post};
use crate::helpers::{TEAM, TestApp};

/// Creates and opens a survey, invites everyone, lets each person answer
/// `answers(email, question ids)` through their mailed link, and closes
/// it; returns the survey id.
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
    post(
        &team,
        &format!("/api/v1/surveys/{id}/invitations"),
        json!({"emails": emails}),
    )
    .await;
    for (email, token) in app.invitation_tokens(id).await {
        let status = answer(app, &token, answers(&email, &questions)).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    close(&team, id).await;
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
    // The Kubernetes question is hidden, so nothing about it is shown:
    // no team breakdown, no comparison.
    let k8s_question = &results["questions"][2];
    assert_eq!(k8s_question["suppressed"], true);
    assert!(k8s_question.get("breakdowns").is_none(), "{k8s_question}");
    assert!(!results.to_string().contains("mobile"));
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

#[tokio::test]
async fn with_fewer_answers_than_k_no_score_choice_or_comment_is_shown_anywhere() {
    let app = TestApp::spawn().await;
    let emails = app.add_team_members(&[("payments", 3)]);
    let id = run_wave(
        &app,
        &emails,
        json!({"title": "Tiny", "threshold": 5, "questions": [
            {"kind": "csat", "prompt": "Happy with CI?", "service": "ci-runner"},
            {"kind": "single", "prompt": "Which runner?", "choices": ["linux", "mac"]},
            {"kind": "text", "prompt": "Anything else?"}
        ]}),
        |_, questions| {
            json!([
                {"question_id": questions[0], "value": 2},
                {"question_id": questions[1], "choices": ["mac"]},
                {"question_id": questions[2], "text": "my very own words"}
            ])
        },
    )
    .await;
    let team = app.api(TEAM);
    let results: Value = team
        .get(&format!("/api/v1/surveys/{id}/results"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        results["responses"], 0,
        "response counts too are published in steps of k"
    );
    for question in results["questions"].as_array().unwrap() {
        assert_eq!(question["suppressed"], true, "{question}");
        assert!(question["score"].is_null(), "{question}");
        assert!(question.get("choices").is_none() && question.get("answers").is_none());
    }
    let page = team
        .get(&format!("/surveys/{id}/results"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Hidden until at least 5 people"), "{page}");
    assert!(!page.contains("my very own words"));
    let csv = team
        .get(&format!("/api/v1/surveys/{id}/results.csv"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!csv.contains("0.0") && !csv.contains("mac"), "{csv}");
}
