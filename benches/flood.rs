//! A sign-in flood: 500 bad sign-ins from 50 concurrent clients against
//! the release binary, while one more client asks `/healthz` in a loop and
//! the server's resident memory is sampled. Run twice: with the default
//! throttle (the flood is mostly refused with 429 before any hashing), and
//! with the throttle lifted (every attempt reaches argon2 on the bounded
//! password pool). Targets (issue 13): answers throttled, resident memory
//! under 300 MB, `/healthz` p99 under 10 ms meanwhile.
//!
//! `cargo bench --bench flood` (FLOOD_CLIENTS, FLOOD_ATTEMPTS to change the size).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

#[path = "support/earshot.rs"]
mod earshot_bin;
#[path = "support/http.rs"]
mod http;

use earshot_bin::{env_or, start_server_with};

/// Resident memory of a process, in MB.
fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|value| {
                    value
                        .trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<f64>()
                        .ok()
                })
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The CSRF token a new browser gets with the sign-in page.
async fn csrf(address: SocketAddr) -> String {
    let mut connection = http::Connection::open(address).await;
    let (status, body) = connection
        .send(&http::request("GET", "/login", &[], ""))
        .await;
    assert_eq!(status, 200);
    let page = String::from_utf8(body).expect("a page");
    let marker = r#"name="csrf" value=""#;
    let start = page.find(marker).expect("a CSRF field") + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

/// One client: `attempts` bad sign-ins on its own connection; counts statuses.
async fn attacker(address: SocketAddr, client: usize, attempts: usize) -> BTreeMap<u16, u64> {
    let token = csrf(address).await;
    let cookie = format!("earshot_csrf={token}");
    let mut connection = http::Connection::open(address).await;
    let mut statuses = BTreeMap::new();
    for attempt in 0..attempts {
        // Real demo accounts and made-up ones, spread over the clients.
        let email = if attempt % 2 == 0 {
            [
                "sam.rivera@halcyon.example",
                "ines.okafor@halcyon.example",
                "priya.natarajan@halcyon.example",
            ][client % 3]
                .to_owned()
        } else {
            format!("guess{client}.{attempt}@halcyon.example")
        };
        let body = format!("email={email}&password=wrong-password-{attempt}&csrf={token}");
        let request = http::request(
            "POST",
            "/login",
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("cookie", &cookie),
            ],
            &body,
        );
        let (status, _) = connection.send(&request).await;
        *statuses.entry(status).or_default() += 1;
    }
    statuses
}

struct Run {
    statuses: BTreeMap<u16, u64>,
    elapsed: Duration,
    health: Histogram<u64>,
    peak_rss: f64,
    rss_before: f64,
    rss_after: f64,
}

async fn flood(address: SocketAddr, pid: u32, clients: usize, attempts: usize) -> Run {
    let rss_before = rss_mb(pid);
    let done = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (done, peak) = (done.clone(), peak.clone());
        tokio::spawn(async move {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max((rss_mb(pid) * 1000.0) as u64, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    let prober = {
        let done = done.clone();
        tokio::spawn(async move {
            let mut health = Histogram::<u64>::new(3).unwrap();
            let mut connection = http::Connection::open(address).await;
            let request = http::request("GET", "/healthz", &[], "");
            while !done.load(Ordering::Relaxed) {
                let sent = Instant::now();
                let (status, _) = connection.send(&request).await;
                health.record(sent.elapsed().as_micros() as u64).unwrap();
                assert_eq!(status, 200);
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            health
        })
    };
    let started = Instant::now();
    let per_client = attempts / clients;
    let workers: Vec<_> = (0..clients)
        .map(|client| tokio::spawn(attacker(address, client, per_client)))
        .collect();
    let mut statuses = BTreeMap::new();
    for worker in workers {
        for (status, count) in worker.await.unwrap() {
            *statuses.entry(status).or_default() += count;
        }
    }
    let elapsed = started.elapsed();
    done.store(true, Ordering::Relaxed);
    let health = prober.await.unwrap();
    sampler.await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    Run {
        statuses,
        elapsed,
        health,
        peak_rss: peak.load(Ordering::Relaxed) as f64 / 1000.0,
        rss_before,
        rss_after: rss_mb(pid),
    }
}

fn report(name: &str, run: &Run) {
    let ms = |micros: u64| micros as f64 / 1000.0;
    let throttled = run.statuses.get(&429).copied().unwrap_or(0);
    let total: u64 = run.statuses.values().sum();
    println!("{name}:");
    println!(
        "  answers          {:?} (429 = throttled) in {:.1} s",
        run.statuses,
        run.elapsed.as_secs_f64()
    );
    println!("  throttled        {throttled} of {total}");
    println!(
        "  resident memory  {:.0} MB before, {:.0} MB peak, {:.0} MB after  [target: under 300 MB] {}",
        run.rss_before,
        run.peak_rss,
        run.rss_after,
        if run.peak_rss < 300.0 {
            "met"
        } else {
            "MISSED"
        }
    );
    let p99 = ms(run.health.value_at_quantile(0.99));
    println!(
        "  /healthz         p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms over {} probes  [target: p99 under 10 ms] {}",
        ms(run.health.value_at_quantile(0.5)),
        p99,
        ms(run.health.max()),
        run.health.len(),
        if p99 < 10.0 { "met" } else { "MISSED" }
    );
}

fn main() {
    let clients: usize = env_or("FLOOD_CLIENTS", 50);
    let attempts: usize = env_or("FLOOD_ATTEMPTS", 500);
    println!(
        "flood bench: {attempts} bad sign-ins from {clients} concurrent clients, release build, demo organisation"
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    for (name, arguments) in [
        ("default throttle", vec![]),
        (
            "throttle lifted (every attempt is hashed)",
            vec![
                "--sign-in-failures-per-account",
                "1000000",
                "--sign-in-failures-per-address",
                "1000000",
            ],
        ),
    ] {
        let data = tempfile::tempdir().expect("temp dir");
        let seeded = std::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
            .arg("--data-dir")
            .arg(data.path())
            .arg("seed")
            .output()
            .expect("earshot seed runs");
        assert!(seeded.status.success());
        let (mut server, address) = start_server_with(data.path(), &arguments);
        let run = runtime.block_on(flood(address, server.id(), clients, attempts));
        report(name, &run);
        let _ = server.kill();
        let _ = server.wait();
    }
}
