//! The command line, run as the real binary.

use std::process::{Output, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

fn earshot(data_dir: &TempDir) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_earshot"));
    command
        .env_clear()
        .env("EARSHOT_DATA_DIR", data_dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

async fn run(data_dir: &TempDir, args: &[&str], stdin: &str) -> Output {
    let mut child = earshot(data_dir)
        .args(args)
        .spawn()
        .expect("the binary runs");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).await.unwrap();
    drop(input);
    child.wait_with_output().await.unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn bad_arguments_print_one_line_and_exit_non_zero() {
    let data_dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["--no-such-flag"],
        vec![
            "user",
            "add",
            "--email",
            "a@b.example",
            "--name",
            "A",
            "--role",
            "wizard",
        ],
        vec!["serve", "--listen", "not-an-address"],
        vec!["token", "create"],
    ] {
        let output = run(&data_dir, &args, "").await;
        assert!(!output.status.success(), "{args:?} succeeded");
        let stderr = text(&output.stderr);
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error:"), "{stderr}");
    }
}

#[tokio::test]
async fn seed_loads_an_empty_database_and_refuses_politely_the_second_time() {
    let data_dir = tempfile::tempdir().unwrap();
    let first = run(&data_dir, &["seed"], "").await;
    assert!(first.status.success(), "{}", text(&first.stderr));
    let summary = text(&first.stdout);
    assert!(summary.contains("Loaded"), "{summary}");
    assert!(summary.contains("sam.rivera@halcyon.example"));

    let second = run(&data_dir, &["seed"], "").await;
    assert!(!second.status.success());
    let message = text(&second.stderr);
    assert!(message.contains("already has data"), "{message}");
    assert_eq!(message.trim_end().lines().count(), 1);
}

#[tokio::test]
async fn the_seed_data_is_a_believable_organisation() {
    let data_dir = tempfile::tempdir().unwrap();
    // The instant the demo is built for, also the one the checks below use.
    let now = chrono::Utc::now();
    let seeded = earshot(&data_dir)
        .env("EARSHOT_CLOCK", now.to_rfc3339())
        .arg("seed")
        .output()
        .await
        .unwrap();
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let connection = rusqlite::Connection::open(data_dir.path().join("earshot.db")).unwrap();
    let count = |sql: &str| -> i64 { connection.query_row(sql, [], |row| row.get(0)).unwrap() };
    // Counts relative to `now` (`?1`), the instant the seed was given.
    let now_text = now.format("%Y-%m-%d %H:%M:%S").to_string();
    let count_at = |sql: &str| -> i64 {
        connection
            .query_row(sql, [&now_text], |row| row.get(0))
            .unwrap()
    };
    assert!(count("SELECT count(*) FROM services") >= 8);
    assert!(count("SELECT count(*) FROM teams") >= 6);
    assert!(count("SELECT count(*) FROM users") >= 30);
    assert!(count("SELECT count(*) FROM feedback") >= 250);
    assert!(count("SELECT count(*) FROM feedback WHERE anonymous = 1 AND author_id IS NULL") > 0);
    assert_eq!(
        count("SELECT count(*) FROM feedback WHERE anonymous = 1 AND author_id IS NOT NULL"),
        0
    );
    // Dates are relative to today, spread over the last year.
    assert!(count_at("SELECT count(*) FROM feedback WHERE created_at >= date(?1, '-7 days')") > 0);
    assert!(count_at("SELECT count(*) FROM feedback WHERE created_at < date(?1, '-300 days')") > 0);
    assert_eq!(
        count_at("SELECT count(*) FROM feedback WHERE created_at > datetime(?1, '+1 minute')"),
        0
    );
    assert!(count("SELECT count(*) FROM services WHERE slug IN ('ci-runner', 'k8s.prod')") == 2);
    // Discovery: the issue's seed bar.
    assert!(count("SELECT count(*) FROM interviews") >= 15);
    assert!(count("SELECT count(DISTINCT interview_id) FROM interview_tags") >= 15);
    assert!(count("SELECT count(*) FROM highlights") >= 15);
    assert!(count("SELECT count(DISTINCT pain_point_id) FROM pain_point_evidence") >= 12);
    assert!(count("SELECT count(DISTINCT pain_point_id) FROM pain_point_services") >= 12);
    assert!(count("SELECT count(*) FROM roadmap_items") >= 10);
    assert_eq!(count("SELECT count(DISTINCT status) FROM roadmap_items"), 5);
    assert!(count("SELECT count(DISTINCT roadmap_item_id) FROM roadmap_item_services") >= 10);
    assert!(count("SELECT count(*) FROM outcomes") >= 3);
    assert!(
        count(
            "SELECT min(n) FROM (SELECT count(*) AS n FROM service_reliability GROUP BY service_id)"
        ) >= 12
    );
}

#[tokio::test]
async fn a_user_added_on_the_command_line_can_sign_in_and_a_token_acts_as_them() {
    let data_dir = tempfile::tempdir().unwrap();
    let added = run(
        &data_dir,
        &[
            "user",
            "add",
            "--email",
            "Lee@Example.com",
            "--name",
            "Lee Park",
            "--role",
            "team",
            "--team",
            "platform",
            "--password-stdin",
        ],
        "a long enough password\n",
    )
    .await;
    assert!(added.status.success(), "{}", text(&added.stderr));

    let duplicate = run(
        &data_dir,
        &[
            "user",
            "add",
            "--email",
            "lee@example.com",
            "--name",
            "Lee",
            "--role",
            "team",
            "--sso",
        ],
        "",
    )
    .await;
    assert!(!duplicate.status.success());
    assert!(text(&duplicate.stderr).contains("already exists"));

    let short = run(
        &data_dir,
        &[
            "user",
            "add",
            "--email",
            "kim@example.com",
            "--name",
            "Kim",
            "--role",
            "team",
            "--password-stdin",
        ],
        "short\n",
    )
    .await;
    assert!(!short.status.success());
    assert!(text(&short.stderr).contains("at least 12 characters"));

    let created = run(
        &data_dir,
        &[
            "token",
            "create",
            "--email",
            "lee@example.com",
            "--label",
            "ci bot",
        ],
        "",
    )
    .await;
    assert!(created.status.success(), "{}", text(&created.stderr));
    let token = text(&created.stdout).trim().to_owned();
    assert!(token.starts_with("esk_"));
    let stored: String = rusqlite::Connection::open(data_dir.path().join("earshot.db"))
        .unwrap()
        .query_row("SELECT token_hash FROM api_tokens", [], |row| row.get(0))
        .unwrap();
    assert_ne!(stored, token, "only the hash is stored");

    let unknown = run(
        &data_dir,
        &["token", "create", "--email", "ghost@example.com"],
        "",
    )
    .await;
    assert!(!unknown.status.success());
    assert!(text(&unknown.stderr).contains("no person"));

    let app = crate::helpers::TestApp::start(data_dir.path()).await;
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/feedback"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let browser = app.browser();
    let signed_in = browser
        .sign_in("lee@example.com", "a long enough password")
        .await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
}

/// Runs `earshot serve` with JSON logs, submits anonymous feedback with a
/// recognisable user agent, stops it with SIGTERM and reads every log line.
#[tokio::test]
async fn serve_logs_requests_without_identifying_anyone_and_stops_cleanly_on_sigterm() {
    let data_dir = tempfile::tempdir().unwrap();
    assert!(run(&data_dir, &["seed"], "").await.status.success());
    let created = run(
        &data_dir,
        &[
            "token",
            "create",
            "--email",
            "priya.natarajan@halcyon.example",
        ],
        "",
    )
    .await;
    let token = text(&created.stdout).trim().to_owned();
    let team = run(
        &data_dir,
        &["token", "create", "--email", "sam.rivera@halcyon.example"],
        "",
    )
    .await;
    let team_token = text(&team.stdout).trim().to_owned();

    let mut server = earshot(&data_dir)
        .env("EARSHOT_LOG", "debug")
        .args(["--log-format", "json", "serve", "--listen", "127.0.0.1:0"])
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut logs = BufReader::new(server.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    let address = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = logs.next_line().await.unwrap() {
            seen.push(line.clone());
            let event: Value = serde_json::from_str(&line).unwrap_or_default();
            if event["message"] == "Earshot is listening" {
                return event["address"].as_str().unwrap().to_owned();
            }
        }
        panic!("the server exited before listening: {seen:?}");
    })
    .await
    .expect("the server starts listening");
    // Keep reading: a server whose log pipe is full cannot go on (the
    // search index is checked and rebuilt after it starts listening).
    let rest = tokio::spawn(async move {
        while let Some(line) = logs.next_line().await.unwrap() {
            seen.push(line);
        }
        seen
    });

    let response = reqwest::Client::builder()
        .user_agent("SecretAgent/7.7")
        .build()
        .unwrap()
        .post(format!("http://{address}/api/v1/feedback?trace=me"))
        .bearer_auth(&token)
        .json(&json!({"service": "ci-runner", "kind": "pain", "body": "my very private words", "anonymous": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    // Without --public-url, links in mail point at the address served.
    let preview = reqwest::Client::new()
        .get(format!("http://{address}/digests/1/preview"))
        .bearer_auth(&team_token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        preview.contains(&format!("http://{address}/unsubscribe/")),
        "{preview}"
    );

    let pid = server.id().unwrap().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(60), server.wait())
        .await
        .expect("the server stops")
        .unwrap();
    assert!(status.success(), "exit status {status}");
    let all = rest.await.unwrap().join("\n");
    assert!(all.contains(r#""route":"/api/v1/feedback""#), "{all}");
    assert!(all.contains(r#""status":201"#), "{all}");
    assert!(all.contains("stopped"), "{all}");
    for secret in ["SecretAgent", "private words", "trace=me", &token] {
        assert!(!all.contains(secret), "the log contains {secret:?}");
    }
}

#[tokio::test]
async fn reindex_rebuilds_the_search_index_from_the_database() {
    let data_dir = tempfile::tempdir().unwrap();
    assert!(run(&data_dir, &["seed"], "").await.status.success());
    let output = run(&data_dir, &["reindex"], "").await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("Rebuilt the search index"));
    let live = std::fs::read_to_string(data_dir.path().join("index/CURRENT")).unwrap();
    assert!(data_dir.path().join("index").join(live.trim()).is_dir());

    let app = crate::helpers::TestApp::start(data_dir.path()).await;
    let api = app.api("sam.rivera@halcyon.example");
    let results: Value = api
        .get("/api/v1/search?q=OOMKilled")
        .await
        .json()
        .await
        .unwrap();
    assert!(results["total"].as_u64().unwrap() > 0, "{results}");
}
