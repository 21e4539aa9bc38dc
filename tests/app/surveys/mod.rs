//! Surveys through the API: build, open, invite, answer, results.

mod import;
mod invitations;
mod pages;
mod results;
mod window;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{CONTRIBUTOR, TEAM, TestApp};

/// People in three teams: payments 6, search 7, mobile 2.
pub fn add_people(app: &TestApp) -> Vec<String> {
    app.add_team_members(&[("payments", 6), ("search", 7), ("mobile", 2)])
}

pub async fn post(api: &crate::helpers::Api, path: &str, body: Value) -> reqwest::Response {
    api.post_json(path, &body).await
}

pub fn survey() -> Value {
    json!({
        "title": "Platform survey Q4",
        "anonymous": true,
        "threshold": 5,
        "questions": [
            {"kind": "nps", "prompt": "How likely are you to recommend the platform?", "required": true},
            {"kind": "csat", "prompt": "How satisfied are you with CI?", "service": "ci-runner"},
            {"kind": "text", "prompt": "What should we fix first?"}
        ]
    })
}

#[tokio::test]
async fn a_survey_is_built_answered_edited_and_summarised_with_small_teams_hidden() {
    let app = TestApp::spawn().await;
    let emails = add_people(&app);
    let team = app.api(TEAM);
    let created = post(&team, "/api/v1/surveys", survey()).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    let questions: Vec<i64> = created["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        post(&team, &format!("/api/v1/surveys/{id}/open"), json!({}))
            .await
            .status(),
        StatusCode::OK
    );

    let mut all = emails.clone();
    all.push("nobody@example.com".into());
    let invited: Value = post(
        &team,
        &format!("/api/v1/surveys/{id}/invitations"),
        json!({"emails": all}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(invited["unknown"], json!(["nobody@example.com"]));
    let tokens: Vec<(String, String)> = invited["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|invitation| {
            (
                invitation["email"].as_str().unwrap().to_owned(),
                invitation["token"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(tokens.len(), 15);

    // payments give 10 and 5, search 6 and 2, mobile 9 and 4.
    let client = reqwest::Client::new();
    for (email, token) in &tokens {
        let (nps, csat) = if email.starts_with("payments") {
            (10, 5)
        } else if email.starts_with("search") {
            (6, 2)
        } else {
            (9, 4)
        };
        let response = client
            .post(app.url(&format!("/api/v1/responses/{token}")))
            .json(&json!({"answers": [
                {"question_id": questions[0], "value": nps},
                {"question_id": questions[1], "value": csat},
                {"question_id": questions[2], "text": "faster runners"}
            ]}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    // Answering again replaces: a search person changes their mind.
    let (_, search_token) = tokens
        .iter()
        .find(|(email, _)| email.starts_with("search"))
        .unwrap();
    let again = client
        .post(app.url(&format!("/api/v1/responses/{search_token}")))
        .json(&json!({"answers": [{"question_id": questions[0], "value": 10}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);

    let results: Value = team
        .get(&format!("/api/v1/surveys/{id}/results"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(results["invited"], 15);
    assert_eq!(results["responses"], 15);
    assert_eq!(results["response_rate"], 100.0);
    let nps = &results["questions"][0];
    // 6 + 1 + 2 promoters (payments, the changed mind, mobile), 6 detractors (search): (9 - 6) / 15.
    assert_eq!(nps["n"], 15);
    assert!(
        (nps["score"].as_f64().unwrap() - 20.0).abs() < 1e-9,
        "{nps}"
    );
    assert!(nps["ci_low"].as_f64().unwrap() < 20.0 && nps["ci_high"].as_f64().unwrap() > 20.0);
    let teams = nps["breakdowns"]["team"].as_array().unwrap();
    let mobile = teams
        .iter()
        .find(|group| group["group"] == "mobile")
        .unwrap();
    assert_eq!(mobile["suppressed"], true, "a group of 2 is under k = 5");
    let hidden = teams
        .iter()
        .filter(|group| group["suppressed"] == true)
        .count();
    assert_eq!(
        hidden, 2,
        "and one more, or mobile = total - the rest: {teams:?}"
    );
    let csat = &results["questions"][1];
    assert_eq!(
        csat["n"], 14,
        "the changed mind skipped the CSAT question this time"
    );

    // Anonymous: nothing stored says who answered.
    let (people_stored, marked): (i64, i64) = app.with_db(|connection| {
        Ok(connection.query_row(
            "SELECT (SELECT count(*) FROM survey_responses WHERE user_id IS NOT NULL),
                    (SELECT count(*) FROM survey_invitations WHERE responded_at IS NOT NULL)",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?)
    });
    assert_eq!((people_stored, marked), (0, 0));

    assert_eq!(
        post(&team, &format!("/api/v1/surveys/{id}/close"), json!({}))
            .await
            .status(),
        StatusCode::OK
    );
    let late = client
        .post(app.url(&format!("/api/v1/responses/{search_token}")))
        .json(&json!({"answers": [{"question_id": questions[0], "value": 0}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn bad_answers_and_forged_links_store_nothing() {
    let app = TestApp::spawn().await;
    let emails = add_people(&app);
    let team = app.api(TEAM);
    let created: Value = post(&team, "/api/v1/surveys", survey())
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    let nps = created["questions"][0]["id"].as_i64().unwrap();
    let text = created["questions"][2]["id"].as_i64().unwrap();
    let invited: Value = post(
        &team,
        &format!("/api/v1/surveys/{id}/invitations"),
        json!({"emails": [emails[0]]}),
    )
    .await
    .json()
    .await
    .unwrap();
    let token = invited["invitations"][0]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let client = reqwest::Client::new();
    let answer = |token: String, body: Value| {
        let request = client
            .post(app.url(&format!("/api/v1/responses/{token}")))
            .json(&body);
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(
        answer(
            token.clone(),
            json!({"answers": [{"question_id": nps, "value": 5}]})
        )
        .await,
        StatusCode::CONFLICT,
        "a draft takes no answers"
    );
    post(&team, &format!("/api/v1/surveys/{id}/open"), json!({})).await;
    assert_eq!(
        answer("svy_forged".into(), json!({"answers": []})).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        answer(
            token.clone(),
            json!({"answers": [{"question_id": nps, "value": 11}]})
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        answer(
            token.clone(),
            json!({"answers": [{"question_id": text, "text": "only text"}]})
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the NPS question is required"
    );
    assert_eq!(
        answer(token.clone(), json!({"answers": [{"question_id": nps, "value": 5}, {"question_id": text, "text": "x".repeat(10_000_000)}]})).await,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    let stored: i64 = app.with_db(|connection| {
        Ok(
            connection.query_row("SELECT count(*) FROM survey_responses", [], |row| {
                row.get(0)
            })?,
        )
    });
    assert_eq!(stored, 0);
    let by_contributor = post(&app.api(CONTRIBUTOR), "/api/v1/surveys", survey()).await;
    assert_eq!(by_contributor.status(), StatusCode::NOT_FOUND);
    let bad = post(
        &team,
        "/api/v1/surveys",
        json!({"title": "", "questions": [{"kind": "stars", "prompt": "?"}]}),
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn people_answer_on_a_plain_web_form_and_can_edit_their_answers() {
    let app = TestApp::spawn().await;
    let emails = add_people(&app);
    let team = app.api(TEAM);
    let created: Value = post(&team, "/api/v1/surveys", survey())
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    let nps = created["questions"][0]["id"].as_i64().unwrap();
    let csat = created["questions"][1]["id"].as_i64().unwrap();
    let text = created["questions"][2]["id"].as_i64().unwrap();
    post(&team, &format!("/api/v1/surveys/{id}/open"), json!({})).await;
    let invited: Value = post(
        &team,
        &format!("/api/v1/surveys/{id}/invitations"),
        json!({"emails": [emails[0]]}),
    )
    .await
    .json()
    .await
    .unwrap();
    let token = invited["invitations"][0]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = format!("/respond/{token}");
    let browser = app.browser();

    let form = browser.get_text(&page).await;
    assert!(form.contains("How likely are you to recommend the platform?"));
    assert!(form.contains(&format!(r#"name="q{nps}" value="10""#)));
    assert!(form.contains("Not applicable"));

    let missing = browser
        .submit(
            &page,
            &page,
            &[(&format!("q{text}"), "<b>more runners</b>")],
        )
        .await;
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let missing = missing.text().await.unwrap();
    assert!(missing.contains("needs an answer"));
    assert!(
        missing.contains("&lt;b&gt;more runners&lt;/b&gt;"),
        "what was typed is kept, escaped"
    );

    let saved = browser
        .submit(
            &page,
            &page,
            &[
                (&format!("q{nps}"), "8"),
                (&format!("q{csat}"), "na"),
                (&format!("q{text}"), "more runners"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    assert!(saved.text().await.unwrap().contains("Thank you"));
    let again = browser.get_text(&page).await;
    assert!(again.contains("You answered before"));
    assert!(
        again.contains(&format!(r#"name="q{nps}" value="8" checked"#)),
        "{again}"
    );

    let edited = browser
        .submit(&page, &page, &[(&format!("q{nps}"), "10")])
        .await;
    assert_eq!(edited.status(), StatusCode::OK);
    let results: Value = team
        .get(&format!("/api/v1/surveys/{id}/results"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(results["responses"], 1);
    assert_eq!(results["questions"][0]["score"], 100.0);

    post(&team, &format!("/api/v1/surveys/{id}/close"), json!({})).await;
    assert!(browser.get_text(&page).await.contains("takes no answers"));
    assert_eq!(
        browser.get("/respond/svy_forged").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn results_export_as_csv_without_formulas_or_suppressed_counts() {
    let app = TestApp::spawn().await;
    let emails = add_people(&app);
    let team = app.api(TEAM);
    let created: Value = post(
        &team,
        "/api/v1/surveys",
        json!({"title": "Export", "questions": [{"kind": "csat", "prompt": "=cmd|' /C calc'!A0", "required": true}]}),
    )
    .await
    .json()
    .await
    .unwrap();
    let id = created["id"].as_i64().unwrap();
    let question = created["questions"][0]["id"].as_i64().unwrap();
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
        let token = invitation["token"].as_str().unwrap();
        client
            .post(app.url(&format!("/api/v1/responses/{token}")))
            .json(&json!({"answers": [{"question_id": question, "value": 4}]}))
            .send()
            .await
            .unwrap();
    }
    let response = team.get(&format!("/api/v1/surveys/{id}/results.csv")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = response.text().await.unwrap();
    assert!(csv.starts_with("\"question_id\",\"kind\""));
    assert!(
        csv.contains("\"'=cmd|' /C calc'!A0\""),
        "the formula is neutralised: {csv}"
    );
    assert!(!csv.contains(",\"=cmd"));
    let mobile = csv
        .lines()
        .find(|line| line.contains("team:mobile"))
        .unwrap();
    assert!(
        mobile.ends_with("\"true\"") && mobile.contains(",\"\","),
        "a suppressed group shows no count: {mobile}"
    );
    assert!(
        csv.lines()
            .any(|line| line.contains("\"all\",\"15\",\"100.00\"")),
        "{csv}"
    );
}
