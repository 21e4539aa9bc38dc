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

/// Creates `body` as a survey, opens it and invites `emails`; returns the
/// survey id, its question ids and the mailed links as (address, token).
pub async fn open_and_invite(
    app: &TestApp,
    team: &crate::helpers::Api,
    body: Value,
    emails: &[String],
) -> (i64, Vec<i64>, Vec<(String, String)>) {
    let created = post(team, "/api/v1/surveys", body).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    let questions = created["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_i64().unwrap())
        .collect();
    let opened = post(team, &format!("/api/v1/surveys/{id}/open"), json!({})).await;
    assert_eq!(opened.status(), StatusCode::OK);
    let invited = post(
        team,
        &format!("/api/v1/surveys/{id}/invitations"),
        json!({"emails": emails}),
    )
    .await;
    assert_eq!(invited.status(), StatusCode::CREATED);
    (id, questions, app.invitation_tokens(id).await)
}

/// Answers through a link; returns the status.
pub async fn answer(app: &TestApp, token: &str, answers: Value) -> StatusCode {
    reqwest::Client::new()
        .post(app.url(&format!("/api/v1/responses/{token}")))
        .json(&json!({ "answers": answers }))
        .send()
        .await
        .unwrap()
        .status()
}

pub async fn results(team: &crate::helpers::Api, id: i64) -> Value {
    let response = team.get(&format!("/api/v1/surveys/{id}/results")).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

pub async fn close(team: &crate::helpers::Api, id: i64) {
    let closed = post(team, &format!("/api/v1/surveys/{id}/close"), json!({})).await;
    assert_eq!(closed.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_survey_is_built_answered_and_summarised_with_small_teams_hidden() {
    let app = TestApp::spawn().await;
    let emails = add_people(&app);
    let team = app.api(TEAM);
    let created: Value = post(&team, "/api/v1/surveys", survey())
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    let questions: Vec<i64> = created["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_i64().unwrap())
        .collect();
    post(&team, &format!("/api/v1/surveys/{id}/open"), json!({})).await;
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
    assert_eq!(invited["invited"].as_array().unwrap().len(), 15);
    assert!(
        !invited.to_string().contains("/respond/"),
        "the inviter never sees a personal link: {invited}"
    );
    let tokens = app.invitation_tokens(id).await;
    assert_eq!(tokens.len(), 15);

    // payments give 10 and 5, search 6 and 2, mobile 9 and 4.
    for (email, token) in &tokens {
        let (nps, csat) = if email.starts_with("payments") {
            (10, 5)
        } else if email.starts_with("search") {
            (6, 2)
        } else {
            (9, 4)
        };
        let status = answer(
            &app,
            token,
            json!([
                {"question_id": questions[0], "value": nps},
                {"question_id": questions[1], "value": csat},
                {"question_id": questions[2], "text": "faster runners"}
            ]),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    // An anonymous survey's link answers once.
    let again = answer(
        &app,
        &tokens[0].1,
        json!([{"question_id": questions[0], "value": 0}]),
    )
    .await;
    assert_eq!(again, StatusCode::CONFLICT);

    let open = results(&team, id).await;
    assert_eq!(open["invited"], 15);
    assert_eq!(open["responses"], 15);
    assert_eq!(open["response_rate"], 100.0);
    let nps = &open["questions"][0];
    // 6 + 2 promoters (payments, mobile), 7 detractors (search): (8 - 7) / 15.
    assert_eq!(nps["n"], 15);
    assert!(
        (nps["score"].as_f64().unwrap() - 100.0 / 15.0).abs() < 1e-9,
        "{nps}"
    );
    assert!(nps["ci_low"].as_f64().unwrap() < 6.7 && nps["ci_high"].as_f64().unwrap() > 6.7);
    assert_eq!(
        nps["breakdowns"],
        json!({"team": [], "others_hidden": false, "after_close": true}),
        "no team row while answers can still arrive"
    );

    close(&team, id).await;
    let closed = results(&team, id).await;
    let breakdown = &closed["questions"][0]["breakdowns"];
    let teams: Vec<&str> = breakdown["team"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["group"].as_str().unwrap())
        .collect();
    // mobile (2) is under k; payments (6) is hidden too, or mobile = the
    // total minus the rest.
    assert_eq!(teams, ["search"], "{breakdown}");
    assert_eq!(breakdown["others_hidden"], true);
    assert!(
        !closed.to_string().contains("mobile"),
        "hidden groups are not named"
    );

    // Anonymous: nothing stored says who answered.
    let (people, keys, answered_at, used): (i64, i64, i64, i64) = app.with_db(|connection| {
        Ok(connection.query_row(
            "SELECT (SELECT count(*) FROM survey_responses WHERE user_id IS NOT NULL),
                    (SELECT count(*) FROM survey_responses WHERE respondent_key IS NOT NULL),
                    (SELECT count(*) FROM survey_invitations WHERE responded_at IS NOT NULL),
                    (SELECT count(*) FROM survey_invitations WHERE used = 1)",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )?)
    });
    assert_eq!((people, keys, answered_at, used), (0, 0, 0, 15));

    let late = answer(
        &app,
        &tokens[1].1,
        json!([{"question_id": questions[0], "value": 0}]),
    )
    .await;
    assert_eq!(late, StatusCode::CONFLICT);
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
    post(
        &team,
        &format!("/api/v1/surveys/{id}/invitations"),
        json!({"emails": [emails[0]]}),
    )
    .await;
    let token = app.invitation_tokens(id).await[0].1.clone();
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
    // A named survey (answers can be edited) with a threshold of one, so
    // that the one answer's score is shown.
    let mut body = survey();
    body["anonymous"] = json!(false);
    body["threshold"] = json!(1);
    let created: Value = post(&team, "/api/v1/surveys", body)
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    let nps = created["questions"][0]["id"].as_i64().unwrap();
    let csat = created["questions"][1]["id"].as_i64().unwrap();
    let text = created["questions"][2]["id"].as_i64().unwrap();
    post(&team, &format!("/api/v1/surveys/{id}/open"), json!({})).await;
    post(
        &team,
        &format!("/api/v1/surveys/{id}/invitations"),
        json!({"emails": [emails[0]]}),
    )
    .await;
    let token = app.invitation_tokens(id).await[0].1.clone();
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
    assert!(
        missing
            .contains("&quot;How likely are you to recommend the platform?&quot; needs an answer"),
        "{missing}"
    );
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
    post(
        &team,
        &format!("/api/v1/surveys/{id}/invitations"),
        json!({"emails": emails}),
    )
    .await;
    for (_, token) in app.invitation_tokens(id).await {
        answer(&app, &token, json!([{"question_id": question, "value": 4}])).await;
    }
    close(&team, id).await;
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
    assert!(
        !csv.contains("mobile"),
        "hidden groups are not named: {csv}"
    );
    let others = csv
        .lines()
        .find(|line| line.contains("team:others"))
        .unwrap();
    assert!(
        others.ends_with("\"true\"") && others.contains(",\"\","),
        "hidden groups show no count: {others}"
    );
    assert!(
        csv.lines()
            .any(|line| line.contains("\"all\",\"15\",\"100.00\"")),
        "{csv}"
    );
}
