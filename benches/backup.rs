//! Backup bench: `earshot backup` of a database holding 1,000,000 feedback
//! items while a release `earshot serve` takes submissions, against the same
//! submissions with no backup running. Reports the backup's duration and
//! size, and submission throughput, p50 and p99 before and during it.
//!
//! Run: `cargo bench --bench backup` (`BACKUP_FEEDBACK`, default 1000000;
//! `BACKUP_CONNECTIONS`, default 16; `BACKUP_DATA_DIR` keeps the generated
//! database between runs).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

#[path = "support/earshot.rs"]
mod earshot_bin;
#[path = "support/http.rs"]
mod http;

use earshot_bin::{env_or, start_server_with, token};
use http::{load, request};

/// Submissions measured with no backup running.
const BASELINE: Duration = Duration::from_secs(10);

fn main() {
    let feedback: i64 = env_or("BACKUP_FEEDBACK", 1_000_000);
    let connections: usize = env_or("BACKUP_CONNECTIONS", 16);
    let temp = tempfile::tempdir().expect("temp dir");
    let data_dir = std::env::var("BACKUP_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| temp.path().join("data"));
    prepare(&data_dir, feedback);
    let token = token(&data_dir, "priya.natarajan@halcyon.example");
    let (mut server, address) = start_server_with(&data_dir, &["--metrics-token", "bench"]);
    let client = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let body = r#"{"service":"ci-runner","kind":"pain","rating":2,"body":"Every build on ci-runner re-downloads the Gradle cache since Tuesday.","anonymous":false}"#;
    let post = request(
        "POST",
        "/api/v1/feedback",
        &[
            ("authorization", &format!("Bearer {token}")),
            ("content-type", "application/json"),
        ],
        body,
    );
    let size = std::fs::metadata(data_dir.join("earshot.db"))
        .map(|metadata| metadata.len())
        .unwrap_or_default();
    println!(
        "backup bench: {feedback} feedback items ({:.0} MB), {connections} connections submitting, release build",
        size as f64 / 1e6
    );

    // Measure once the index is checked, as in production after a start.
    client.block_on(async {
        let mut connection = http::Connection::open(address).await;
        let metrics = request("GET", "/metrics", &[("authorization", "Bearer bench")], "");
        loop {
            let (_, body) = connection.send(&metrics).await;
            if String::from_utf8_lossy(&body).contains(r#"earshot_search_state{state="ready"} 1"#) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let baseline = client.block_on(load(address, post.clone(), connections, BASELINE));
    report(
        "submissions, no backup",
        &baseline.latencies,
        baseline.succeeded,
        baseline.elapsed,
    );

    let destination = temp.path().join("backup.db");
    let started = Instant::now();
    let mut backup = Command::new(env!("CARGO_BIN_EXE_earshot"))
        .arg("--data-dir")
        .arg(&data_dir)
        .arg("backup")
        .arg(&destination)
        .spawn()
        .expect("earshot backup runs");
    let mut during = Histogram::<u64>::new(3).unwrap();
    let mut succeeded = 0;
    let mut failed = 0;
    let finished = loop {
        let round = client.block_on(load(
            address,
            post.clone(),
            connections,
            Duration::from_millis(500),
        ));
        during.add(round.latencies).unwrap();
        succeeded += round.succeeded;
        failed += round.failed;
        if let Some(status) = backup.try_wait().unwrap() {
            break status;
        }
    };
    let took = started.elapsed();
    assert!(finished.success(), "the backup failed");
    assert_eq!(failed, 0, "submissions failed during the backup");
    report("submissions during the backup", &during, succeeded, took);
    let copied = std::fs::metadata(&destination).unwrap().len();
    println!(
        "backup: {:.1} s for {:.0} MB ({:.0} MB/s), checked (quick_check) before it was renamed into place",
        took.as_secs_f64(),
        copied as f64 / 1e6,
        copied as f64 / 1e6 / took.as_secs_f64()
    );
    let _ = server.kill();
    let _ = server.wait();
}

fn report(what: &str, latencies: &Histogram<u64>, succeeded: u64, elapsed: Duration) {
    println!(
        "{what:<32} {:>8.0} req/s   p50 {:>6.2} ms   p99 {:>6.2} ms   max {:>7.2} ms",
        succeeded as f64 / elapsed.as_secs_f64(),
        latencies.value_at_quantile(0.5) as f64 / 1000.0,
        latencies.value_at_quantile(0.99) as f64 / 1000.0,
        latencies.max() as f64 / 1000.0
    );
}

/// The demo organisation plus `feedback` generated items, indexed, unless
/// `data_dir` already holds them.
fn prepare(data_dir: &Path, feedback: i64) {
    let database = data_dir.join("earshot.db");
    let generated = rusqlite::Connection::open(&database)
        .and_then(|connection| {
            connection.query_row("SELECT count(*) FROM feedback", [], |row| {
                row.get::<_, i64>(0)
            })
        })
        .unwrap_or(0);
    if generated >= feedback {
        return;
    }
    let _ = std::fs::remove_dir_all(data_dir);
    let started = Instant::now();
    let earshot = |args: &[&str]| {
        let status = Command::new(env!("CARGO_BIN_EXE_earshot"))
            .arg("--data-dir")
            .arg(data_dir)
            .args(args)
            .env("EARSHOT_LOG", "warn")
            .status()
            .expect("earshot runs");
        assert!(status.success(), "earshot {args:?} failed");
    };
    earshot(&["seed"]);
    let connection = rusqlite::Connection::open(&database).unwrap();
    connection
        .execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
             INSERT INTO feedback (service_id, kind, rating, title, body, author_id, anonymous,
                                   created_at, updated_at)
             SELECT 1 + i % (SELECT count(*) FROM services),
                    CASE i % 4 WHEN 0 THEN 'pain' WHEN 1 THEN 'idea' WHEN 2 THEN 'praise' ELSE 'question' END,
                    1 + i % 5,
                    'Report ' || i,
                    'Build ' || i || ' on the runners re-downloaded the cache; deploys took '
                        || (i % 97) || ' minutes and paged the on-call during INC-' || (i % 9973),
                    CASE WHEN i % 7 = 0 THEN NULL ELSE 1 + i % 40 END,
                    i % 7 = 0,
                    datetime('2025-12-01', '+' || (i % 360) || ' days') || '+00:00',
                    datetime('2025-12-01', '+' || (i % 360) || ' days') || '+00:00'
               FROM n",
            [feedback],
        )
        .unwrap();
    // The index is built from scratch below: these changes are in it.
    connection
        .execute("DELETE FROM search_changes", [])
        .unwrap();
    drop(connection);
    earshot(&["reindex"]);
    println!(
        "generated {feedback} feedback items and their index in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}
