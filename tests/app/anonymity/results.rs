//! Findings 1–4 and 11 (hidden groups named): what results show.

use serde_json::{Value, json};

use super::{Wave, csv, rate};
use crate::helpers::{TEAM, TestApp};
use crate::surveys::{close, results};

fn csat(prompt: &str, service: &str) -> Value {
    json!({"kind": "csat", "prompt": prompt, "service": service})
}

fn team_rows(question: &Value) -> Vec<(String, u64)> {
    question["breakdowns"]["team"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|row| {
            (
                row["group"].as_str().unwrap().to_owned(),
                row["n"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn finding_1_not_applicable_answers_do_not_count_as_respondents() {
    let app = TestApp::spawn().await;
    let emails = app.add_team_members(&[("alpha", 5), ("beta", 9)]);
    let wave = Wave::open(
        &app,
        json!({"title": "Pulse", "threshold": 5, "questions": [
            csat("Happy with CI?", "ci-runner"),
            csat("Happy with Kubernetes?", "k8s.prod")
        ]}),
        &emails,
    )
    .await;
    let (ci, k8s) = (wave.questions[0], wave.questions[1]);
    // A team of five where four chose N/A; beta rates CI, and only one
    // person rates Kubernetes at all.
    let alpha: Vec<&str> = wave.links_of("alpha").collect();
    for (index, link) in alpha.iter().enumerate() {
        let (ci_value, k8s_value) = if index == 0 {
            (Some(1), Some(1))
        } else {
            (None, None)
        };
        let answers = json!([
            match ci_value {
                Some(v) => json!({"question_id": ci, "value": v}),
                None => json!({"question_id": ci, "not_applicable": true}),
            },
            match k8s_value {
                Some(v) => json!({"question_id": k8s, "value": v}),
                None => json!({"question_id": k8s, "not_applicable": true}),
            }
        ]);
        assert!(
            crate::surveys::answer(&app, link, answers)
                .await
                .is_success()
        );
    }
    rate(&app, wave.links_of("beta"), ci, Some(5)).await;
    let team = app.api(TEAM);
    close(&team, wave.id).await;

    let results = results(&team, wave.id).await;
    let ci_result = &results["questions"][0];
    assert_eq!(ci_result["n"], 10, "real answers only: {ci_result}");
    assert_eq!(ci_result["not_applicable"], 4);
    // alpha has one real answer: hidden, and beta with it, or alpha = 10 − 9.
    assert_eq!(team_rows(ci_result), vec![]);
    assert_eq!(ci_result["breakdowns"]["others_hidden"], true);
    // Kubernetes: five answered, one for real; nothing is shown.
    let k8s_result = &results["questions"][1];
    assert_eq!(k8s_result["suppressed"], true, "{k8s_result}");
    let k8s_service = results["breakdowns"]["service"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["group"] == "k8s.prod")
        .unwrap();
    assert_eq!(k8s_service["suppressed"], true);
    assert!(k8s_service.get("n").is_none());
    let csv = csv(&team, wave.id).await;
    for row in csv.lines().skip(1) {
        let n = row.split("\",\"").nth(4).unwrap();
        assert!(n.is_empty() || n.parse::<u32>().unwrap() >= 5, "{row}");
    }
}

#[tokio::test]
async fn finding_2_a_hidden_question_shows_nothing_about_itself_anywhere() {
    let app = TestApp::spawn().await;
    let emails = app.add_team_members(&[("alpha", 6), ("beta", 6)]);
    let body = |title: &str, previous: Option<i64>| {
        json!({"title": title, "threshold": 5, "previous_wave": previous, "questions": [
            {"kind": "nps", "prompt": "Recommend us?"},
            csat("Happy with CI?", "ci-runner")
        ]})
    };
    let team = app.api(TEAM);
    let first = Wave::open(&app, body("Q1", None), &emails).await;
    rate(
        &app,
        first.links.iter().map(|(_, link)| link.as_str()),
        first.questions[1],
        Some(1),
    )
    .await;
    close(&team, first.id).await;
    app.with_db(|connection| {
        earshot::db::settings::set(connection, earshot::db::settings::CONTACT_CAP_DAYS, "0")
    });
    let second = Wave::open(&app, body("Q2", Some(first.id)), &emails).await;
    // Everyone gives an NPS; only four rate CI, all satisfied (a big "rise").
    for (index, (_, link)) in second.links.iter().enumerate() {
        let mut answers = vec![json!({"question_id": second.questions[0], "value": 9})];
        if index < 4 {
            answers.push(json!({"question_id": second.questions[1], "value": 5}));
        }
        assert!(
            crate::surveys::answer(&app, link, Value::Array(answers))
                .await
                .is_success()
        );
    }
    close(&team, second.id).await;

    let results = results(&team, second.id).await;
    let ci = &results["questions"][1];
    assert_eq!(
        ci,
        &json!({"question_id": second.questions[1], "kind": "csat", "prompt": "Happy with CI?",
                "service": "ci-runner", "suppressed": true}),
        "no count, no team row, no comparison"
    );
    assert_eq!(results["movers"], json!([]));
    let service = &results["breakdowns"]["service"][0];
    assert_eq!(
        service,
        &json!({"question_id": second.questions[1], "kind": "csat", "group": "ci-runner", "suppressed": true})
    );
    let csv = csv(&team, second.id).await;
    let rows: Vec<&str> = csv
        .lines()
        .filter(|line| line.starts_with(&format!("\"{}\"", second.questions[1])))
        .collect();
    assert_eq!(rows.len(), 2, "{csv}");
    for row in rows {
        assert!(row.ends_with(",\"\",\"\",\"\",\"\",\"true\""), "{row}");
    }
    let page = app
        .signed_in(TEAM)
        .await
        .get_text(&format!("/surveys/{}/results", second.id))
        .await;
    assert!(!page.contains("Since the previous wave"), "{page}");
}

#[tokio::test]
async fn finding_3_a_comparison_needs_a_previous_wave_that_could_be_shown() {
    let app = TestApp::spawn().await;
    let emails = app.add_team_members(&[("alpha", 8), ("beta", 7)]);
    let body = |title: &str, previous: Option<i64>| {
        json!({"title": title, "threshold": 5, "previous_wave": previous, "questions": [
            csat("Happy with CI?", "ci-runner")
        ]})
    };
    let team = app.api(TEAM);
    let first = Wave::open(&app, body("Q1", None), &emails).await;
    // One real answer in the first wave; everyone else: not applicable.
    let links: Vec<&str> = first.links.iter().map(|(_, link)| link.as_str()).collect();
    rate(
        &app,
        links[..1].iter().copied(),
        first.questions[0],
        Some(1),
    )
    .await;
    rate(&app, links[1..].iter().copied(), first.questions[0], None).await;
    close(&team, first.id).await;
    app.with_db(|connection| {
        earshot::db::settings::set(connection, earshot::db::settings::CONTACT_CAP_DAYS, "0")
    });
    let second = Wave::open(&app, body("Q2", Some(first.id)), &emails).await;
    rate(
        &app,
        second.links.iter().map(|(_, link)| link.as_str()),
        second.questions[0],
        Some(5),
    )
    .await;
    close(&team, second.id).await;

    let results = results(&team, second.id).await;
    let ci = &results["questions"][0];
    assert_eq!(ci["n"], 15);
    assert_eq!(ci["previous"], Value::Null, "{ci}");
    assert_eq!(results["movers"], json!([]));
    assert!(
        results["breakdowns"]["service"][0]
            .get("previous")
            .is_none()
    );
}

#[tokio::test]
async fn finding_4_respondents_without_a_team_and_small_teams_cannot_be_subtracted() {
    let app = TestApp::spawn().await;
    let emails = app.add_team_members(&[("alpha", 6), ("beta", 6), ("gamma", 2)]);
    let team = app.api(TEAM);
    let wave = Wave::open(
        &app,
        json!({"title": "Pulse", "threshold": 5, "questions": [
            {"kind": "ces", "prompt": "Easy to deploy?", "required": true}
        ]}),
        &emails,
    )
    .await;
    let question = wave.questions[0];
    rate(&app, wave.links_of("alpha"), question, Some(6)).await;
    rate(&app, wave.links_of("beta"), question, Some(5)).await;
    rate(&app, wave.links_of("gamma"), question, Some(1)).await;
    // One person answers through the open link: no team.
    let open = wave.open_link(&team).await;
    rate(&app, [open.as_str()], question, Some(2)).await;
    close(&team, wave.id).await;

    let results = results(&team, wave.id).await;
    let ces = &results["questions"][0];
    let overall = ces["n"].as_u64().unwrap();
    assert_eq!(overall, 15, "{ces}");
    let shown: u64 = team_rows(ces).iter().map(|(_, n)| n).sum();
    // The response counts say how many answered without a team (the
    // question is required, so each response has a real answer).
    let without_team =
        results["responses"].as_u64().unwrap() - results["invited_responses"].as_u64().unwrap();
    assert_eq!(without_team, 1, "{results}");
    let hidden = overall - shown;
    assert!(hidden == 0 || hidden >= 5, "overall − shown = {hidden}");
    let hidden_teams = hidden - without_team;
    assert!(
        hidden_teams == 0 || hidden_teams >= 5,
        "overall − shown − without a team = {hidden_teams}: {ces}"
    );
    assert_eq!(team_rows(ces), vec![("beta".to_owned(), 6)]);
}

#[tokio::test]
async fn finding_11_hidden_groups_are_not_named() {
    let app = TestApp::spawn().await;
    let emails = app.add_team_members(&[("alpha", 6), ("beta", 6), ("gamma", 6), ("solo", 1)]);
    let team = app.api(TEAM);
    let wave = Wave::open(
        &app,
        json!({"title": "Pulse", "threshold": 5, "questions": [
            {"kind": "nps", "prompt": "Recommend us?"}
        ]}),
        &emails,
    )
    .await;
    // The one-person team answers first: its answer is in the figures.
    for team_name in ["solo", "alpha", "beta", "gamma"] {
        rate(&app, wave.links_of(team_name), wave.questions[0], Some(9)).await;
    }
    close(&team, wave.id).await;
    let results = results(&team, wave.id).await;
    assert_eq!(results["questions"][0]["n"], 15);
    let csv = csv(&team, wave.id).await;
    let page = app
        .signed_in(TEAM)
        .await
        .get_text(&format!("/surveys/{}/results", wave.id))
        .await;
    for (surface, text) in [("API", results.to_string()), ("CSV", csv), ("page", page)] {
        assert!(
            !text.contains("solo"),
            "{surface} names the one-person team, which says its person answered: {text}"
        );
    }
    assert_eq!(results["questions"][0]["breakdowns"]["others_hidden"], true);
}
