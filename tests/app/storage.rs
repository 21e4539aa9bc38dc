//! What is stored stays stored: restarts, pragmas, migrations.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{CONTRIBUTOR, TEAM, TestApp, feedback_json};

#[tokio::test]
async fn feedback_survives_a_restart_on_the_same_data_dir() {
    let app = TestApp::spawn().await;
    let api = app.api(CONTRIBUTOR);
    let response = api
        .post_json(
            "/api/v1/feedback",
            &feedback_json("still here after restart"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);

    let app = app.restart().await;

    let item: Value = app
        .api(TEAM)
        .get("/api/v1/feedback/1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(item["body"], "still here after restart");
    // The token created before the restart still works too.
    let again = reqwest::Client::new()
        .get(app.url("/api/v1/feedback/1"))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_database_runs_in_wal_mode_with_full_sync_and_foreign_keys() {
    let app = TestApp::spawn().await;
    let (journal, foreign_keys): (String, bool) = app.with_db(|connection| {
        Ok((
            connection.pragma_query_value(None, "journal_mode", |row| row.get(0))?,
            connection.pragma_query_value(None, "foreign_keys", |row| row.get(0))?,
        ))
    });
    assert_eq!(journal, "wal");
    assert!(foreign_keys);
}

#[tokio::test]
async fn a_database_from_a_newer_earshot_is_refused_with_a_clear_message() {
    let app = TestApp::spawn().await;
    let mut app = app;
    app.stop().await;
    let connection = rusqlite::Connection::open(app.data_dir.join("earshot.db")).unwrap();
    connection.pragma_update(None, "user_version", 99).unwrap();
    drop(connection);

    let config = earshot::config::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..earshot::config::Config::new(&app.data_dir)
    };
    let error = earshot::app::Application::build(config)
        .await
        .err()
        .expect("refused");
    let message = error.to_string();
    assert!(message.contains("schema version 99"), "{message}");
    assert!(message.contains("newer Earshot"), "{message}");
}

#[tokio::test]
async fn every_table_of_the_product_exists_from_the_first_migration() {
    let app = TestApp::spawn().await;
    let tables: Vec<String> = app.with_db(|connection| {
        let mut statement = connection
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?;
        let names = statement
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(names)
    });
    for table in [
        "users",
        "teams",
        "services",
        "service_reliability",
        "feedback",
        "tags",
        "feedback_notes",
        "interviews",
        "highlights",
        "pain_points",
        "pain_point_evidence",
        "roadmap_items",
        "roadmap_item_pain_points",
        "outcomes",
        "surveys",
        "survey_questions",
        "survey_responses",
        "survey_answers",
        "digest_subscriptions",
        "email_outbox",
        "search_changes",
    ] {
        assert!(tables.iter().any(|name| name == table), "no table {table}");
    }
}
