//! An index that heals: damage, a database restored beside a newer index,
//! an index of another database, and `reindex` beside a running server.
//! Searches meanwhile answer 503 with Retry-After, never 500.

use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use earshot::config::{Config, Secret};
use rand::Rng;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Api, CONTRIBUTOR, TEAM, TestApp};

const ITEMS: usize = 60;

/// Posts `count` feedback items saying `words` and their number.
async fn give(api: &Api, words: &str, count: usize) {
    for index in 0..count {
        let body = json!({
            "service": if index % 2 == 0 { "ci-runner" } else { "k8s.prod" },
            "kind": "pain",
            "body": format!("{words} number {index}"),
            "anonymous": false,
        });
        let response = api.post_json("/api/v1/feedback", &body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
}

/// One search: its status, `Retry-After` and body.
async fn search(api: &Api, query: &str) -> (StatusCode, Option<String>, Value) {
    let response = api
        .client
        .get(format!("{}/api/v1/search", api.base))
        .bearer_auth(&api.token)
        .query(&[("q", query), ("limit", "50")])
        .send()
        .await
        .unwrap();
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|value| value.to_str().unwrap().to_owned());
    (
        status,
        retry_after,
        response.json().await.unwrap_or_default(),
    )
}

/// Searches until `query` finds `total` things; every answer on the way is
/// 200 or 503 with Retry-After, never anything else. Returns the 503s seen.
async fn settles(api: &Api, query: &str, total: u64) -> usize {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut unavailable = 0;
    loop {
        let (status, retry_after, body) = search(api, query).await;
        match status {
            StatusCode::OK if body["total"] == total => return unavailable,
            StatusCode::OK => {}
            StatusCode::SERVICE_UNAVAILABLE => {
                assert!(retry_after.is_some(), "a 503 without Retry-After: {body}");
                assert!(
                    body["detail"].as_str().unwrap().contains("search index"),
                    "{body}"
                );
                unavailable += 1;
            }
            other => panic!("searching {query:?} answered {other}: {body}"),
        }
        assert!(
            Instant::now() < deadline,
            "{query:?} never found {total}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

const METRICS_TOKEN: &str = "metrics-secret";

/// A fresh Earshot whose `/metrics` answers to [`METRICS_TOKEN`].
async fn spawn() -> TestApp {
    TestApp::spawn_with(|config| Config {
        metrics_token: Some(Secret(METRICS_TOKEN.into())),
        ..config
    })
    .await
}

/// The server's count of index rebuilds, from `/metrics`.
async fn rebuilds(app: &TestApp) -> u64 {
    let text = reqwest::Client::new()
        .get(app.url("/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix("earshot_search_rebuilds_total "))
        .expect("the rebuild counter")
        .parse()
        .unwrap()
}

/// The live generation's files ending in `.{extension}`, largest first.
fn segment_files(data_dir: &Path, extension: &str) -> Vec<PathBuf> {
    let live = std::fs::read_to_string(data_dir.join("index/CURRENT")).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(data_dir.join("index").join(live.trim()))
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|found| found == extension))
        .collect();
    files.sort_by_key(|path| std::cmp::Reverse(std::fs::metadata(path).unwrap().len()));
    files
}

/// Overwrites bytes in the middle of `path` with as many random ones, in
/// place: the file keeps its size (and inode, so a server that maps it
/// reads the garbage).
fn scribble(path: &Path) {
    let length = std::fs::metadata(path).unwrap().len();
    let span = (length / 4).clamp(1, 256);
    let mut garbage = vec![0u8; span as usize];
    rand::rng().fill(&mut garbage[..]);
    let mut file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    file.seek(SeekFrom::Start(length / 2 - span / 2)).unwrap();
    file.write_all(&garbage).unwrap();
    file.sync_all().unwrap();
    assert_eq!(std::fs::metadata(path).unwrap().len(), length);
}

#[tokio::test]
async fn garbage_in_any_kind_of_segment_file_is_found_at_start_and_the_index_rebuilt() {
    let mut app = spawn().await;
    let api = app.api(CONTRIBUTOR);
    give(&api, "wombat", ITEMS).await;
    settles(&api, "wombat", ITEMS as u64).await;
    app.stop().await;
    for (round, extension) in ["term", "idx", "pos", "store", "fast"]
        .into_iter()
        .enumerate()
    {
        let files = segment_files(&app.data_dir, extension);
        assert!(!files.is_empty(), "no .{extension} file");
        scribble(&files[0]);

        app = app.restart_before_search().await;
        let api = Api {
            base: app.address.clone(),
            ..app.api(CONTRIBUTOR)
        };
        settles(&api, "wombat", ITEMS as u64).await;
        assert_eq!(
            settles(&api, "service:k8s.prod wombat", ITEMS as u64 / 2).await,
            0
        );
        assert_eq!(rebuilds(&app).await, 1, "round {round}: .{extension}");
        app.stop().await;
    }
}

#[tokio::test]
async fn garbage_written_under_a_running_server_answers_503_while_the_index_is_rebuilt() {
    let app = spawn().await;
    let api = app.api(CONTRIBUTOR);
    give(&api, "wombat", ITEMS).await;
    settles(&api, "wombat", ITEMS as u64).await;
    assert_eq!(rebuilds(&app).await, 1, "the first start builds it");
    // Postings are read straight from the mapped file by every search.
    for file in segment_files(&app.data_dir, "idx") {
        scribble(&file);
    }
    let unavailable = settles(&api, "wombat", ITEMS as u64).await;
    assert!(unavailable >= 1, "the damage was never noticed");
    assert_eq!(rebuilds(&app).await, 2);
    settles(&api, "number 7", 1).await;
}

/// Inserts `count` feedback items straight into SQLite (as an import
/// would), for a corpus whose rebuild takes a moment.
fn bulk_feedback(app: &TestApp, count: i64) {
    app.with_db(|connection| {
        connection.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
             INSERT INTO feedback (service_id, kind, body, author_id, anonymous, created_at, updated_at)
             SELECT 1, 'idea', 'bulk platypus item ' || i, 3, 0, '2026-11-01 10:00:00+00:00',
                    '2026-11-01 10:00:00+00:00' FROM n",
            [count],
        )?;
        Ok(())
    });
}

#[tokio::test]
async fn while_the_index_is_rebuilt_search_answers_503_and_everything_else_works() {
    let mut app = spawn().await;
    bulk_feedback(&app, 20_000);
    app.stop().await;
    std::fs::remove_dir_all(app.data_dir.join("index")).unwrap();

    let app = app.restart_before_search().await;
    let api = app.api(CONTRIBUTOR);
    let (status, retry_after, body) = search(&api, "platypus").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(retry_after.as_deref(), Some("5"));
    assert_eq!(body["status"], 503);
    // Feedback is taken while search waits.
    give(&api, "echidna", 1).await;
    let ready = reqwest::get(app.url("/readyz")).await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    settles(&api, "platypus", 20_000).await;
    settles(&api, "echidna", 1).await;
}

#[tokio::test]
async fn a_database_restored_beside_a_newer_index_is_searched_as_restored() {
    let app = spawn().await;
    let api = app.api(CONTRIBUTOR);
    give(&api, "before the backup", 20).await;
    settles(&api, "before", 20).await;
    let backup = app.data_dir.join("backup.db");
    let copied = tokio::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
        .arg("--data-dir")
        .arg(&app.data_dir)
        .arg("backup")
        .arg(&backup)
        .output()
        .await
        .unwrap();
    assert!(copied.status.success(), "{copied:?}");
    give(&api, "after the backup", 30).await;
    app.with_db(|connection| {
        connection.execute("DELETE FROM feedback WHERE id <= 10", [])?;
        Ok(())
    });
    settles(&api, "after", 30).await;
    settles(&api, "before", 10).await;
    let mut app = app;
    app.stop().await;
    // An operator copies the old file back, beside the newer index.
    for stale in ["earshot.db-wal", "earshot.db-shm"] {
        let _ = std::fs::remove_file(app.data_dir.join(stale));
    }
    std::fs::copy(&backup, app.data_dir.join("earshot.db")).unwrap();

    let app = app.restart().await;
    let api = Api {
        base: app.address.clone(),
        ..api
    };
    settles(&api, "after", 0).await;
    settles(&api, "before", 20).await;
    // New items reuse the ids of those written after the backup; their
    // hits carry their own words.
    give(&api, "restored anew", 5).await;
    settles(&api, "anew", 5).await;
    let (_, _, found) = search(&api, "anew").await;
    for hit in found["hits"].as_array().unwrap() {
        assert!(hit["snippet"].as_str().unwrap().contains("anew"), "{hit}");
    }
}

#[tokio::test]
async fn an_index_of_another_database_is_rebuilt() {
    let mut first = spawn().await;
    give(&first.api(CONTRIBUTOR), "only in the first", 3).await;
    let mut second = spawn().await;
    give(&second.api(CONTRIBUTOR), "only in the second", 4).await;
    first.stop().await;
    second.stop().await;
    std::fs::remove_dir_all(second.data_dir.join("index")).unwrap();
    copy_dir(
        &first.data_dir.join("index"),
        &second.data_dir.join("index"),
    );

    let second = second.restart().await;
    let api = second.api(TEAM);
    settles(&api, "second", 4).await;
    settles(&api, "first", 0).await;
    assert_eq!(rebuilds(&second).await, 1);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
