//! Search benchmark: a generated corpus of realistic feedback (1,000,000
//! documents by default), the same query mix run over HTTP against Earshot
//! (a release build, in its own process) and in-process against SQLite FTS5
//! built on the identical rows, all in one run.
//!
//! Reports per query class p50/p99, the index size, the full rebuild time
//! (`earshot reindex`, with its progress bar), the server's peak memory,
//! search throughput under concurrency, and freshness (time from an
//! acknowledged write to a search that finds it) while 1,000 writes per
//! second arrive.
//!
//! Run: `cargo bench --bench search` (`SEARCH_DOCS=100000` for a quicker
//! run; `SEARCH_ROUNDS`, default 300, queries per class). While tuning:
//! `SEARCH_DATA_DIR=/tmp/search-1m` keeps the generated corpus (and the
//! FTS5 table) for the next run, and `SEARCH_QUICK=1` times only Earshot's
//! query mix.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Duration as Days, Utc};
use earshot::db::{self, feedback, people, services};
use earshot::domain::{
    Email, FeedbackKind, NewFeedback, NewService, Rating, Role, ServiceDraft, ServiceSlug,
};
use hdrhistogram::Histogram;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

#[path = "support/earshot.rs"]
mod earshot_bin;
#[path = "support/http.rs"]
mod http;

use earshot_bin::{env_or, start_server};

/// The query mix: (class, Earshot query, FTS5 MATCH expression or none).
const QUERIES: &[(&str, &str, Option<&str>)] = &[
    ("rare term", "INC-4711", Some("\"inc 4711\"")),
    ("common term", "cache", Some("cache")),
    ("two-word AND", "cache build", Some("cache build")),
    ("OR", "pagerduty OR grafana", Some("pagerduty OR grafana")),
    ("phrase", "\"cache miss\"", Some("\"cache miss\"")),
    (
        "phrase, two common words",
        "\"the build\"",
        Some("\"the build\""),
    ),
    ("filtered", "latency service:alerting rating:<3", None),
    ("fuzzy (typo)", "flakey", None),
];

fn main() {
    let documents: u64 = env_or("SEARCH_DOCS", 1_000_000);
    let rounds: usize = env_or("SEARCH_ROUNDS", 300);
    let quick = std::env::var_os("SEARCH_QUICK").is_some();
    let data = tempfile::tempdir().expect("temp dir");
    let kept = std::env::var_os("SEARCH_DATA_DIR").map(std::path::PathBuf::from);
    let data_dir = kept.as_deref().unwrap_or(data.path());
    println!("search bench: {documents} documents, {rounds} queries per class, release build");

    if data_dir.join("earshot.db").exists() {
        println!("reusing the corpus in {}", data_dir.display());
    } else {
        std::fs::create_dir_all(data_dir).expect("create the data dir");
        let started = Instant::now();
        generate(data_dir, documents);
        println!(
            "generated the corpus in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }

    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_earshot"))
        .arg("--data-dir")
        .arg(data_dir)
        .arg("reindex")
        .stdout(Stdio::null())
        .status()
        .expect("earshot reindex runs");
    assert!(status.success());
    let rebuild = started.elapsed();
    println!(
        "full rebuild (earshot reindex): {:.1} s; index size {:.0} MB",
        rebuild.as_secs_f64(),
        directory_size(&data_dir.join("index")) as f64 / 1e6
    );

    let token = earshot_bin::token(data_dir, "bench.team@example.com");
    let (mut server, address) = start_server(data_dir);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let authorization = format!("Bearer {token}");

    println!(
        "\n{:<28} {:>10} {:>10} {:>10} {:>10} {:>9}",
        "query (over HTTP)", "hits", "p50 ms", "p99 ms", "FTS5 p50", "FTS5 p99"
    );
    let fts = (!quick).then(|| build_fts5(data_dir));
    let mut common_ratio = None;
    let mut mix = Histogram::<u64>::new(3).unwrap();
    for (class, query, fts_match) in QUERIES {
        let (total, latencies) =
            runtime.block_on(time_queries(address, &authorization, query, rounds));
        if !class.starts_with("phrase, two common") {
            mix.add(&latencies).unwrap();
        }
        let fts_latencies = fts
            .as_ref()
            .zip(*fts_match)
            .map(|(fts, expression)| time_fts5(fts, expression, rounds));
        let ms = |histogram: &Histogram<u64>, quantile: f64| {
            histogram.value_at_quantile(quantile) as f64 / 1000.0
        };
        let (fts_p50, fts_p99) = fts_latencies
            .as_ref()
            .map(|histogram| {
                (
                    format!("{:.2}", ms(histogram, 0.5)),
                    format!("{:.2}", ms(histogram, 0.99)),
                )
            })
            .unwrap_or(("n/a".into(), "n/a".into()));
        println!(
            "{class:<28} {total:>10} {:>10.2} {:>10.2} {fts_p50:>10} {fts_p99:>9}",
            ms(&latencies, 0.5),
            ms(&latencies, 0.99)
        );
        if *class == "common term"
            && let Some(fts) = &fts_latencies
        {
            common_ratio = Some(
                fts.value_at_quantile(0.5) as f64 / latencies.value_at_quantile(0.5).max(1) as f64,
            );
        }
    }
    println!(
        "the mix (every class but the phrase of two common words): p50 {:.2} ms, p99 {:.2} ms",
        mix.value_at_quantile(0.5) as f64 / 1000.0,
        mix.value_at_quantile(0.99) as f64 / 1000.0
    );
    if let Some(ratio) = common_ratio {
        println!("common term: Earshot over HTTP is {ratio:.0}x faster than FTS5 in-process (p50)");
    }
    if quick {
        let _ = server.kill();
        let _ = server.wait();
        return;
    }

    let throughput = runtime.block_on(async {
        let request = http::request(
            "GET",
            "/api/v1/search?q=cache+build&limit=10",
            &[("authorization", &authorization)],
            "",
        );
        http::load(address, request, 8, Duration::from_secs(5)).await
    });
    println!(
        "\nthroughput, two-word AND, 8 connections: {:.0} searches/s, p99 {:.2} ms",
        throughput.succeeded as f64 / throughput.elapsed.as_secs_f64(),
        throughput.latencies.value_at_quantile(0.99) as f64 / 1000.0
    );

    let freshness = runtime.block_on(freshness_under_load(address, &authorization));
    println!(
        "freshness at 1,000 writes/s: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms over {} probes",
        freshness.value_at_quantile(0.5) as f64 / 1000.0,
        freshness.value_at_quantile(0.99) as f64 / 1000.0,
        freshness.max() as f64 / 1000.0,
        freshness.len()
    );

    println!(
        "server peak memory (VmHWM): {:.0} MB",
        peak_memory_kb(server.id()) as f64 / 1024.0
    );
    let _ = server.kill();
    let _ = server.wait();
}

/// Sentences and titles people really wrote (the seed data), recombined.
fn vocabulary() -> (Vec<String>, Vec<String>) {
    let items: Vec<Value> =
        serde_json::from_str(include_str!("../seed-data/feedback.json")).expect("seed feedback");
    let mut sentences = Vec::new();
    let mut titles = Vec::new();
    for item in &items {
        if let Some(title) = item["title"].as_str() {
            titles.push(title.to_owned());
        }
        let body = item["body"].as_str().unwrap_or_default();
        sentences.extend(
            body.split_inclusive(['.', '!', '?'])
                .map(str::trim)
                .filter(|sentence| sentence.len() > 12)
                .map(str::to_owned),
        );
    }
    (sentences, titles)
}

fn generate(data_dir: &Path, documents: u64) {
    let organisation: Value = serde_json::from_str(include_str!("../seed-data/organisation.json"))
        .expect("seed organisation");
    let (sentences, titles) = vocabulary();
    let path = data_dir.join("earshot.db");
    db::with_connection(&path, |connection| {
        let team = people::ensure_team(connection, "platform", "Platform")?;
        people::insert_user(
            connection,
            &people::NewUser {
                email: &Email::parse("bench.team@example.com").unwrap(),
                name: "Bench Team",
                role: Role::Team,
                team_id: Some(team),
                password_hash: None,
            },
            Utc::now(),
        )?;
        let mut authors = Vec::new();
        for (index, person) in organisation["people"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            let team = people::ensure_team(connection, person["team"].as_str().unwrap(), "team")?;
            authors.push(people::insert_user(
                connection,
                &people::NewUser {
                    email: &Email::parse(&format!("author{index}@example.com")).unwrap(),
                    name: person["name"].as_str().unwrap(),
                    role: Role::Contributor,
                    team_id: Some(team),
                    password_hash: None,
                },
                Utc::now(),
            )?);
        }
        let mut slugs = Vec::new();
        for service in organisation["services"].as_array().unwrap() {
            let slug = service["slug"].as_str().unwrap();
            let parsed = NewService::parse(&ServiceDraft {
                slug: slug.into(),
                name: service["name"].as_str().unwrap().into(),
                ..ServiceDraft::default()
            })
            .unwrap();
            services::insert_service(connection, &parsed, Utc::now())?;
            slugs.push(slug.to_owned());
        }
        let mut random = StdRng::seed_from_u64(42);
        let now = Utc::now();
        for _ in 0..documents {
            let mut body = String::new();
            for _ in 0..random.random_range(1..=3) {
                body.push_str(&sentences[random.random_range(0..sentences.len())]);
                body.push(' ');
            }
            if random.random_bool(0.3) {
                body.push_str(&format!("See INC-{}.", random.random_range(1000..100_000)));
            }
            let title = random
                .random_bool(0.8)
                .then(|| titles[random.random_range(0..titles.len())].clone());
            let anonymous = random.random_bool(0.25);
            let item = NewFeedback {
                service: ServiceSlug::parse(&slugs[random.random_range(0..slugs.len())]).unwrap(),
                kind: FeedbackKind::ALL[random.random_range(0..4)],
                rating: Rating::new(random.random_range(0..6)),
                title,
                body: body.trim().to_owned(),
                anonymous,
                contact_ok: false,
            };
            let author = (!anonymous).then(|| authors[random.random_range(0..authors.len())]);
            let created = now - Days::minutes(random.random_range(0..365 * 24 * 60));
            feedback::insert_feedback(connection, &item, author, created)?;
        }
        Ok(())
    })
    .expect("generate the corpus");
}

fn search_request(authorization: &str, query: &str) -> Vec<u8> {
    let query: String = serde_html_form::to_string([("q", query), ("limit", "10")]).unwrap();
    Arc::try_unwrap(http::request(
        "GET",
        &format!("/api/v1/search?{query}"),
        &[("authorization", authorization)],
        "",
    ))
    .unwrap()
}

async fn time_queries(
    address: SocketAddr,
    authorization: &str,
    query: &str,
    rounds: usize,
) -> (u64, Histogram<u64>) {
    let mut connection = http::Connection::open(address).await;
    let request = search_request(authorization, query);
    let mut latencies = Histogram::<u64>::new(3).unwrap();
    let mut total = 0;
    for round in 0..rounds + 20 {
        let started = Instant::now();
        let (status, body) = connection.send(&request).await;
        let elapsed = started.elapsed();
        assert_eq!(status, 200, "{query}: {}", String::from_utf8_lossy(&body));
        if round >= 20 {
            latencies.record(elapsed.as_micros() as u64).unwrap();
        } else if round == 0 {
            let results: Value = serde_json::from_slice(&body).unwrap();
            total = results["total"].as_u64().unwrap_or(0);
        }
    }
    (total, latencies)
}

/// An FTS5 table over the same rows, in a file of its own.
fn build_fts5(data_dir: &Path) -> rusqlite::Connection {
    let started = Instant::now();
    let path = data_dir.join("fts5.db");
    let existed = path.exists();
    let connection = rusqlite::Connection::open(path).unwrap();
    if existed {
        return connection;
    }
    connection
        .execute(
            &format!(
                "ATTACH DATABASE '{}' AS earshot",
                data_dir.join("earshot.db").display()
            ),
            [],
        )
        .unwrap();
    connection
        .execute_batch(
            "CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize = 'porter unicode61 remove_diacritics 2');
             INSERT INTO fts (rowid, title, body)
                  SELECT id, coalesce(title, ''), body FROM earshot.feedback;",
        )
        .unwrap();
    println!("(FTS5 built in {:.1} s)", started.elapsed().as_secs_f64());
    connection
}

/// The same work as one search page: the top 10 by rank with snippets, and the count.
fn time_fts5(connection: &rusqlite::Connection, expression: &str, rounds: usize) -> Histogram<u64> {
    let mut top = connection
        .prepare(
            "SELECT rowid, title, snippet(fts, 1, '<mark>', '</mark>', '…', 24) FROM fts
              WHERE fts MATCH ?1 ORDER BY rank LIMIT 10",
        )
        .unwrap();
    let mut count = connection
        .prepare("SELECT count(*) FROM fts WHERE fts MATCH ?1")
        .unwrap();
    let mut latencies = Histogram::<u64>::new(3).unwrap();
    // FTS5 takes up to a second per common-term query at 1M documents:
    // stop a class after 20 s, with at least 10 measured rounds.
    let budget = Instant::now() + Duration::from_secs(20);
    for round in 0..rounds.min(100) + 5 {
        if round >= 15 && Instant::now() > budget {
            break;
        }
        let started = Instant::now();
        let rows: Vec<(i64, String, String)> = top
            .query_map([expression], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let total: i64 = count.query_row([expression], |row| row.get(0)).unwrap();
        std::hint::black_box((rows, total));
        if round >= 5 {
            latencies
                .record(started.elapsed().as_micros() as u64)
                .unwrap();
        }
    }
    latencies
}

/// Writes at 1,000 per second for 10 s; every 50th carries a unique word,
/// and a prober measures how long until a search finds it.
async fn freshness_under_load(address: SocketAddr, authorization: &str) -> Histogram<u64> {
    let writers = 4;
    let per_writer_interval = Duration::from_millis(4);
    // Unique to this run, so a kept corpus (SEARCH_DATA_DIR) never already has the word.
    let run = Utc::now().timestamp();
    let deadline = Instant::now() + Duration::from_secs(10);
    let (probes, mut probed) = tokio::sync::mpsc::unbounded_channel::<(String, Instant)>();
    let mut tasks = Vec::new();
    for writer in 0..writers {
        let probes = probes.clone();
        let authorization = authorization.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut connection = http::Connection::open(address).await;
            let mut ticker = tokio::time::interval(per_writer_interval);
            let mut sent = 0u64;
            while Instant::now() < deadline {
                ticker.tick().await;
                sent += 1;
                let word = format!("fresh{run}w{writer}n{sent}");
                let body = format!(
                    r#"{{"service":"ci-runner","kind":"pain","body":"cache trouble again {word}","anonymous":false}}"#
                );
                let request = http::request(
                    "POST",
                    "/api/v1/feedback",
                    &[("authorization", &authorization), ("content-type", "application/json")],
                    &body,
                );
                let (status, _) = connection.send(&request).await;
                assert_eq!(status, 201);
                if sent.is_multiple_of(50) {
                    let _ = probes.send((word, Instant::now()));
                }
            }
        }));
    }
    drop(probes);
    let mut freshness = Histogram::<u64>::new(3).unwrap();
    let mut connection = http::Connection::open(address).await;
    while let Some((word, acknowledged)) = probed.recv().await {
        let request = search_request(authorization, &word);
        loop {
            let (_, body) = connection.send(&request).await;
            let results: Value = serde_json::from_slice(&body).unwrap();
            if results["total"] == 1 {
                freshness
                    .record(acknowledged.elapsed().as_micros() as u64)
                    .unwrap();
                break;
            }
            assert!(
                acknowledged.elapsed() < Duration::from_secs(30),
                "{word} never became searchable"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    for task in tasks {
        task.await.unwrap();
    }
    freshness
}

fn peak_memory_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn directory_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| match entry.metadata() {
                    Ok(metadata) if metadata.is_dir() => directory_size(&entry.path()),
                    Ok(metadata) => metadata.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}
