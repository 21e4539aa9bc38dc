//! Digest bench: render and deliver satisfaction summaries to a local SMTP
//! server (aiosmtpd, a separate implementation of the protocol, recording
//! each Message-ID it accepts), through the outbox and lettre's pooled
//! transport, as `serve` does. Then, for each number of messages in flight:
//!
//! - throughput: messages per second delivered by one sender;
//! - the window that stays at-least-once: `earshot digest send --due` is
//!   killed (`kill -9`) at random moments while it delivers, and every
//!   message the server accepted more than once is counted; per kill, that
//!   is what a crash between the server's "250 OK" and the durable "sent"
//!   costs. Each duplicate must be one the killed run had claimed.
//!
//! Needs aiosmtpd: `pip install aiosmtpd` (or Debian's python3-aiosmtpd).
//! Run: `cargo bench --bench digests` (`DIGEST_SUBSCRIPTIONS`, default
//! 10000; `DIGEST_IN_FLIGHT`, default "32,8,1"; `DIGEST_KILLS`, default 20).

#[path = "support/earshot.rs"]
mod earshot_support;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use earshot::clock::Clock;
use earshot::db::{self, Database, digests, settings};
use earshot::domain::digest::{NewSubscription, SubscriptionDraft};
use earshot::jobs::digests::{Due, enqueue_summaries};
use earshot::jobs::links::Links;
use earshot::jobs::outbox::{SendSettings, Sender};
use earshot::mail::Mailer;
use earshot_support::env_or;
use rand::Rng;

/// An aiosmtpd handler that appends the Message-ID of every message it
/// accepts to the file named by `RECORD_TO`, before answering "250 OK".
const RECORDER: &str = r#"
import os

class Recorder:
    def __init__(self):
        self.out = open(os.environ["RECORD_TO"], "a", buffering=1)

    async def handle_DATA(self, server, session, envelope):
        for line in envelope.content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                self.out.write(line.split(b":", 1)[1].strip().decode() + "\n")
                break
        return "250 OK"
"#;

/// How long a killed run's claims last before the next run takes them over.
const LEASE_SECONDS: u64 = 2;

fn main() {
    let subscriptions: usize = env_or("DIGEST_SUBSCRIPTIONS", 10_000);
    let kills: usize = env_or("DIGEST_KILLS", 20);
    let in_flight: Vec<usize> = std::env::var("DIGEST_IN_FLIGHT")
        .unwrap_or_else(|_| "32,8,1".into())
        .split(',')
        .filter_map(|value| value.trim().parse().ok())
        .collect();
    let data = tempfile::tempdir().expect("temp dir");
    let path = data.path().join("earshot.db");
    let secret = prepare(&path, subscriptions);
    let record = data.path().join("accepted.txt");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut smtp = start_aiosmtpd(data.path(), &record, port);
    let smtp_url = format!("smtp://127.0.0.1:{port}");
    let links = Links {
        public_url: "https://earshot.example".into(),
        secret,
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let enqueued = runtime.block_on(async {
        let (db, writer) = Database::open(&path).expect("open the database");
        let started = Instant::now();
        let enqueued = enqueue_summaries(&db, &links, Utc::now(), Due::Now)
            .await
            .expect("enqueue");
        let rendered = started.elapsed();
        println!(
            "digest bench: {subscriptions} subscriptions, aiosmtpd on loopback, release build"
        );
        println!(
            "rendered and enqueued {enqueued} summaries in {:.1} s ({:.0}/s)",
            rendered.as_secs_f64(),
            enqueued as f64 / rendered.as_secs_f64()
        );
        db.stop_writer().await;
        tokio::task::spawn_blocking(move || writer.join())
            .await
            .unwrap();
        enqueued
    });

    println!("\nin flight | messages | delivered in | messages/s | kills | duplicates | per kill");
    for &in_flight in &in_flight {
        // Throughput: a few seconds' worth of messages, one sender in process.
        let messages = enqueued.min(in_flight * 250).max(100);
        reset_outbox(&path, messages);
        let delivered = runtime.block_on(deliver(&path, &smtp_url, &links, in_flight));
        let rate = messages as f64 / delivered.as_secs_f64();
        // The window: the real binary, killed at random moments.
        reset_outbox(&path, enqueued);
        std::fs::write(&record, "").unwrap();
        let (killed, duplicates) = kill_runs(data.path(), &smtp_url, &record, in_flight, kills);
        println!(
            "{in_flight:>9} | {messages:>8} | {:>10.2} s | {rate:>10.0} | {killed:>5} | {duplicates:>10} | {:.2}",
            delivered.as_secs_f64(),
            duplicates as f64 / killed.max(1) as f64
        );
    }
    let _ = smtp.kill();
    let _ = smtp.wait();
}

/// The demo organisation and `subscriptions` weekly subscriptions; returns
/// the key that signs unsubscribe links.
fn prepare(path: &Path, subscriptions: usize) -> String {
    let timezones = [
        "UTC",
        "Europe/Berlin",
        "America/New_York",
        "Asia/Tokyo",
        "Europe/London",
    ];
    db::with_connection(path, |connection| {
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
    .expect("prepare the database")
}

/// Makes the first `messages` summaries pending again, as if never sent.
fn reset_outbox(path: &Path, messages: usize) {
    db::with_connection(path, |connection| {
        connection.execute(
            "UPDATE email_outbox SET status = 'sent', lease_owner = NULL, lease_expires_at = NULL",
            [],
        )?;
        connection.execute(
            "UPDATE email_outbox SET status = 'pending', attempts = 0, sent_at = NULL
              WHERE id IN (SELECT id FROM email_outbox ORDER BY id LIMIT ?1)",
            [messages as i64],
        )?;
        Ok(())
    })
    .expect("reset the outbox");
}

/// Delivers every pending message with one sender; returns how long it took.
async fn deliver(path: &Path, smtp_url: &str, links: &Links, in_flight: usize) -> Duration {
    let (db, writer) = Database::open(path).expect("open the database");
    let lease = Duration::from_secs(60);
    let mailer = Mailer::new(
        Some(smtp_url),
        path.with_file_name("mail"),
        "Earshot <earshot@example.com>",
        in_flight,
        lease,
    )
    .expect("the mailer");
    let sender = Sender::new(
        db.clone(),
        Arc::new(mailer),
        links.clone(),
        Clock::system(),
        SendSettings {
            retry: Duration::from_secs(1),
            lease,
            in_flight,
        },
    );
    let started = Instant::now();
    let delivery = sender.send_due().await.expect("send");
    let elapsed = started.elapsed();
    assert_eq!(delivery.retrying + delivery.failed, 0, "a summary failed");
    db.stop_writer().await;
    tokio::task::spawn_blocking(move || writer.join())
        .await
        .unwrap();
    elapsed
}

/// Runs `earshot digest send --due` and kills it at a random moment,
/// `kills` times, then lets one run finish. Returns the kills made and
/// the messages the SMTP server accepted more than once; checks that each
/// of those was claimed by a killed run, and that none is missing.
fn kill_runs(
    data_dir: &Path,
    smtp_url: &str,
    record: &Path,
    in_flight: usize,
    kills: usize,
) -> (usize, usize) {
    let database = data_dir.join("earshot.db");
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_earshot"))
            .arg("--data-dir")
            .arg(data_dir)
            .args(["digest", "send", "--due"])
            .env("EARSHOT_SMTP_URL", smtp_url)
            .env("EARSHOT_MAIL_IN_FLIGHT", in_flight.to_string())
            .env("EARSHOT_MAIL_LEASE_SECONDS", LEASE_SECONDS.to_string())
            .env("EARSHOT_PUBLIC_URL", "https://earshot.example")
            .env("EARSHOT_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("earshot digest send runs")
    };
    let mut in_flight_at_kill: HashSet<String> = HashSet::new();
    let mut killed = 0;
    let mut rng = rand::rng();
    while killed < kills && pending(&database) > 0 {
        let mut child = run();
        // Kill while it sends: a random moment after its first claim.
        let deadline = Instant::now() + Duration::from_secs(30);
        while claimed_by(&database, child.id()).is_empty()
            && child.try_wait().unwrap().is_none()
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(rng.random_range(0..500)));
        if child.try_wait().unwrap().is_some() {
            continue;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        killed += 1;
        in_flight_at_kill.extend(claimed_by(&database, child.id()));
    }
    // Finish: the killed runs' leases expire, and one run sends the rest.
    std::thread::sleep(Duration::from_secs(LEASE_SECONDS + 1));
    let finished = run().wait_with_output().unwrap();
    assert!(finished.status.success(), "the last run failed");
    assert_eq!(pending(&database), 0, "messages were left unsent");

    let mut accepted: BTreeMap<String, usize> = BTreeMap::new();
    for id in std::fs::read_to_string(record).unwrap().lines() {
        *accepted.entry(id.to_owned()).or_default() += 1;
    }
    let sent = sent_ids(&database);
    let missing: Vec<&String> = sent
        .iter()
        .filter(|id| !accepted.contains_key(*id))
        .collect();
    assert!(missing.is_empty(), "never delivered: {missing:?}");
    let mut duplicates = 0;
    for (id, times) in &accepted {
        if *times > 1 {
            assert!(
                in_flight_at_kill.contains(id),
                "{id} was delivered {times} times without a killed run holding it"
            );
            duplicates += times - 1;
        }
    }
    (killed, duplicates)
}

fn pending(database: &Path) -> i64 {
    rusqlite::Connection::open(database)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM email_outbox WHERE status = 'pending'",
            [],
            |row| row.get(0),
        )
        .unwrap()
}

/// Message-IDs still claimed by the (killed) process `pid`.
fn claimed_by(database: &Path, pid: u32) -> Vec<String> {
    let connection = rusqlite::Connection::open(database).unwrap();
    let mut statement = connection
        .prepare(
            "SELECT message_id FROM email_outbox
              WHERE status = 'pending' AND lease_owner LIKE 'pid ' || ?1 || ' %'",
        )
        .unwrap();
    statement
        .query_map([pid], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn sent_ids(database: &Path) -> Vec<String> {
    let connection = rusqlite::Connection::open(database).unwrap();
    let mut statement = connection
        .prepare("SELECT message_id FROM email_outbox WHERE status = 'sent'")
        .unwrap();
    statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn start_aiosmtpd(directory: &Path, record: &Path, port: u16) -> Child {
    std::fs::write(directory.join("recorder.py"), RECORDER).unwrap();
    std::fs::write(record, "").unwrap();
    let child = Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-c", "recorder.Recorder", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .env("PYTHONPATH", directory)
        .env("RECORD_TO", record)
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
