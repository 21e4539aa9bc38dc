//! Invitations go through the email outbox: one message per invitee with
//! their personal link, once, shown to nobody else, and the link leaves the
//! database once sent.

use std::time::{Duration, Instant};

use earshot::config::{Config, Secret};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{add_people, post, survey};
use crate::helpers::{TEAM, TestApp};
use crate::smtp::SmtpServer;

fn outbox(app: &TestApp) -> Vec<(String, String, String, String)> {
    app.with_db(|connection| {
        let mut statement = connection.prepare(
            "SELECT to_address, message_id, body_text, status FROM email_outbox
              WHERE dedupe_key LIKE 'survey-invitation:%' ORDER BY to_address",
        )?;
        let rows = statement
            .query_map([], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    })
}

#[tokio::test]
async fn inviting_a_team_and_a_person_mails_each_their_own_link_once_through_the_outbox() {
    let smtp = SmtpServer::start().await;
    // New mail wakes the sender at once: nothing waits for its hourly look.
    let app = TestApp::spawn_with(|config| Config {
        smtp_url: Some(Secret(smtp.url())),
        mail_poll: Duration::from_secs(3600),
        ..config
    })
    .await;
    add_people(&app);
    let team = app.api(TEAM);
    let created: Value = post(&team, "/api/v1/surveys", survey())
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    post(&team, &format!("/api/v1/surveys/{id}/open"), json!({})).await;
    let invite =
        json!({"teams": ["mobile"], "emails": ["payments0@example.com", "mobile1@example.com"]});
    let response = post(
        &team,
        &format!("/api/v1/surveys/{id}/invitations"),
        invite.clone(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let invited: Value = response.json().await.unwrap();
    let links = [
        "mobile0@example.com",
        "mobile1@example.com",
        "payments0@example.com",
    ];
    assert_eq!(
        invited["invited"],
        json!(links),
        "mobile0, mobile1 (once) and payments0, without their links: {invited}"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while smtp.messages().len() < 3 || outbox(&app).iter().any(|row| row.3 != "sent") {
        assert!(
            Instant::now() < deadline,
            "the invitations were not sent at once"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let queued = outbox(&app);
    assert_eq!(queued.len(), 3);
    let received = smtp.messages();
    assert_eq!(received.len(), 3);
    let mut tokens = Vec::new();
    for ((to, message_id, _, _), email) in queued.iter().zip(links) {
        assert_eq!(to, email);
        assert!(
            message_id.starts_with(&format!("<survey-invitation.{id}.")),
            "{message_id}"
        );
        let message = received
            .iter()
            .find(|message| message.recipients.iter().any(|to| to == email))
            .unwrap();
        let data = message.data.replace("=\r\n", "");
        let token = data
            .split("/respond/")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .expect("the message carries a link");
        tokens.push(token.to_owned());
        assert!(
            message
                .header("Message-ID")
                .unwrap()
                .starts_with("<survey-invitation.")
        );
    }
    tokens.sort();
    tokens.dedup();
    assert_eq!(tokens.len(), 3, "each message carries its own link");
    // Sent: the outbox no longer holds the links.
    for (_, _, body, status) in outbox(&app) {
        assert_eq!(status, "sent");
        assert!(!body.contains("/respond/svy_"), "{body}");
    }
    // Inviting again sends nothing new, and neither does a cron run.
    let again: Value = post(&team, &format!("/api/v1/surveys/{id}/invitations"), invite)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["invited"], json!([]));
    assert_eq!(again["already_invited"].as_array().unwrap().len(), 3);
    assert_eq!(outbox(&app).len(), 3);
    let twice = tokio::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
        .env("EARSHOT_DATA_DIR", &app.data_dir)
        .env("EARSHOT_SMTP_URL", smtp.url())
        .args(["digest", "send", "--due"])
        .output()
        .await
        .unwrap();
    assert!(twice.status.success());
    assert_eq!(smtp.messages().len(), 3);
}

#[tokio::test]
async fn inviting_an_unknown_team_or_a_bad_address_is_refused_and_mails_nobody() {
    let app = TestApp::spawn().await;
    add_people(&app);
    let team = app.api(TEAM);
    let created: Value = post(&team, "/api/v1/surveys", survey())
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    for body in [
        json!({"teams": ["nowhere"], "emails": ["payments0@example.com"]}),
        json!({"emails": ["not an address"]}),
        json!({}),
    ] {
        let response = post(&team, &format!("/api/v1/surveys/{id}/invitations"), body).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert!(outbox(&app).is_empty());
}
