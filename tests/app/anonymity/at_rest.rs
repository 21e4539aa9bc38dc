//! Findings 10 and 11: aggregates others can read, files at rest, coarse
//! times; and the page that says what is stored.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use chrono::{Datelike, Duration, Utc};
use reqwest::StatusCode;
use serde_json::json;

use super::{Wave, rate};
use crate::helpers::{CONTRIBUTOR, TEAM, TestApp};

/// Stores feedback on ci-runner with `rating`, given at `at`, as a person
/// would have anonymously then.
fn rated_at(app: &TestApp, rating: u8, at: chrono::DateTime<Utc>) {
    app.with_db(|connection| {
        connection.execute(
            "INSERT INTO feedback (service_id, kind, rating, body, anonymous, created_at, updated_at)
             SELECT id, 'pain', ?1, 'rated', 1, ?2, ?2 FROM services WHERE slug = 'ci-runner'",
            rusqlite::params![rating, at],
        )?;
        Ok(())
    });
}

#[tokio::test]
async fn finding_10_service_pages_average_ratings_only_over_k_of_them_in_months_that_are_over() {
    let app = TestApp::spawn().await;
    let now = app.clock.now();
    let last_month = (now.date_naive().with_day(1).unwrap() - Duration::days(20))
        .and_hms_opt(12, 0, 0)
        .unwrap()
        .and_utc();
    rated_at(&app, 1, last_month);
    for _ in 0..6 {
        rated_at(&app, 2, now);
    }
    let contributor = app.signed_in(CONTRIBUTOR).await;
    let page = contributor.get_text("/services/ci-runner").await;
    assert!(
        !page.contains(">1.0<"),
        "one anonymous rating shows as the average"
    );
    assert!(
        !page.contains(">2.0<"),
        "this month is not over: the next rating would move it"
    );

    for _ in 0..4 {
        rated_at(&app, 5, last_month);
    }
    let page = contributor.get_text("/services/ci-runner").await;
    assert!(
        page.contains(">4.2<"),
        "five ratings in a month that is over: {page}"
    );
}

fn assert_private(path: &Path) {
    let metadata = std::fs::metadata(path).unwrap();
    let mode = metadata.permissions().mode() & 0o777;
    let expected = if metadata.is_dir() { 0o700 } else { 0o600 };
    assert_eq!(mode, expected, "{} is {mode:o}", path.display());
    if metadata.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            assert_private(&entry.unwrap().path());
        }
    }
}

#[tokio::test]
async fn finding_11_data_files_are_readable_only_by_earshot() {
    let app = TestApp::spawn().await;
    let emails = app.add_team_members(&[("alpha", 3)]);
    // A database made before, readable by everyone, is made private at start.
    let database = app.data_dir.join("earshot.db");
    std::fs::set_permissions(&database, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&app.data_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let app = app.restart().await;
    let wave = Wave::open(
        &app,
        json!({"title": "Pulse", "threshold": 3, "questions": [{"kind": "nps", "prompt": "Recommend us?"}]}),
        &emails,
    )
    .await;
    rate(&app, wave.links_of("alpha"), wave.questions[0], Some(9)).await;
    // Mail written as files, by the command line.
    let sent = tokio::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
        .env("EARSHOT_DATA_DIR", &app.data_dir)
        .args(["digest", "send", "--due"])
        .output()
        .await
        .unwrap();
    assert!(sent.status.success());
    assert!(app.data_dir.join("mail").is_dir());
    assert!(app.data_dir.join("index").is_dir());
    assert_private(&app.data_dir);
}

#[tokio::test]
async fn finding_11_anonymous_records_keep_only_the_hour_or_the_day() {
    let app = TestApp::spawn().await;
    let emails = app.add_team_members(&[("alpha", 3)]);
    let contributor = app.api(CONTRIBUTOR);
    for anonymous in [true, false] {
        let created = contributor
            .post_json(
                "/api/v1/feedback",
                &json!({"service": "ci-runner", "kind": "pain", "body": "slow", "anonymous": anonymous}),
            )
            .await;
        assert_eq!(created.status(), StatusCode::CREATED);
    }
    let wave = Wave::open(
        &app,
        json!({"title": "Pulse", "threshold": 3, "questions": [{"kind": "nps", "prompt": "Recommend us?"}]}),
        &emails,
    )
    .await;
    rate(&app, wave.links_of("alpha"), wave.questions[0], Some(9)).await;
    let (feedback, answers): (Vec<(bool, String, String)>, Vec<String>) =
        app.with_db(|connection| {
            let feedback = connection
                .prepare("SELECT anonymous, created_at, updated_at FROM feedback ORDER BY id")?
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let answers = connection
                .prepare("SELECT submitted_at || ' ' || updated_at FROM survey_responses")?
                .query_map([], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            Ok((feedback, answers))
        });
    let (anonymous, named): (Vec<_>, Vec<_>) =
        feedback.into_iter().partition(|(anonymous, ..)| *anonymous);
    for (_, created, updated) in &anonymous {
        assert!(
            created.ends_with(":00:00+00:00") && updated == created,
            "{created} {updated}"
        );
    }
    assert!(
        !named[0].1.ends_with(":00:00+00:00"),
        "named feedback keeps its time"
    );
    assert_eq!(answers.len(), 3);
    for times in answers {
        assert_eq!(
            times.matches(" 00:00:00+00:00").count(),
            2,
            "only the day: {times}"
        );
    }
}

#[tokio::test]
async fn every_anonymous_form_links_to_a_page_that_says_what_is_stored() {
    let app = TestApp::spawn().await;
    let privacy = app.browser().get_text("/privacy").await;
    for said in [
        "the hour you sent it",
        "mailed to you and shown to nobody else",
        "the day you answered",
        "at least k people",
        "only the account running Earshot can read",
    ] {
        assert!(privacy.contains(said), "{said:?} missing: {privacy}");
    }
    let emails = app.add_team_members(&[("alpha", 3)]);
    let wave = Wave::open(
        &app,
        json!({"title": "Pulse", "threshold": 3, "questions": [{"kind": "nps", "prompt": "Recommend us?"}]}),
        &emails,
    )
    .await;
    let open = wave.open_link(&app.api(TEAM)).await;
    let person = app.browser();
    let contributor = app.signed_in(CONTRIBUTOR).await;
    for page in [
        person
            .get_text(&format!("/respond/{}", wave.links[0].1))
            .await,
        person.get_text(&format!("/respond/{open}")).await,
        contributor.get_text("/feedback/new").await,
    ] {
        assert!(page.contains("href=\"/privacy\""), "{page}");
    }
}
