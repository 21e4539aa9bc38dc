//! Ingest benchmark: sustained `POST /api/v1/feedback` from many concurrent
//! keep-alive clients against a release build, next to `GET /healthz` of the
//! same server in the same run. The ratio is the figure that counts, since
//! the machine is shared and noisy.
//!
//! Run: `cargo bench --bench ingest` (settings: `INGEST_SECONDS`, default 10;
//! `INGEST_CONNECTIONS`, default 64). The server and the load generator
//! share the machine; the generator is a minimal HTTP/1.1 client so that it
//! takes as little of it as possible.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use earshot::app::Application;
use earshot::config::Config;
use earshot::db::{self, people, services};
use earshot::domain::{Email, NewService, Role, ServiceDraft};
use hdrhistogram::Histogram;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Outcome {
    latencies: Histogram<u64>,
    succeeded: u64,
    failed: u64,
    elapsed: Duration,
}

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

    let (stop, server) = stop;
    let _ = stop.send(());
    server_runtime.block_on(server).unwrap().unwrap();
    let stored: i64 = db::with_connection(&data.path().join("earshot.db"), |connection| {
        Ok(connection.query_row("SELECT count(*) FROM feedback", [], |row| row.get(0))?)
    })
    .unwrap();
    let rate = |outcome: &Outcome| outcome.succeeded as f64 / outcome.elapsed.as_secs_f64();
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

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
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
        people::insert_api_token(connection, user, &hash, "bench", Utc::now())?;
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

fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Arc<Vec<u8>> {
    let mut text = format!("{method} {path} HTTP/1.1\r\nhost: bench\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
    Arc::new(text.into_bytes())
}

async fn load(
    address: SocketAddr,
    request: Arc<Vec<u8>>,
    connections: usize,
    duration: Duration,
) -> Outcome {
    let started = Instant::now();
    let deadline = started + duration;
    let workers: Vec<_> = (0..connections)
        .map(|_| tokio::spawn(connection(address, request.clone(), deadline)))
        .collect();
    let mut outcome = Outcome {
        latencies: Histogram::new(3).unwrap(),
        succeeded: 0,
        failed: 0,
        elapsed: Duration::ZERO,
    };
    for worker in workers {
        let (latencies, succeeded, failed) = worker.await.unwrap();
        outcome.latencies.add(latencies).unwrap();
        outcome.succeeded += succeeded;
        outcome.failed += failed;
    }
    outcome.elapsed = started.elapsed();
    outcome
}

/// One keep-alive connection sending `request` until `deadline`.
async fn connection(
    address: SocketAddr,
    request: Arc<Vec<u8>>,
    deadline: Instant,
) -> (Histogram<u64>, u64, u64) {
    let mut latencies = Histogram::<u64>::new(3).unwrap();
    let (mut succeeded, mut failed) = (0, 0);
    let mut stream = TcpStream::connect(address).await.expect("connect");
    stream.set_nodelay(true).unwrap();
    let mut buffer = vec![0u8; 16 * 1024];
    while Instant::now() < deadline {
        let sent = Instant::now();
        stream.write_all(&request).await.expect("send");
        let status = read_response(&mut stream, &mut buffer).await;
        latencies.record(sent.elapsed().as_micros() as u64).unwrap();
        if (200..300).contains(&status) {
            succeeded += 1;
        } else {
            failed += 1;
            eprintln!("failed request: HTTP {status}");
        }
    }
    (latencies, succeeded, failed)
}

/// Reads one response (headers and a content-length body); returns its status.
async fn read_response(stream: &mut TcpStream, buffer: &mut [u8]) -> u16 {
    let mut filled = 0;
    loop {
        let read = stream.read(&mut buffer[filled..]).await.expect("receive");
        assert!(read > 0, "the server closed the connection");
        filled += read;
        let Some(end) = find(&buffer[..filled], b"\r\n\r\n") else {
            continue;
        };
        let head = std::str::from_utf8(&buffer[..end]).expect("headers are text");
        let status: u16 = head[9..12].parse().expect("a status code");
        let length: usize = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())?
            })
            .unwrap_or(0);
        let total = end + 4 + length;
        while filled < total {
            let read = stream.read(&mut buffer[filled..]).await.expect("receive");
            assert!(read > 0, "the server closed the connection");
            filled += read;
        }
        return status;
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn report(name: &str, outcome: &Outcome) {
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
