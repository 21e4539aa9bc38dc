//! Importing historical results from CSV: all rows or none.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{add_people, post};
use crate::helpers::{TEAM, TestApp};

async fn historical_survey(app: &TestApp) -> i64 {
    let created: Value = post(
        &app.api(TEAM),
        "/api/v1/surveys",
        json!({
            "title": "Platform survey 2024-Q1 (imported)",
            "opens_at": "2024-01-15T09:00:00Z",
            "questions": [
                {"kind": "nps", "prompt": "How likely are you to recommend the platform?", "required": true},
                {"kind": "csat", "prompt": "How satisfied are you with CI?", "service": "ci-runner"},
                {"kind": "multi", "prompt": "Which tools do you use?", "choices": ["Grafana", "Loki"]}
            ]
        }),
    )
    .await
    .json()
    .await
    .unwrap();
    created["id"].as_i64().unwrap()
}

fn stored_responses(app: &TestApp) -> i64 {
    app.with_db(|connection| {
        Ok(
            connection.query_row("SELECT count(*) FROM survey_responses", [], |row| {
                row.get(0)
            })?,
        )
    })
}

async fn import(app: &TestApp, id: i64, body: &[u8]) -> reqwest::Response {
    app.api(TEAM)
        .post_raw(
            &format!("/api/v1/surveys/{id}/import"),
            "text/csv",
            body.to_vec(),
        )
        .await
}

#[tokio::test]
async fn a_google_forms_export_is_imported_and_counts_in_the_results_by_team() {
    let app = TestApp::spawn().await;
    add_people(&app);
    let id = historical_survey(&app).await;
    let mut file = String::from(
        "Timestamp,How likely are you to recommend the platform?,How satisfied are you with CI?,Which tools do you use?,Team\r\n",
    );
    for index in 0..6 {
        file.push_str(&format!(
            "1/{}/2024 10:00:00,10,5,\"Grafana, Loki\",payments\r\n",
            index + 16
        ));
    }
    for _ in 0..5 {
        file.push_str("2024-01-17 12:00:00,9,4,Loki,search\r\n");
    }
    file.push_str("1/20/2024 11:00:00,3,N/A,Loki,\r\n");
    let response = import(&app, id, file.as_bytes()).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"imported": 12})
    );
    let results: Value = app
        .api(TEAM)
        .get(&format!("/api/v1/surveys/{id}/results"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(results["responses"], 12);
    let nps = &results["questions"][0];
    assert_eq!(nps["n"], 12);
    // 11 promoters, 1 detractor of 12: (11 − 1) / 12 = 83.33 points.
    assert!((nps["score"].as_f64().unwrap() - 1000.0 / 12.0).abs() < 1e-9);
    // The one row without a team is a hidden cell of 1; search (5) is then
    // hidden too, or it could be had as total − payments − search. The
    // import closed the draft: a historical wave, so team rows are shown.
    assert_eq!(results["closed"], true);
    assert_eq!(
        nps["breakdowns"],
        json!({"team": [
            {"group": "payments", "n": 6, "score": 100.0,
             "ci_low": nps["breakdowns"]["team"][0]["ci_low"], "ci_high": nps["breakdowns"]["team"][0]["ci_high"]}
        ], "others_hidden": true, "after_close": false})
    );
    assert_eq!(results["questions"][1]["not_applicable"], 1);
    assert_eq!(
        results["questions"][2]["choices"][1],
        json!({"choice": "Loki", "count": 12})
    );
}

#[tokio::test]
async fn wrong_columns_bad_encodings_and_bad_rows_are_reported_and_store_nothing() {
    let app = TestApp::spawn().await;
    add_people(&app);
    let id = historical_survey(&app).await;
    let header = "How likely are you to recommend the platform?,Team\n";
    for (file, expected) in [
        (
            b"Score,Team\n9,payments\n".to_vec(),
            "column 1 \"Score\" matches no question",
        ),
        ([header.as_bytes(), b"9,caf\xe9\n"].concat(), "not UTF-8"),
        (
            format!("{header}9,payments\n11,payments\n=HYPERLINK(\"x\"),\n9,nowhere\n")
                .into_bytes(),
            "row 3:",
        ),
    ] {
        let response = import(&app, id, &file).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = response.json().await.unwrap();
        let messages: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|error| error["message"].as_str().unwrap())
            .collect();
        assert!(messages[0].contains(expected), "{messages:?}");
        if expected == "row 3:" {
            assert_eq!(
                messages.len(),
                3,
                "rows 3, 4 and 5 each have a problem: {messages:?}"
            );
            assert!(messages[1].contains("formula") && messages[2].contains("nowhere"));
        }
    }
    assert_eq!(
        stored_responses(&app),
        0,
        "the good first row was not stored either"
    );
}

#[tokio::test]
async fn a_file_with_lines_ending_in_a_lone_carriage_return_is_read_line_by_line() {
    let app = TestApp::spawn().await;
    add_people(&app);
    let id = historical_survey(&app).await;
    // Excel for Mac's "CSV (Macintosh)" ends lines with CR alone.
    let header = "How likely are you to recommend the platform?,Which tools do you use?,Team\r";
    let problems = |response: reqwest::Response| async move {
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = response.json().await.unwrap();
        problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|error| error["message"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let bad_row = format!("{header}9,\"Grafana;\rLoki\",payments\r\r11,Loki,payments\r");
    let messages = problems(import(&app, id, bad_row.as_bytes()).await).await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].starts_with("row 5:") && messages[0].contains("0 to 10"),
        "the row after a quoted line break and a blank line: {messages:?}"
    );
    let unclosed = format!("{header}9,Loki,payments\r10,\"Grafana, Loki,search\r");
    let messages = problems(import(&app, id, unclosed.as_bytes()).await).await;
    assert!(
        messages[0].starts_with("line 3:") && messages[0].contains("never closed"),
        "{messages:?}"
    );
    assert_eq!(stored_responses(&app), 0);

    let good = format!("{header}9,\"Grafana, Loki\",payments\r10,Loki,search\r");
    let response = import(&app, id, good.as_bytes()).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"imported": 2})
    );
    assert_eq!(stored_responses(&app), 2);
}
