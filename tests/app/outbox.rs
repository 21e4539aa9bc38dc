//! The outbox against a real SMTP server on loopback: any number of
//! senders at once deliver each message once.

use std::time::{Duration, Instant};

use chrono::Utc;
use earshot::config::{Config, Secret};
use earshot::db::outbox::{self, NewMessage};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;
use crate::smtp::SmtpServer;

/// Puts `count` messages in the outbox, as the product's features do.
fn enqueue(app: &TestApp, count: usize) {
    app.with_db(|connection| {
        for index in 0..count {
            let message = NewMessage {
                dedupe_key: format!("test:{index}"),
                message_id: format!("<test.{index}@earshot.test>"),
                subscription_id: None,
                period: None,
                to_address: format!("reader{index}@example.com"),
                subject: format!("Message {index}"),
                body_text: "Hello".into(),
                body_html: None,
            };
            outbox::enqueue(connection, &message, Utc::now())?;
        }
        Ok(())
    });
}

fn outbox_count(app: &TestApp, status: &str) -> i64 {
    app.with_db(|connection| {
        Ok(connection.query_row(
            "SELECT count(*) FROM email_outbox WHERE status = ?1",
            [status],
            |row| row.get(0),
        )?)
    })
}

/// The Message-IDs the server accepted, each once: a duplicate fails the test.
fn delivered_once(smtp: &SmtpServer) -> usize {
    let mut ids = std::collections::HashSet::new();
    for message in smtp.messages() {
        let id = message.header("Message-ID").expect("a Message-ID");
        assert!(ids.insert(id.clone()), "{id} was delivered twice");
    }
    ids.len()
}

#[tokio::test]
async fn the_server_and_two_cron_senders_at_once_deliver_each_message_once() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with(|config| Config {
        smtp_url: Some(Secret(smtp.url())),
        mail_poll: Duration::from_secs(1),
        ..config
    })
    .await;
    enqueue(&app, 400);
    let cron = || {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
            .env("EARSHOT_DATA_DIR", &app.data_dir)
            .env("EARSHOT_SMTP_URL", smtp.url())
            .env("EARSHOT_MAIL_IN_FLIGHT", "16")
            .args(["digest", "send", "--due"])
            .output()
    };
    let (first, second) = tokio::join!(cron(), cron());
    for run in [first.unwrap(), second.unwrap()] {
        assert!(run.status.success(), "{run:?}");
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while outbox_count(&app, "sent") < 400 {
        assert!(Instant::now() < deadline, "not everything was sent");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(delivered_once(&smtp), 400);
    assert_eq!(smtp.messages().len(), 400);
    let leases: i64 = app.with_db(|connection| {
        Ok(connection.query_row(
            "SELECT count(*) FROM email_outbox WHERE lease_owner IS NOT NULL",
            [],
            |row| row.get(0),
        )?)
    });
    assert_eq!(leases, 0, "a sent message keeps no lease");
}

#[tokio::test]
async fn new_mail_is_sent_at_once_and_not_at_the_next_poll() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with(|config| Config {
        smtp_url: Some(Secret(smtp.url())),
        mail_poll: Duration::from_secs(3600),
        ..config
    })
    .await;
    // Shipping a roadmap item that answers a contributor's feedback mails them.
    let contributor = app.api(crate::helpers::CONTRIBUTOR);
    let given = contributor
        .post_json(
            "/api/v1/feedback",
            &crate::helpers::feedback_json("The cache is cold every morning"),
        )
        .await;
    assert_eq!(given.status(), StatusCode::CREATED);
    let team = app.api(crate::helpers::TEAM);
    for (path, body) in [
        ("/api/v1/pain-points", json!({"title": "Cold caches"})),
        (
            "/api/v1/pain-points/1/evidence",
            json!({"feedback_ids": [1]}),
        ),
        (
            "/api/v1/roadmap-items",
            json!({"title": "Warm caches at night"}),
        ),
        (
            "/api/v1/roadmap-items/1/pain-points",
            json!({"pain_point_id": 1}),
        ),
        ("/api/v1/roadmap-items/1/ship", json!({})),
    ] {
        let response = team.post_json(path, &body).await;
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while smtp.messages().is_empty() {
        assert!(
            Instant::now() < deadline,
            "the message waited for the next poll"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(smtp.messages()[0].recipients, [crate::helpers::CONTRIBUTOR]);
}
