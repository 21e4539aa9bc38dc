//! Ingest benchmark: sustained `POST /api/v1/feedback` from many concurrent
//! keep-alive clients against a release build, next to `GET /healthz` of the
//! same server in the same run. The ratio is the figure that counts, since
//! the machine is shared and noisy.
//!
//! Run: `cargo bench --bench ingest` (settings: `INGEST_SECONDS`, default 10;
//! `INGEST_CONNECTIONS`, default 64). The server and the load generator
//! share the machine; the generator is a minimal HTTP/1.1 client so that it
//! takes as little of it as possible.

use std::time::Duration;

use chrono::Utc;
use earshot::app::Application;
use earshot::config::Config;
use earshot::db::{self, credentials, people, services};
use earshot::domain::{Email, NewService, Role, ServiceDraft};

#[path = "support/earshot.rs"]
mod earshot_bin;
#[path = "support/http.rs"]
mod http;

use earshot_bin::env_or;
use http::{load, request};

fn main() {
    let seconds: u64 = env_or("INGEST_SECONDS", 10);
    let connections: usize = env_or("INGEST_CONNECTIONS", 64);
    let data = tempfile::tempdir().expect("temp dir");
    let token = prepare(data.path());

    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("server")
        .build()
        .unwrap();
    let (address, stop) = server_runtime.block_on(async {
        let config = Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            ..Config::new(data.path())
        };
        let application = Application::build(config).await.expect("build");
        let address = application.local_addr();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(application.run_until(async {
            let _ = stopped.await;
        }));
        (address, (stop, server))
    });

    let client = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let duration = Duration::from_secs(seconds);
    println!("ingest bench: {connections} connections, {seconds} s per route, release build");

    let health = request("GET", "/healthz", &[], "");
    let trivial = client.block_on(load(address, health, connections, duration));
    report("GET /healthz", &trivial);

    let body = r#"{"service":"ci-runner","kind":"pain","rating":2,"title":"Cache misses","body":"Every build on ci-runner re-downloads the Gradle cache since Tuesday; p99 build time doubled.","anonymous":false}"#;
    let post = request(
        "POST",
        "/api/v1/feedback",
        &[
            ("authorization", &format!("Bearer {token}")),
            ("content-type", "application/json"),
        ],
        body,
    );
    let ingest = client.block_on(load(address, post, connections, duration));
    report("POST /api/v1/feedback", &ingest);

    let metrics = request("GET", "/metrics", &[], "");
    let metrics = client.block_on(async {
        let mut connection = http::Connection::open(address).await;
        String::from_utf8(connection.send(&metrics).await.1).unwrap()
    });
    let counter = |name: &str| -> f64 {
        metrics
            .lines()
            .find_map(|line| line.strip_prefix(name)?.trim().parse().ok())
            .unwrap_or(0.0)
    };
    println!(
        "group commit: {:.1} writes per transaction on average",
        counter("earshot_writer_writes_total") / counter("earshot_writer_commits_total").max(1.0)
    );

    let (stop, server) = stop;
    let _ = stop.send(());
    server_runtime.block_on(server).unwrap().unwrap();
    let stored: i64 = db::with_connection(&data.path().join("earshot.db"), |connection| {
        Ok(connection.query_row("SELECT count(*) FROM feedback", [], |row| row.get(0))?)
    })
    .unwrap();
    let rate = |outcome: &http::Outcome| outcome.succeeded as f64 / outcome.elapsed.as_secs_f64();
    println!(
        "durable rows after shutdown: {stored} (acknowledged: {})",
        ingest.succeeded
    );
    println!(
        "ratio ingest/trivial throughput: {:.2}; p99 ingest/trivial: {:.2}",
        rate(&ingest) / rate(&trivial),
        ingest.latencies.value_at_quantile(0.99) as f64
            / trivial.latencies.value_at_quantile(0.99).max(1) as f64
    );
    assert_eq!(
        stored as u64, ingest.succeeded,
        "every acknowledged write is stored"
    );
}

/// A database with one service and one contributor; returns their API token.
fn prepare(data_dir: &std::path::Path) -> String {
    let token = earshot::auth::new_token("esk_");
    let hash = earshot::auth::hash_token(&token);
    db::with_connection(&data_dir.join("earshot.db"), |connection| {
        let team = people::ensure_team(connection, "payments", "Payments")?;
        let user = people::insert_user(
            connection,
            &people::NewUser {
                email: &Email::parse("bench@example.com").unwrap(),
                name: "Bench",
                role: Role::Contributor,
                team_id: Some(team),
                password_hash: None,
            },
            Utc::now(),
        )?;
        credentials::insert_api_token(
            connection,
            &credentials::NewApiToken {
                user_id: user,
                token_hash: &hash,
                label: "bench",
                expires_at: None,
            },
            Utc::now(),
        )?;
        let service = NewService::parse(&ServiceDraft {
            slug: "ci-runner".into(),
            name: "CI runners".into(),
            ..ServiceDraft::default()
        })
        .unwrap();
        services::insert_service(connection, &service, Utc::now())?;
        Ok(())
    })
    .expect("prepare the database");
    token
}

fn report(name: &str, outcome: &http::Outcome) {
    let rate = outcome.succeeded as f64 / outcome.elapsed.as_secs_f64();
    let ms = |quantile: f64| outcome.latencies.value_at_quantile(quantile) as f64 / 1000.0;
    println!(
        "{name:<24} {rate:>9.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  p99.9 {:>6.2} ms  max {:>7.2} ms  ok {}  failed {}",
        ms(0.50),
        ms(0.99),
        ms(0.999),
        outcome.latencies.max() as f64 / 1000.0,
        outcome.succeeded,
        outcome.failed
    );
}
