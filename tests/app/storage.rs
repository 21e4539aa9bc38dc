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

/// Asked of the server: its writing connection reports what it runs with.
#[tokio::test]
async fn the_server_writes_in_wal_mode_with_full_sync_and_foreign_keys() {
    let app = TestApp::spawn_with(|config| earshot::config::Config {
        metrics_token: Some(earshot::config::Secret("metrics-secret".into())),
        ..config
    })
    .await;
    let metrics = reqwest::Client::new()
        .get(app.url("/metrics"))
        .bearer_auth("metrics-secret")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(
            r#"earshot_storage_info{journal_mode="wal",synchronous="full",foreign_keys="true"} 1"#
        ),
        "{metrics}"
    );
}

/// Builds Earshot on `data_dir`, which must be refused; returns why.
async fn refused(data_dir: &std::path::Path) -> String {
    let config = earshot::config::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..earshot::config::Config::new(data_dir)
    };
    earshot::app::Application::build(config)
        .await
        .err()
        .expect("refused")
        .to_string()
}

#[tokio::test]
async fn a_database_from_a_newer_earshot_or_with_a_negative_version_is_refused() {
    let mut app = TestApp::spawn().await;
    app.stop().await;
    let set_version = |version: i64| {
        let connection = rusqlite::Connection::open(app.data_dir.join("earshot.db")).unwrap();
        connection
            .pragma_update(None, "user_version", version)
            .unwrap();
    };
    set_version(99);
    let message = refused(&app.data_dir).await;
    assert!(message.contains("schema version 99"), "{message}");
    assert!(message.contains("newer Earshot"), "{message}");

    set_version(-1);
    let message = refused(&app.data_dir).await;
    assert!(message.contains("schema version -1"), "{message}");
    assert!(message.contains("no Earshot writes"), "{message}");
}

#[tokio::test]
async fn a_second_server_on_the_same_data_directory_names_the_process_holding_it() {
    let app = TestApp::spawn().await;
    let message = refused(&app.data_dir).await;
    assert!(
        message.contains(&format!("another Earshot (pid {})", std::process::id())),
        "{message}"
    );

    let second = tokio::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
        .arg("--data-dir")
        .arg(&app.data_dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .output()
        .await
        .unwrap();
    assert!(!second.status.success());
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains(&format!(
            "another Earshot (pid {}) is using the data directory",
            std::process::id()
        )),
        "{stderr}"
    );
    assert!(!stderr.to_lowercase().contains("tantivy"), "{stderr}");
}

#[tokio::test]
async fn reindex_beside_a_running_server_is_refused_and_search_goes_on() {
    let app = TestApp::spawn().await;
    let api = app.api(CONTRIBUTOR);
    let response = api
        .post_json("/api/v1/feedback", &feedback_json("quokka sighting"))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    api.search_until("quokka", 1).await;
    let live = std::fs::read_to_string(app.data_dir.join("index/CURRENT")).unwrap();

    let reindex = tokio::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
        .arg("--data-dir")
        .arg(&app.data_dir)
        .arg("reindex")
        .output()
        .await
        .unwrap();
    assert!(!reindex.status.success());
    let stderr = String::from_utf8_lossy(&reindex.stderr);
    assert!(
        stderr.contains(&format!("pid {}", std::process::id())),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(app.data_dir.join("index/CURRENT")).unwrap(),
        live
    );
    api.post_json("/api/v1/feedback", &feedback_json("quokka again"))
        .await;
    api.search_until("quokka", 2).await;
}

/// Another process (an import, a script) changing a link table: the
/// trigger re-indexes the owner, nobody has to touch its row.
#[tokio::test]
async fn a_link_added_by_any_writer_reaches_the_search_index() {
    let app = TestApp::spawn().await;
    let team = app.api(TEAM);
    let created = team
        .post_json(
            "/api/v1/pain-points",
            &serde_json::json!({"title": "Flaky deploys", "services": ["ci-runner"]}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    team.search_until("service:k8s.prod flaky", 0).await;
    app.with_db(|connection| {
        connection.execute(
            "INSERT INTO pain_point_services (pain_point_id, service_id)
             SELECT 1, id FROM services WHERE slug = 'k8s.prod'",
            [],
        )?;
        connection.execute(
            "INSERT INTO tags (name) VALUES ('deploys') ON CONFLICT DO NOTHING",
            [],
        )?;
        connection.execute(
            "INSERT INTO pain_point_tags (pain_point_id, tag_id)
             SELECT 1, id FROM tags WHERE name = 'deploys'",
            [],
        )?;
        Ok(())
    });
    team.search_until("service:k8s.prod tag:deploys flaky", 1)
        .await;
    app.with_db(|connection| {
        connection.execute("DELETE FROM pain_point_tags", [])?;
        Ok(())
    });
    team.search_until("tag:deploys", 0).await;
}

#[tokio::test]
async fn applied_search_changes_are_pruned_and_the_index_still_catches_up_after_a_restart() {
    let app = TestApp::spawn().await;
    let api = app.api(CONTRIBUTOR);
    for index in 0..20 {
        api.post_json(
            "/api/v1/feedback",
            &feedback_json(&format!("numbat {index}")),
        )
        .await;
    }
    api.search_until("numbat", 20).await;
    let kept = || {
        app.with_db(|connection| {
            Ok(
                connection.query_row("SELECT count(*) FROM search_changes", [], |row| {
                    row.get::<_, i64>(0)
                })?,
            )
        })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while kept() > 0 {
        assert!(std::time::Instant::now() < deadline, "never pruned");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let mut app = app;
    app.stop().await;
    // Written while the server is down: kept until an index applies them.
    app.with_db(|connection| {
        connection.execute(
            "UPDATE feedback SET body = 'numbat renamed' WHERE id = 1",
            [],
        )?;
        Ok(())
    });
    let app = app.restart().await;
    let api = crate::helpers::Api {
        base: app.address.clone(),
        ..api
    };
    api.search_until("renamed", 1).await;
    api.search_until("numbat", 20).await;
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
