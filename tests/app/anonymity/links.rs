//! Findings 5, 6, 7 and 11 (k of anonymous surveys): personal links, steps
//! and imports.

use std::time::{Duration, Instant};

use earshot::config::{Config, Secret};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Wave, csv, rate};
use crate::helpers::{TEAM, TestApp, csrf_token_in};
use crate::smtp::SmtpServer;
use crate::surveys::{answer, close, post, results};

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[tokio::test]
async fn finding_5_personal_links_of_anonymous_surveys_are_mailed_only_answer_once_and_leave_no_trace()
 {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with(|config| Config {
        smtp_url: Some(Secret(smtp.url())),
        ..config
    })
    .await;
    let emails = app.add_team_members(&[("alpha", 3)]);
    let team = app.api(TEAM);
    let created: Value = post(
        &team,
        "/api/v1/surveys",
        json!({"title": "Pulse", "threshold": 3, "questions": [
            {"kind": "nps", "prompt": "Recommend us?", "required": true},
            {"kind": "text", "prompt": "Anything else?"}
        ]}),
    )
    .await
    .json()
    .await
    .unwrap();
    let id = created["id"].as_i64().unwrap();
    post(&team, &format!("/api/v1/surveys/{id}/open"), json!({})).await;
    // The inviter sees who was invited, never a link: not in the API...
    let invited: Value = post(
        &team,
        &format!("/api/v1/surveys/{id}/invitations"),
        json!({"emails": emails[..2]}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(!invited.to_string().contains("respond"), "{invited}");
    // ...nor on the page.
    let browser = app.signed_in(TEAM).await;
    let page = browser
        .submit(
            &format!("/surveys/{id}"),
            &format!("/surveys/{id}/invitations"),
            &[("emails", &emails[2])],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("1 person was invited") && !page.contains("/respond/"),
        "{page}"
    );

    // The links went to their people, by mail, and left the outbox.
    let deadline = Instant::now() + Duration::from_secs(10);
    while smtp.messages().len() < 3 {
        assert!(Instant::now() < deadline, "the invitations were not sent");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let links: Vec<String> = smtp
        .messages()
        .iter()
        .map(|message| {
            let data = message.data.replace("=\r\n", "");
            let after = data.split("/respond/").nth(1).unwrap();
            after
                .split(|c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '-')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    let token = links[0].clone();
    let form = format!("/respond/{token}");
    let person = app.browser();
    let nps = format!("q{}", created["questions"][0]["id"]);
    let comment = format!("q{}", created["questions"][1]["id"]);
    let saved = person
        .submit(&form, &form, &[(&nps, "7"), (&comment, "zanzibar on call")])
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    assert!(!saved.text().await.unwrap().contains("Edit your answers"));
    // Afterwards the link says it was used, and shows nothing of the answers.
    let again = person.get_text(&form).await;
    assert!(again.contains("used to answer already"), "{again}");
    assert!(
        !again.contains("zanzibar") && !again.contains("checked"),
        "{again}"
    );
    assert!(again.contains("href=\"/privacy\""));
    let csrf = csrf_token_in(&person.get_text("/login").await);
    let resent = person
        .post_form(&form, &[(&nps, "0"), ("csrf", &csrf)])
        .await;
    assert_eq!(resent.status(), StatusCode::CONFLICT);
    assert!(
        resent
            .text()
            .await
            .unwrap()
            .contains("used to answer already")
    );
    assert_eq!(
        answer(
            &app,
            &token,
            json!([{"question_id": created["questions"][0]["id"], "value": 0}])
        )
        .await,
        StatusCode::CONFLICT
    );

    // Nothing stored ties the response to the invitation: no key, no hash
    // of the token, no time of use.
    let (keys, used, times): (i64, i64, i64) = app.with_db(|connection| {
        Ok(connection.query_row(
            "SELECT (SELECT count(respondent_key) FROM survey_responses),
                    (SELECT count(*) FROM survey_invitations WHERE used = 1),
                    (SELECT count(responded_at) FROM survey_invitations)",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?)
    });
    assert_eq!((keys, used, times), (0, 1, 0));

    // Once mailed, the links leave no trace in the database files (the
    // sender checkpoints the log after wiping them).
    let response_key = earshot::auth::hash_token(&format!("response:{token}"));
    let traces = || {
        let mut traces = Vec::new();
        for file in ["earshot.db", "earshot.db-wal"] {
            let bytes = std::fs::read(app.data_dir.join(file)).unwrap_or_default();
            for link in links.iter().chain([&response_key]) {
                if contains(&bytes, link) {
                    traces.push(format!("{link} in {file}"));
                }
            }
        }
        traces
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !traces().is_empty() {
        assert!(Instant::now() < deadline, "{:?}", traces());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn finding_6_published_results_move_only_in_steps_of_k_answers() {
    let app = TestApp::spawn().await;
    let emails = app.add_team_members(&[("alpha", 11)]);
    let team = app.api(TEAM);
    let wave = Wave::open(
        &app,
        json!({"title": "Pulse", "threshold": 5, "questions": [
            {"kind": "nps", "prompt": "Recommend us?", "required": true}
        ]}),
        &emails,
    )
    .await;
    let links: Vec<&str> = wave.links_of("alpha").collect();
    let question = wave.questions[0];
    let browser = app.signed_in(TEAM).await;
    let read = || async {
        (
            results(&team, wave.id).await,
            csv(&team, wave.id).await,
            browser
                .get_text(&format!("/surveys/{}/results", wave.id))
                .await,
            browser.get_text("/dashboard").await,
        )
    };
    rate(&app, links[..5].iter().copied(), question, Some(9)).await;
    let before = read().await;
    assert_eq!(before.0["questions"][0]["n"], 5);
    // Someone says they answered: nothing published moves.
    rate(&app, links[5..6].iter().copied(), question, Some(0)).await;
    let after = read().await;
    assert_eq!(before.0, after.0, "the API moved with one answer");
    assert_eq!(before.1, after.1, "the CSV moved with one answer");
    assert_eq!(before.2, after.2, "the results page moved with one answer");
    assert_eq!(before.3, after.3, "the dashboard moved with one answer");
    // Five new answers: a refresh.
    rate(&app, links[6..10].iter().copied(), question, Some(9)).await;
    let refreshed = results(&team, wave.id).await;
    assert_eq!(refreshed["questions"][0]["n"], 10);
    assert_eq!(refreshed["responses"], 10);
    // Closing just after one more answer publishes nothing new either:
    // whoever closes chooses when.
    rate(&app, links[10..].iter().copied(), question, Some(0)).await;
    close(&team, wave.id).await;
    let closed = results(&team, wave.id).await;
    assert_eq!(closed["questions"][0]["n"], 10, "{closed}");
    assert_eq!(
        closed["questions"][0]["score"],
        refreshed["questions"][0]["score"]
    );
}

#[tokio::test]
async fn finding_7_rows_are_imported_only_into_historical_waves() {
    let app = TestApp::spawn().await;
    let emails = app.add_team_members(&[("alpha", 3)]);
    let team = app.api(TEAM);
    let body = json!({"title": "Pulse", "questions": [
        {"kind": "nps", "prompt": "Recommend us?", "required": true}
    ]});
    let file = "Recommend us?,Team\n9,alpha\n9,alpha\n9,alpha\n9,alpha\n9,alpha\n"
        .as_bytes()
        .to_vec();
    let import = |id: i64| {
        let file = file.clone();
        let team = &team;
        async move {
            team.post_raw(&format!("/api/v1/surveys/{id}/import"), "text/csv", file)
                .await
                .status()
        }
    };
    let live = Wave::open(&app, body.clone(), &emails).await;
    assert_eq!(
        import(live.id).await,
        StatusCode::CONFLICT,
        "open, taking live answers"
    );
    rate(
        &app,
        live.links_of("alpha").take(1),
        live.questions[0],
        Some(0),
    )
    .await;
    assert_eq!(import(live.id).await, StatusCode::CONFLICT, "live answers");
    close(&team, live.id).await;
    assert_eq!(
        import(live.id).await,
        StatusCode::CONFLICT,
        "closed, with live answers"
    );
    let stored: i64 = app.with_db(|connection| {
        Ok(
            connection.query_row("SELECT count(*) FROM survey_responses", [], |row| {
                row.get(0)
            })?,
        )
    });
    assert_eq!(stored, 1, "nothing imported");

    let draft: Value = post(&team, "/api/v1/surveys", body)
        .await
        .json()
        .await
        .unwrap();
    let id = draft["id"].as_i64().unwrap();
    assert_eq!(import(id).await, StatusCode::CREATED);
    let historical = results(&team, id).await;
    assert_eq!(
        (
            historical["closed"].clone(),
            historical["responses"].clone()
        ),
        (json!(true), json!(5))
    );
    assert_eq!(
        post(&team, &format!("/api/v1/surveys/{id}/open"), json!({}))
            .await
            .status(),
        StatusCode::CONFLICT,
        "a historical wave takes no live answers afterwards"
    );
    assert_eq!(
        post(&team, &format!("/api/v1/surveys/{id}/open-link"), json!({}))
            .await
            .status(),
        StatusCode::CONFLICT
    );
    assert_eq!(
        post(
            &team,
            &format!("/api/v1/surveys/{id}/invitations"),
            json!({"emails": emails})
        )
        .await
        .status(),
        StatusCode::CONFLICT
    );
}

#[tokio::test]
async fn finding_11_anonymous_surveys_need_k_of_at_least_three() {
    let app = TestApp::spawn().await;
    let team = app.api(TEAM);
    for (anonymous, threshold, status) in [
        (true, 1, StatusCode::UNPROCESSABLE_ENTITY),
        (true, 2, StatusCode::UNPROCESSABLE_ENTITY),
        (true, 3, StatusCode::CREATED),
        (false, 1, StatusCode::CREATED),
    ] {
        let response = post(
            &team,
            "/api/v1/surveys",
            json!({"title": "Pulse", "anonymous": anonymous, "threshold": threshold}),
        )
        .await;
        assert_eq!(
            response.status(),
            status,
            "anonymous {anonymous}, k = {threshold}"
        );
        if status != StatusCode::CREATED {
            let problem: Value = response.json().await.unwrap();
            assert_eq!(problem["errors"][0]["field"], "threshold", "{problem}");
        }
    }
    let browser = app.signed_in(TEAM).await;
    let refused = browser
        .submit(
            "/surveys",
            "/surveys",
            &[("title", "Pulse"), ("anonymous", "on"), ("threshold", "1")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("never shows fewer than 3")
    );
}
