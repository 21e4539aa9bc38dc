//! `earshot backup`, `restore` and `check`, run as the real binary beside
//! (or after) a server.

use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use reqwest::StatusCode;

use crate::helpers::{CONTRIBUTOR, TEAM, TestApp, feedback_json};

async fn earshot(data_dir: &Path, args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .output()
        .await
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn feedback_bodies(database: &Path) -> Vec<(i64, String)> {
    let connection = rusqlite::Connection::open(database).unwrap();
    let mut statement = connection
        .prepare("SELECT id, body FROM feedback ORDER BY id")
        .unwrap();
    statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test]
async fn a_backup_taken_while_writes_arrive_restores_into_a_stopped_data_directory() {
    let app = TestApp::spawn().await;
    let api = app.api(CONTRIBUTOR);
    let stop = Arc::new(AtomicBool::new(false));
    let writing = {
        let (stop, client, base, token) = (
            Arc::clone(&stop),
            api.client.clone(),
            api.base.clone(),
            api.token.clone(),
        );
        tokio::spawn(async move {
            let mut written = 0;
            while !stop.load(Ordering::Relaxed) {
                let response = client
                    .post(format!("{base}/api/v1/feedback"))
                    .bearer_auth(&token)
                    .json(&feedback_json(&format!(
                        "written during the backup {written}"
                    )))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::CREATED);
                written += 1;
            }
            written
        })
    };
    while app.feedback_count() < 20 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let copy = app.data_dir.join("copy.db");
    let backup = earshot(&app.data_dir, &["backup", copy.to_str().unwrap()]).await;
    stop.store(true, Ordering::Relaxed);
    let written = writing.await.unwrap();
    assert!(backup.status.success(), "{}", text(&backup.stderr));
    assert!(text(&backup.stdout).contains("Backed up the database"));
    let again = earshot(&app.data_dir, &["backup", copy.to_str().unwrap()]).await;
    assert!(!again.status.success(), "a backup never overwrites a file");
    assert!(text(&again.stderr).contains("already exists"));

    // A consistent copy: a prefix of what was written, every row whole.
    let copied = feedback_bodies(&copy);
    let all = feedback_bodies(&app.data_dir.join("earshot.db"));
    assert!(
        copied.len() >= 20 && copied.len() <= all.len(),
        "{} of {written}",
        copied.len()
    );
    assert_eq!(copied, all[..copied.len()]);

    let refused = earshot(&app.data_dir, &["restore", copy.to_str().unwrap()]).await;
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains(&format!("pid {}", std::process::id())),
        "{}",
        text(&refused.stderr)
    );

    let mut app = app;
    app.stop().await;
    let restored = earshot(&app.data_dir, &["restore", copy.to_str().unwrap()]).await;
    assert!(restored.status.success(), "{}", text(&restored.stderr));
    assert!(
        !app.data_dir.join("index").exists(),
        "the index is rebuilt from the copy"
    );
    assert_eq!(feedback_bodies(&app.data_dir.join("earshot.db")), copied);

    let app = app.restart().await;
    let team = app.api(TEAM);
    team.search_until("written during the backup", copied.len() as u64)
        .await;
    let mut app = app;
    app.stop().await;
    let check = earshot(&app.data_dir, &["check"]).await;
    assert!(
        check.status.success(),
        "{}{}",
        text(&check.stdout),
        text(&check.stderr)
    );
}

#[tokio::test]
async fn restore_refuses_a_file_that_is_not_an_earshot_database() {
    let mut app = TestApp::spawn().await;
    app.stop().await;
    let other = app.data_dir.join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE notes (body TEXT)")
        .unwrap();
    let refused = earshot(&app.data_dir, &["restore", other.to_str().unwrap()]).await;
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains("not an Earshot database"));
    let missing = earshot(&app.data_dir, &["restore", "/no/such/file.db"]).await;
    assert!(!missing.status.success());
    assert!(text(&missing.stderr).contains("is not a file"));
    assert_eq!(app.feedback_count(), 0, "the database is untouched");
}

/// Runs `earshot check`, which must find differences; returns its report.
async fn differs(data_dir: &Path) -> String {
    let check = earshot(data_dir, &["check"]).await;
    let report = text(&check.stdout);
    assert!(!check.status.success(), "{report}");
    assert!(text(&check.stderr).contains("found differences"));
    report
}

#[tokio::test]
async fn check_says_what_differs() {
    let app = TestApp::spawn().await;
    let api = app.api(CONTRIBUTOR);
    for index in 0..5 {
        api.post_json(
            "/api/v1/feedback",
            &feedback_json(&format!("checked {index}")),
        )
        .await;
    }
    app.api(TEAM).search_until("checked", 5).await;
    let mut app = app;
    app.stop().await;
    let clean = earshot(&app.data_dir, &["check"]).await;
    let report = text(&clean.stdout);
    assert!(clean.status.success(), "{report}");
    assert!(report.contains("feedback 5"), "{report}");
    assert!(report.contains("schema version"), "{report}");

    let sql = |statement: &str| {
        rusqlite::Connection::open(app.data_dir.join("earshot.db"))
            .unwrap()
            .execute_batch(statement)
            .unwrap();
    };
    // A message whose sender died holding it.
    sql("UPDATE email_outbox SET status = 'pending';
         INSERT INTO email_outbox (dedupe_key, message_id, to_address, subject, body_text,
                                   next_attempt_at, created_at, lease_owner, lease_expires_at)
         VALUES ('stuck', '<stuck@test>', 'a@example.com', 'Stuck', 'Hello',
                 '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00',
                 'pid 4242 (00000000)', '2026-01-01 00:05:00+00:00');");
    let report = differs(&app.data_dir).await;
    assert!(report.contains("DIFFERS  outbox"), "{report}");
    assert!(report.contains("lease that expired"), "{report}");
    sql("DELETE FROM email_outbox WHERE dedupe_key = 'stuck'");

    // A row gone without its change reaching the index.
    sql("DROP TRIGGER feedback_changed_on_delete;
         DELETE FROM feedback WHERE id = 5;");
    let report = differs(&app.data_dir).await;
    assert!(
        report.contains("feedback: 5 in the index, 4 in the database"),
        "{report}"
    );

    // An index beside another database.
    sql("UPDATE settings SET value = 'another' WHERE key = 'database_id'");
    let report = differs(&app.data_dir).await;
    assert!(report.contains("follows another database"), "{report}");

    // A schema no Earshot writes.
    sql("PRAGMA user_version = -3");
    let report = differs(&app.data_dir).await;
    assert!(report.contains("schema version -3"), "{report}");
}
