//! Digest bench: render and deliver 10,000 satisfaction summaries to a
//! local SMTP server (aiosmtpd, a separate implementation of the protocol),
//! through the outbox and lettre's pooled transport, as `serve` does.
//!
//! Needs aiosmtpd: `pip install aiosmtpd` (or Debian's python3-aiosmtpd).
//! Run: `cargo bench --bench digests` (`DIGEST_SUBSCRIPTIONS`, default 10000).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use earshot::clock::Clock;
use earshot::db::{self, Database, digests, settings};
use earshot::domain::digest::{NewSubscription, SubscriptionDraft};
use earshot::jobs::digests::{Due, Links, enqueue_summaries, send_due};
use earshot::mail::Mailer;

fn main() {
    let subscriptions: usize = std::env::var("DIGEST_SUBSCRIPTIONS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(10_000);
    let data = tempfile::tempdir().expect("temp dir");
    let path = data.path().join("earshot.db");
    let timezones = [
        "UTC",
        "Europe/Berlin",
        "America/New_York",
        "Asia/Tokyo",
        "Europe/London",
    ];
    let secret = db::with_connection(&path, |connection| {
        earshot::seed::load(connection, Utc::now())?;
        let secret = settings::get(connection, "secret")?.expect("the seed makes the key");
        let links = Links {
            public_url: String::new(),
            secret: secret.clone(),
        };
        for index in 0..subscriptions {
            let subscription = NewSubscription::parse(&SubscriptionDraft {
                email: format!("stakeholder{index}@example.com"),
                cadence: "weekly".into(),
                weekday: "monday".into(),
                hour: "8".into(),
                timezone: timezones[index % timezones.len()].into(),
                services: Vec::new(),
                sections: Vec::new(),
            })
            .expect("a valid subscription");
            let id = digests::insert_subscription(connection, &subscription, None, Utc::now())?;
            let hash = earshot::auth::hash_token(&links.unsubscribe_token(id));
            digests::set_unsubscribe_hash(connection, id, &hash)?;
        }
        Ok(secret)
    })
    .expect("prepare the database");

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut smtp = start_aiosmtpd(port);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let (db, writer) = Database::open(&path).expect("open the database");
        let links = Links {
            public_url: "https://earshot.example".into(),
            secret,
        };
        let mailer = Mailer::new(
            Some(&format!("smtp://127.0.0.1:{port}")),
            data.path().join("mail"),
            "Earshot <earshot@example.com>",
        )
        .expect("the mailer");

        let started = Instant::now();
        let enqueued = enqueue_summaries(&db, &links, Utc::now(), Due::Now)
            .await
            .expect("enqueue");
        let rendered = started.elapsed();
        let started = Instant::now();
        let mut sent = 0;
        loop {
            let delivery = send_due(
                &db,
                &mailer,
                &links,
                Duration::from_secs(1),
                &Clock::system(),
            )
            .await
            .expect("send");
            sent += delivery.sent;
            assert_eq!(delivery.failed, 0, "a summary failed");
            if delivery.sent + delivery.retrying == 0 {
                break;
            }
        }
        let delivered = started.elapsed();
        println!(
            "digest bench: {subscriptions} subscriptions, aiosmtpd on loopback, release build"
        );
        println!(
            "rendered and enqueued {enqueued} summaries in {:.1} s ({:.0}/s)",
            rendered.as_secs_f64(),
            enqueued as f64 / rendered.as_secs_f64()
        );
        println!(
            "delivered {sent} in {:.1} s ({:.0} messages/s); all {} in {:.1} s",
            delivered.as_secs_f64(),
            sent as f64 / delivered.as_secs_f64(),
            sent,
            (rendered + delivered).as_secs_f64()
        );
        assert_eq!(sent, enqueued, "every summary was delivered");
        db.stop_writer().await;
        tokio::task::spawn_blocking(move || writer.join())
            .await
            .unwrap();
    });
    let _ = smtp.kill();
    let _ = smtp.wait();
}

fn start_aiosmtpd(port: u16) -> Child {
    let child = Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 -m aiosmtpd runs (pip install aiosmtpd)");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "aiosmtpd did not start: pip install aiosmtpd"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}
