//! Opening and closing times, and the open link.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{add_people, post};
use crate::helpers::{TEAM, TestApp};

async fn open_survey(app: &TestApp, extra: Value) -> (i64, i64) {
    let team = app.api(TEAM);
    let mut body = json!({
        "title": "Pulse",
        "questions": [{"kind": "csat", "prompt": "How satisfied are you with CI?", "required": true}]
    });
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    let created: Value = post(&team, "/api/v1/surveys", body)
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    let opened = post(&team, &format!("/api/v1/surveys/{id}/open"), json!({})).await;
    assert_eq!(opened.status(), StatusCode::OK);
    (id, created["questions"][0]["id"].as_i64().unwrap())
}

async fn personal_link(app: &TestApp, id: i64, email: &str) -> String {
    post(
        &app.api(TEAM),
        &format!("/api/v1/surveys/{id}/invitations"),
        json!({"emails": [email]}),
    )
    .await;
    app.invitation_tokens(id)
        .await
        .into_iter()
        .find(|(to, _)| to == email)
        .expect("a link was mailed")
        .1
}

fn responses(app: &TestApp) -> i64 {
    app.with_db(|connection| {
        Ok(
            connection.query_row("SELECT count(*) FROM survey_responses", [], |row| {
                row.get(0)
            })?,
        )
    })
}

#[tokio::test]
async fn answering_before_the_opening_time_or_after_the_closing_time_is_refused_and_stores_nothing()
{
    let app = TestApp::spawn().await;
    let emails = add_people(&app);
    let client = reqwest::Client::new();
    for (window, expected) in [
        (
            json!({"opens_at": "2999-01-01T09:00:00Z"}),
            "opens at 2999-01-01 09:00 UTC",
        ),
        (
            json!({"closes_at": "2020-01-01T00:00:00Z"}),
            "closed at 2020-01-01 00:00 UTC",
        ),
    ] {
        let (id, question) = open_survey(&app, window).await;
        let token = personal_link(&app, id, &emails[id as usize]).await;
        let response = client
            .post(app.url(&format!("/api/v1/responses/{token}")))
            .json(&json!({"answers": [{"question_id": question, "value": 5}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CONFLICT);
        let problem: Value = response.json().await.unwrap();
        assert!(
            problem["detail"].as_str().unwrap().contains(expected),
            "{problem}"
        );
        let page = app.browser().get_text(&format!("/respond/{token}")).await;
        assert!(page.contains(expected), "the form says so too");
        assert!(!page.contains("Send answers"));
    }
    assert_eq!(responses(&app), 0);
    let bad = post(
        &app.api(TEAM),
        "/api/v1/surveys",
        json!({"title": "Backwards", "opens_at": "2025-02-01T00:00", "closes_at": "2025-01-01T00:00", "questions": []}),
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn anyone_with_the_open_link_can_answer_once_per_submission_without_a_name_or_team() {
    let app = TestApp::spawn().await;
    add_people(&app);
    // Named, with a threshold of one: every response is published at once.
    let (id, question) = open_survey(&app, json!({"anonymous": false, "threshold": 1})).await;
    let link: Value = post(
        &app.api(TEAM),
        &format!("/api/v1/surveys/{id}/open-link"),
        json!({}),
    )
    .await
    .json()
    .await
    .unwrap();
    let token = link["token"].as_str().unwrap().to_owned();
    assert!(
        link["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/respond/{token}"))
    );
    let client = reqwest::Client::new();
    for value in [5, 2] {
        let response = client
            .post(app.url(&format!("/api/v1/responses/{token}")))
            .json(&json!({"answers": [{"question_id": question, "value": value}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    // Through the web form too, without signing in.
    let browser = app.browser();
    let page = format!("/respond/{token}");
    assert!(
        browser
            .get_text(&page)
            .await
            .contains("without your name or team")
    );
    let saved = browser
        .submit(&page, &page, &[(&format!("q{question}"), "4")])
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    assert!(!saved.text().await.unwrap().contains("Edit your answers"));
    let (count, with_person_or_team): (i64, i64) = app.with_db(|connection| {
        Ok(connection.query_row(
            "SELECT count(*), count(user_id) + count(team_id) FROM survey_responses",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?)
    });
    assert_eq!((count, with_person_or_team), (3, 0));
    // One invitee answers: open-link answers count in the results but not
    // in the response rate, which is about those invited.
    let personal = personal_link(&app, id, "payments0@example.com").await;
    client
        .post(app.url(&format!("/api/v1/responses/{personal}")))
        .json(&json!({"answers": [{"question_id": question, "value": 4}]}))
        .send()
        .await
        .unwrap();
    let results: Value = app
        .api(TEAM)
        .get(&format!("/api/v1/surveys/{id}/results"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            &results["responses"],
            &results["invited_responses"],
            &results["invited"],
            &results["response_rate"]
        ),
        (&json!(4), &json!(1), &json!(1), &json!(100.0)),
        "{results}"
    );
    // A new link replaces the old one.
    post(
        &app.api(TEAM),
        &format!("/api/v1/surveys/{id}/open-link"),
        json!({}),
    )
    .await;
    let stale = client
        .post(app.url(&format!("/api/v1/responses/{token}")))
        .json(&json!({"answers": [{"question_id": question, "value": 5}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::NOT_FOUND);
}
