//! Findings 8 and 9: survey comments in search, and what contributors'
//! searches could learn from documents they may not open.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::Wave;
use crate::helpers::{Api, CONTRIBUTOR, TEAM, TestApp};
use crate::surveys::answer;

async fn get_json(api: &Api, path: &str, query: &[(&str, &str)]) -> Value {
    let response = api
        .client
        .get(format!("{}{path}", api.base))
        .bearer_auth(&api.token)
        .query(query)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path} {query:?}");
    response.json().await.unwrap()
}

async fn search(api: &Api, query: &str) -> Value {
    get_json(api, "/api/v1/search", &[("q", query), ("limit", "50")]).await
}

/// Waits until the indexer has applied everything written so far, by
/// writing a marker after it and waiting for the marker.
async fn indexed(team: &Api, marker: &str) {
    let created = team
        .post_json(
            "/api/v1/feedback",
            &json!({"service": "k8s.prod", "kind": "idea", "body": marker, "anonymous": false}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    team.search_until(marker, 1).await;
}

#[tokio::test]
async fn finding_8_comments_are_searchable_only_once_their_question_has_k_and_dated_by_the_day() {
    let app = TestApp::spawn().await;
    let emails = app.add_team_members(&[("alpha", 3)]);
    let team = app.api(TEAM);
    let wave = Wave::open(
        &app,
        json!({"title": "Pulse", "threshold": 3, "questions": [
            {"kind": "text", "prompt": "What should we fix?"}
        ]}),
        &emails,
    )
    .await;
    let question = wave.questions[0];
    let links: Vec<&str> = wave.links_of("alpha").collect();
    for link in &links[..2] {
        let status = answer(
            &app,
            link,
            json!([{"question_id": question, "text": "the kumquat pipeline"}]),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    indexed(&team, "markerone").await;
    assert_eq!(
        search(&team, "kumquat").await["total"],
        0,
        "two comments are under k = 3"
    );
    let results: Value = team
        .get(&format!("/api/v1/surveys/{}/results", wave.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(results["questions"][0]["suppressed"], true);

    let status = answer(
        &app,
        links[2],
        json!([{"question_id": question, "text": "kumquat again"}]),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let found = team.search_until("kumquat", 3).await;
    for hit in found["hits"].as_array().unwrap() {
        let created = hit["created_at"].as_str().unwrap();
        assert!(created.contains("T00:00:00"), "dated by the day: {created}");
        let page = team
            .get(hit["url"].as_str().unwrap())
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Answered on") && !page.contains(":00 UTC"),
            "{page}"
        );
    }
}

#[tokio::test]
async fn finding_9_contributor_search_learns_nothing_from_what_they_may_not_open() {
    let app = TestApp::spawn().await;
    let team = app.api(TEAM);
    let contributor = app.api(CONTRIBUTOR);
    for body in [
        "slow logs on the runners",
        "logs rotate too fast",
        "runner logs vanish",
    ] {
        let created = contributor
            .post_json(
                "/api/v1/feedback",
                &json!({"service": "ci-runner", "kind": "pain", "body": body, "anonymous": false}),
            )
            .await;
        assert_eq!(created.status(), StatusCode::CREATED);
    }
    let item: Value = team
        .post_json(
            "/api/v1/roadmap-items",
            &json!({"title": "Longer log retention"}),
        )
        .await
        .json()
        .await
        .unwrap();
    team.post_json(
        &format!("/api/v1/roadmap-items/{}/ship", item["id"]),
        &json!({}),
    )
    .await;
    indexed(&team, "markerone").await;
    contributor.search_until("retention", 1).await;

    let typo = "arjum OR retentoin";
    let scores = "logs";
    let similar = [("text", "rotate zebracorn")];
    let before = (
        search(&contributor, typo).await,
        search(&contributor, scores).await,
        get_json(&contributor, "/api/v1/search/similar", &similar).await,
    );
    assert_eq!(
        before.0["showing_results_for"], "arjum OR retention",
        "{}",
        before.0
    );
    assert_eq!(
        before.2["hits"].as_array().map(Vec::len),
        Some(1),
        "{}",
        before.2
    );

    // What contributors may not open: an interview with Arjun, anonymous
    // feedback full of the words they search for.
    let interview = team
        .post_json(
            "/api/v1/interviews",
            &json!({"participant_name": "Arjun", "held_on": "2026-01-05", "notes": "logs logs logs zebracorn"}),
        )
        .await;
    assert_eq!(interview.status(), StatusCode::CREATED);
    for body in ["logs logs everywhere", "zebracorn rotate logs", "logs"] {
        let created = team
            .post_json(
                "/api/v1/feedback",
                &json!({"service": "ci-runner", "kind": "pain", "body": body, "anonymous": true}),
            )
            .await;
        assert_eq!(created.status(), StatusCode::CREATED);
    }
    team.search_until("zebracorn", 2).await;
    team.search_until("arjun", 1).await;

    let after = (
        search(&contributor, typo).await,
        search(&contributor, scores).await,
        get_json(&contributor, "/api/v1/search/similar", &similar).await,
    );
    assert_eq!(
        before.0, after.0,
        "typo suggestions changed with hidden documents"
    );
    assert_eq!(
        before.1, after.1,
        "scores, order or snippets changed with hidden documents"
    );
    assert_eq!(
        before.2, after.2,
        "\"similar\" changed with hidden documents"
    );
    assert!(!after.0.to_string().to_lowercase().contains("arjun"));
}
