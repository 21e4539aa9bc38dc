//! The crash loop: the real binary killed with `kill -9` at random moments,
//! again and again, while writers post feedback over HTTP and cron senders
//! deliver mail beside it to a real SMTP server on loopback. Afterwards
//! every acknowledged submission is there, the database is intact, the
//! index holds what the database holds, and no message was lost or sent
//! twice by two senders (a message may arrive twice only if a killed
//! sender held it: the window between the server's "250 OK" and the
//! durable "sent", which this test measures).
//!
//! It takes about a minute, so plain `cargo test` leaves it out; `.ci/run`
//! runs it: `cargo test --test app -- --ignored crash_loop`.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use earshot::db::outbox::{self, NewMessage};
use rand::Rng;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::process::{Child, Command};

use crate::smtp::SmtpServer;

const KILLS: usize = 24;
const WRITERS: usize = 6;
/// A killed sender's messages are taken over after this.
const LEASE_SECONDS: &str = "3";

struct Setup {
    data_dir: PathBuf,
    address: String,
    smtp_url: String,
    log: PathBuf,
}

impl Setup {
    fn earshot(&self) -> Command {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_earshot"));
        command
            .env("EARSHOT_DATA_DIR", &self.data_dir)
            .env("EARSHOT_SMTP_URL", &self.smtp_url)
            .env("EARSHOT_MAIL_LEASE_SECONDS", LEASE_SECONDS)
            .env("EARSHOT_MAIL_RETRY_SECONDS", "0")
            .env("EARSHOT_MAIL_POLL_SECONDS", "1")
            .env("EARSHOT_LOG", "earshot=warn")
            .stdout(Stdio::null())
            .stderr(log)
            .kill_on_drop(true);
        command
    }

    async fn serve(&self) -> Child {
        let server = self
            .earshot()
            .args(["serve", "--listen", &self.address])
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(response) = reqwest::get(format!("http://{}/readyz", self.address)).await
                && response.status() == StatusCode::OK
            {
                return server;
            }
            assert!(Instant::now() < deadline, "the server did not come back");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Message-IDs still claimed by the killed process `pid`.
    fn claimed_by(&self, pid: u32) -> Vec<String> {
        let connection = rusqlite::Connection::open(self.data_dir.join("earshot.db")).unwrap();
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
}

/// Kills `child` with SIGKILL and returns its pid, or `None` if it had
/// already finished.
async fn kill_9(child: &mut Child) -> Option<u32> {
    if child.try_wait().unwrap().is_some() {
        return None;
    }
    let pid = child.id()?;
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    Some(pid)
}

fn count(data_dir: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open(data_dir.join("earshot.db"))
        .unwrap()
        .query_row(sql, [], |row| row.get(0))
        .unwrap()
}

/// Enqueues `count` messages from a process of its own, as another
/// Earshot process would.
fn enqueue(connection: &mut rusqlite::Connection, first: usize, count: usize) {
    let transaction = connection
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    for index in first..first + count {
        let message = NewMessage {
            dedupe_key: format!("crash:{index}"),
            message_id: format!("<crash.{index}@earshot.test>"),
            subscription_id: None,
            period: None,
            to_address: format!("reader{index}@example.com"),
            subject: format!("Message {index}"),
            body_text: "Hello".into(),
            body_html: None,
        };
        outbox::enqueue(&transaction, &message, Utc::now()).unwrap();
    }
    transaction.commit().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "about a minute: run by .ci/run (cargo test --test app -- --ignored crash_loop)"]
async fn crash_loop_kill_9_loses_no_acknowledged_write_and_sends_no_message_twice() {
    let temp = tempfile::tempdir().unwrap();
    let data_dir = temp.path().join("data");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
            .arg("--data-dir")
            .arg(&data_dir)
            .args(args)
            .output()
            .unwrap()
    };
    assert!(run(&["seed"]).status.success());
    let token = String::from_utf8(
        run(&[
            "token",
            "create",
            "--email",
            "priya.natarajan@halcyon.example",
        ])
        .stdout,
    )
    .unwrap()
    .trim()
    .to_owned();
    let smtp = SmtpServer::start().await;
    let address = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .to_string();
    let setup = Arc::new(Setup {
        data_dir: data_dir.clone(),
        address,
        smtp_url: smtp.url(),
        log: temp.path().join("earshot.log"),
    });
    let stop = Arc::new(AtomicBool::new(false));

    // Writers: every 201 is an acknowledged submission that must survive.
    let acknowledged = Arc::new(Mutex::new(Vec::<(i64, String)>::new()));
    let server_errors = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut writers = Vec::new();
    for writer in 0..WRITERS {
        let (setup, stop, token) = (Arc::clone(&setup), Arc::clone(&stop), token.clone());
        let (acknowledged, server_errors) = (Arc::clone(&acknowledged), Arc::clone(&server_errors));
        writers.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap();
            let mut number = 0;
            while !stop.load(Ordering::Relaxed) {
                number += 1;
                let body = format!("crash loop {writer}-{number}");
                let sent = client
                    .post(format!("http://{}/api/v1/feedback", setup.address))
                    .bearer_auth(&token)
                    .json(&json!({"service": "ci-runner", "kind": "pain", "body": body}))
                    .send()
                    .await;
                match sent {
                    Ok(response) if response.status() == StatusCode::CREATED => {
                        if let Ok(item) = response.json::<Value>().await
                            && let Some(id) = item["id"].as_i64()
                        {
                            acknowledged.lock().unwrap().push((id, body));
                        }
                    }
                    Ok(response) if response.status().is_server_error() => {
                        let status = response.status();
                        let detail = response.text().await.unwrap_or_default();
                        server_errors
                            .lock()
                            .unwrap()
                            .push(format!("{status}: {detail}"));
                    }
                    Ok(response) => panic!("a write answered {}", response.status()),
                    // The server is down (killed): try again.
                    Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                }
            }
        }));
    }

    // Mail: enqueued all along by a process of its own.
    let enqueued = Arc::new(Mutex::new(0usize));
    let enqueuer = {
        let (stop, data_dir, enqueued) =
            (Arc::clone(&stop), data_dir.clone(), Arc::clone(&enqueued));
        tokio::task::spawn_blocking(move || {
            let mut connection = rusqlite::Connection::open(data_dir.join("earshot.db")).unwrap();
            while !stop.load(Ordering::Relaxed) {
                let first = *enqueued.lock().unwrap();
                enqueue(&mut connection, first, 10);
                *enqueued.lock().unwrap() += 10;
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };

    // Cron senders beside the server, every third one killed mid-run.
    let killed_claims = Arc::new(Mutex::new(Vec::<(u32, Vec<String>)>::new()));
    let cron = {
        let (setup, stop, killed_claims) = (
            Arc::clone(&setup),
            Arc::clone(&stop),
            Arc::clone(&killed_claims),
        );
        tokio::spawn(async move {
            let mut runs = 0;
            while !stop.load(Ordering::Relaxed) {
                runs += 1;
                let mut child = setup
                    .earshot()
                    .args(["digest", "send", "--due"])
                    .spawn()
                    .unwrap();
                if runs % 3 == 0 {
                    let pause = rand::rng().random_range(100..600);
                    tokio::time::sleep(Duration::from_millis(pause)).await;
                    if let Some(pid) = kill_9(&mut child).await {
                        let claims = setup.claimed_by(pid);
                        killed_claims.lock().unwrap().push((pid, claims));
                    }
                } else {
                    child.wait().await.unwrap();
                }
            }
        })
    };

    // The server, killed again and again.
    let started = Instant::now();
    for _ in 0..KILLS {
        let mut server = setup.serve().await;
        let up = rand::rng().random_range(300..1500);
        tokio::time::sleep(Duration::from_millis(up)).await;
        let pid = kill_9(&mut server).await.expect("the server was running");
        let claims = setup.claimed_by(pid);
        killed_claims.lock().unwrap().push((pid, claims));
    }
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }
    enqueuer.await.unwrap();
    cron.await.unwrap();
    let looped = started.elapsed();

    // A last clean start: it catches up, then every message goes out once
    // the killed senders' leases expire.
    let mut server = setup.serve().await;
    let total = *enqueued.lock().unwrap() as i64;
    let deadline = Instant::now() + Duration::from_secs(120);
    let sent_sql =
        "SELECT count(*) FROM email_outbox WHERE status = 'sent' AND dedupe_key LIKE 'crash:%'";
    while count(&data_dir, sent_sql) < total {
        assert!(
            Instant::now() < deadline,
            "mail was left unsent: {}",
            std::fs::read_to_string(&setup.log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let api = crate::helpers::Api {
        base: format!("http://{}", setup.address),
        token: token.clone(),
        client: reqwest::Client::new(),
    };
    let written = count(
        &data_dir,
        "SELECT count(*) FROM feedback WHERE body LIKE 'crash loop %'",
    );
    api.search_until("crash loop", written as u64).await;
    let pid = server.id().unwrap().to_string();
    let terminated = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap();
    assert!(terminated.success());
    assert!(server.wait().await.unwrap().success());

    // Every acknowledged submission is there, as acknowledged.
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 100,
        "too few writes: {}",
        acknowledged.len()
    );
    let connection = rusqlite::Connection::open(data_dir.join("earshot.db")).unwrap();
    for (id, body) in &acknowledged {
        let stored: Option<String> = connection
            .query_row("SELECT body FROM feedback WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .ok();
        assert_eq!(
            stored.as_deref(),
            Some(body.as_str()),
            "acknowledged #{id} was lost"
        );
    }
    let server_errors = server_errors.lock().unwrap().clone();
    assert!(server_errors.is_empty(), "5xx answers: {server_errors:?}");

    // Integrity, the index against the database, and no lease left behind.
    let check = run(&["check"]);
    let report = String::from_utf8_lossy(&check.stdout).into_owned();
    assert!(
        check.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    for line in [
        "ok       database integrity",
        "ok       the index holds what the database has",
        "sampled things are indexed as the database has them",
        "no lease left by a dead sender",
    ] {
        assert!(report.contains(line), "{report}");
    }

    // Mail: none lost; a duplicate only of what a killed sender held.
    let mut accepted: BTreeMap<String, usize> = BTreeMap::new();
    for message in smtp.messages() {
        *accepted
            .entry(message.header("Message-ID").unwrap())
            .or_default() += 1;
    }
    for index in 0..total {
        assert!(
            accepted.contains_key(&format!("<crash.{index}@earshot.test>")),
            "message {index} was never delivered"
        );
    }
    let killed_claims = killed_claims.lock().unwrap().clone();
    let held: HashSet<&String> = killed_claims
        .iter()
        .flat_map(|(_, claims)| claims)
        .collect();
    let mut duplicates = 0;
    for (id, times) in &accepted {
        if *times > 1 {
            assert!(
                held.contains(id),
                "{id} was sent {times} times by live senders"
            );
            duplicates += times - 1;
        }
    }
    let kills = killed_claims.len();
    println!(
        "crash loop: {kills} kills (server {KILLS}, cron {}) in {:.0} s; {} acknowledged writes; \
         {total} messages, {duplicates} duplicates ({:.2} per kill), each held by a killed sender",
        kills - KILLS,
        looped.as_secs_f64(),
        acknowledged.len(),
        duplicates as f64 / kills as f64
    );
}
