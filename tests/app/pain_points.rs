//! Pain points: naming them, linking evidence, impact, merging, access.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{CONTRIBUTOR, OTHER_CONTRIBUTOR, TEAM, TestApp};

async fn give(app: &TestApp, email: &str, body: Value) {
    let response = app.api(email).post_json("/api/v1/feedback", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn the_team_links_feedback_from_the_inbox_and_sees_the_impact_and_its_parts() {
    let app = TestApp::spawn().await;
    give(
        &app,
        CONTRIBUTOR,
        json!({"service": "ci-runner", "kind": "pain", "rating": 2, "body": "cold cache"}),
    )
    .await;
    give(
        &app,
        OTHER_CONTRIBUTOR,
        json!({"service": "ci-runner", "kind": "pain", "rating": 1, "body": "cache gone again"}),
    )
    .await;
    give(
        &app,
        CONTRIBUTOR,
        json!({"service": "ci-runner", "kind": "pain", "body": "cache", "anonymous": true}),
    )
    .await;
    let team = app.signed_in(TEAM).await;

    let created = team
        .submit(
            "/pain-points",
            "/pain-points",
            &[
                ("title", "CI caches are cold after every deploy"),
                ("description", "Probably the bucket lifecycle rule"),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    assert_eq!(created.headers()["location"], "/pain-points/1");
    let linked = team
        .submit(
            "/inbox",
            "/pain-points/evidence",
            &[
                ("pain_point", "1"),
                ("feedback_ids", "1"),
                ("feedback_ids", "2"),
                ("feedback_ids", "3"),
            ],
        )
        .await;
    assert_eq!(linked.status(), StatusCode::SEE_OTHER);

    let api: Value = app
        .api(TEAM)
        .get("/api/v1/pain-points/1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        api["impact_parts"],
        json!({"teams": 1, "people": 2, "evidence": 3, "recent": 3, "average_rating": 1.5})
    );
    // 3 × 1 + 2 × 2 + 3 + 3 + 2 × (5 − 1.5)
    assert_eq!(api["impact"], 20.0);
    assert_eq!(api["evidence"].as_array().unwrap().len(), 3);
    let page = team.get_text("/pain-points/1").await;
    assert!(page.contains("Impact 20"), "{page}");
    assert!(page.contains("3 × 1 teams + 2 × 2 people"));

    let item_page = team.get_text("/feedback/1").await;
    assert!(
        item_page.contains("Evidence for"),
        "an item's page offers its pain points"
    );
    let unknown = team
        .submit(
            "/inbox",
            "/pain-points/evidence",
            &[("pain_point", "1"), ("feedback_ids", "99")],
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn merging_moves_evidence_and_the_old_address_redirects() {
    let app = TestApp::spawn().await;
    give(
        &app,
        CONTRIBUTOR,
        json!({"service": "ci-runner", "kind": "pain", "body": "one"}),
    )
    .await;
    give(
        &app,
        CONTRIBUTOR,
        json!({"service": "ci-runner", "kind": "pain", "body": "two"}),
    )
    .await;
    let api = app.api(TEAM);
    for title in ["Slow CI", "CI is slow"] {
        let created = api
            .post_json("/api/v1/pain-points", &json!({"title": title}))
            .await;
        assert_eq!(created.status(), StatusCode::CREATED);
    }
    api.post_json(
        "/api/v1/pain-points/1/evidence",
        &json!({"feedback_ids": [1]}),
    )
    .await;
    api.post_json(
        "/api/v1/pain-points/2/evidence",
        &json!({"feedback_ids": [1, 2]}),
    )
    .await;
    let team = app.signed_in(TEAM).await;
    let asked = team
        .submit("/pain-points/2", "/pain-points/2/merge", &[("into", "1")])
        .await;
    assert_eq!(asked.status(), StatusCode::OK);
    assert!(
        asked
            .text()
            .await
            .unwrap()
            .contains("This moves 2 pieces of evidence")
    );
    let merged = team
        .submit(
            "/pain-points/2",
            "/pain-points/2/merge",
            &[("into", "1"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(merged.status(), StatusCode::SEE_OTHER);

    let target: Value = api.get("/api/v1/pain-points/1").await.json().await.unwrap();
    assert_eq!(
        target["impact_parts"]["evidence"], 2,
        "moved once, not twice"
    );
    let old = team.get("/pain-points/2").await;
    assert_eq!(old.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(old.headers()["location"], "/pain-points/1");
    let listed: Value = api.get("/api/v1/pain-points").await.json().await.unwrap();
    assert_eq!(listed["total"], 1);
    let again = team
        .submit("/pain-points/1", "/pain-points/1/merge", &[("into", "1")])
        .await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn contributors_find_a_problem_only_once_a_shipped_item_answers_it_and_never_the_teams_pages()
{
    let app = TestApp::spawn().await;
    let api = app.api(TEAM);
    api.post_json(
        "/api/v1/pain-points",
        &json!({"title": "Secrets rotation breaks deploys", "description": "quokka vault bug"}),
    )
    .await;
    api.post_json(
        "/api/v1/roadmap-items",
        &json!({"title": "Vault agent sidecar"}),
    )
    .await;
    api.post_json(
        "/api/v1/roadmap-items/1/pain-points",
        &json!({"pain_point_id": 1}),
    )
    .await;
    let contributor = app.api(CONTRIBUTOR);
    let search = |query: &'static str| {
        let contributor = &contributor;
        async move {
            let found: Value = contributor
                .get(&format!("/api/v1/search?q={query}"))
                .await
                .json()
                .await
                .unwrap();
            found
        }
    };
    // The team finds everything at once, description included.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while api
        .get("/api/v1/search?q=quokka")
        .await
        .json::<Value>()
        .await
        .unwrap()["total"]
        != 1
    {
        assert!(std::time::Instant::now() < deadline, "never indexed");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // Before shipping, a contributor finds neither the problem nor the plan.
    for query in ["rotation", "sidecar", "quokka"] {
        assert_eq!(search(query).await["total"], 0, "{query}");
    }

    api.post_json("/api/v1/roadmap-items/1/ship", &json!({}))
        .await;
    let found = loop {
        let found = search("rotation").await;
        if found["total"] == 1 || std::time::Instant::now() > deadline {
            break found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let hit = &found["hits"][0];
    assert_eq!(hit["kind"], "roadmap_item", "{found}");
    assert_eq!(search("quokka").await["total"], 0);
    // The hit opens: the item on the page everyone may read.
    let browser = app.signed_in(CONTRIBUTOR).await;
    let opened = browser.get(hit["url"].as_str().unwrap()).await;
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    assert_eq!(opened.headers()["location"], "/shipped#roadmap-1");
    assert!(
        browser
            .get_text("/shipped")
            .await
            .contains("Secrets rotation breaks deploys")
    );

    assert_eq!(
        contributor.get("/api/v1/pain-points").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        browser.get("/pain-points").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        browser.get("/pain-points/1").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn collections_page_with_limit_and_offset() {
    let app = TestApp::spawn().await;
    let api = app.api(TEAM);
    for title in ["one", "two", "three"] {
        api.post_json("/api/v1/pain-points", &json!({"title": title}))
            .await;
        api.post_json("/api/v1/roadmap-items", &json!({"title": title}))
            .await;
    }
    let page: Value = api
        .get("/api/v1/roadmap-items?limit=2&offset=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 3);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["items"][0]["title"], "two");
    let rest: Value = api
        .get("/api/v1/pain-points?limit=2&offset=2")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        api.get("/api/v1/interviews?limit=0").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn a_pain_point_with_services_and_tags_is_filtered_searched_and_listed_on_its_service_page() {
    let app = TestApp::spawn().await;
    let team = app.signed_in(TEAM).await;
    let created = team
        .submit(
            "/pain-points",
            "/pain-points",
            &[
                ("title", "Namespaces take tickets"),
                ("services", "k8s.prod"),
                ("tags", "onboarding, tickets"),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    team.submit("/pain-points", "/pain-points", &[("title", "Slow builds")])
        .await;
    let page = team.get_text("/pain-points/1").await;
    assert!(page.contains("k8s.prod") && page.contains("#onboarding"));
    let filtered = team.get_text("/pain-points?tag=onboarding").await;
    assert!(filtered.contains("Namespaces take tickets") && !filtered.contains("Slow builds"));
    let by_service = team.get_text("/pain-points?service=k8s.prod").await;
    assert!(!by_service.contains("Slow builds"));
    let service_page = team.get_text("/services/k8s.prod").await;
    assert!(
        service_page.contains("Namespaces take tickets"),
        "{service_page}"
    );

    let edited = team
        .submit(
            "/pain-points/1",
            "/pain-points/1/edit",
            &[
                ("title", "Namespaces take three tickets"),
                ("services", "ci-runner"),
                ("tags", "self-service"),
            ],
        )
        .await;
    assert_eq!(edited.status(), StatusCode::SEE_OTHER);
    let api = app.api(TEAM);
    let pain_point: Value = api.get("/api/v1/pain-points/1").await.json().await.unwrap();
    assert_eq!(pain_point["services"], json!(["ci-runner"]));
    assert_eq!(pain_point["tags"], json!(["self-service"]));
    api.search_until("kind:pain_point tag:self-service service:ci-runner", 1)
        .await;
    api.search_until("tag:onboarding", 0).await;
    let listed: Value = api
        .get("/api/v1/pain-points?service=ci-runner")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["total"], 1);

    let unknown = api
        .patch_json("/api/v1/pain-points/1", &json!({"services": ["nope"]}))
        .await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = unknown.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "services");
    let wrong = api
        .patch_json("/api/v1/pain-points/1", &json!({"tags": "caching"}))
        .await;
    let problem: Value = wrong.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "tags");
    let patched: Value = api
        .patch_json("/api/v1/pain-points/1", &json!({"tags": ["caching"]}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(patched["tags"], json!(["caching"]));
    assert_eq!(patched["services"], json!(["ci-runner"]), "kept");
}

#[tokio::test]
async fn a_pain_point_names_the_people_and_teams_heard_but_never_an_anonymous_author() {
    let app = TestApp::spawn().await;
    give(
        &app,
        CONTRIBUTOR,
        json!({"service": "ci-runner", "kind": "pain", "body": "cold cache again"}),
    )
    .await;
    give(
        &app,
        OTHER_CONTRIBUTOR,
        json!({"service": "ci-runner", "kind": "pain", "body": "cache cold", "anonymous": true}),
    )
    .await;
    let api = app.api(TEAM);
    api.post_json("/api/v1/pain-points", &json!({"title": "Cold caches"}))
        .await;
    api.post_json(
        "/api/v1/pain-points/1/evidence",
        &json!({"feedback_ids": [1, 2]}),
    )
    .await;
    api.post_json(
        "/api/v1/interviews",
        &json!({"participant_name": "Lars Berg", "participant_team": "platform",
                "held_on": "2026-11-20", "notes": "The cache is cold every morning."}),
    )
    .await;
    api.post_json(
        "/api/v1/interviews/1/highlights",
        &json!({"quote": "cold every morning"}),
    )
    .await;
    let team = app.signed_in(TEAM).await;
    team.submit(
        "/interviews/1",
        "/pain-points/highlights",
        &[("pain_point", "1"), ("highlight", "1")],
    )
    .await;

    let page = team.get_text("/pain-points/1").await;
    assert!(page.contains("Cora Contributor (payments)"), "{page}");
    assert!(page.contains("Lars Berg (platform)"));
    assert!(
        !page.contains("Otto Other"),
        "an anonymous author stays anonymous"
    );
    let pain_point: Value = api.get("/api/v1/pain-points/1").await.json().await.unwrap();
    assert_eq!(
        pain_point["affected_teams"],
        json!([{"team": "payments", "people": 1}, {"team": "platform", "people": 1}])
    );
    let names: Vec<&str> = pain_point["affected_people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|person| person["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Cora Contributor", "Lars Berg"]);

    let contributor = app.signed_in(CONTRIBUTOR).await;
    assert_eq!(
        contributor.get("/pain-points/1").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.api(CONTRIBUTOR)
            .get("/api/v1/pain-points/1")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_team_links_search_hits_to_a_pain_point_and_linking_twice_is_a_no_op() {
    let app = TestApp::spawn().await;
    give(
        &app,
        CONTRIBUTOR,
        json!({"service": "ci-runner", "kind": "pain", "body": "The quokka cache is cold"}),
    )
    .await;
    let api = app.api(TEAM);
    api.post_json(
        "/api/v1/interviews",
        &json!({"participant_name": "Lars Berg", "held_on": "2026-11-20",
                "notes": "Every morning the quokka cache is cold."}),
    )
    .await;
    api.post_json(
        "/api/v1/interviews/1/highlights",
        &json!({"quote": "the quokka cache is cold"}),
    )
    .await;
    api.post_json("/api/v1/pain-points", &json!({"title": "Cold caches"}))
        .await;
    api.search_until("quokka", 2).await;

    let team = app.signed_in(TEAM).await;
    let results = team.get_text("/search?q=quokka").await;
    assert!(
        results.contains(r#"name="feedback_ids" value="1""#),
        "{results}"
    );
    assert!(results.contains(r#"name="highlight_ids" value="1""#));
    for _ in 0..2 {
        let linked = team
            .submit(
                "/search?q=quokka",
                "/pain-points/evidence",
                &[
                    ("pain_point", "1"),
                    ("feedback_ids", "1"),
                    ("highlight_ids", "1"),
                    ("return_to", "/search?q=quokka"),
                ],
            )
            .await;
        assert_eq!(linked.status(), StatusCode::SEE_OTHER);
        assert_eq!(linked.headers()["location"], "/search?q=quokka");
    }
    let pain_point: Value = api.get("/api/v1/pain-points/1").await.json().await.unwrap();
    assert_eq!(
        pain_point["impact_parts"]["evidence"], 2,
        "linked once each"
    );

    let elsewhere = team
        .submit(
            "/search?q=quokka",
            "/pain-points/evidence",
            &[
                ("pain_point", "1"),
                ("feedback_ids", "1"),
                ("return_to", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(elsewhere.headers()["location"], "/pain-points/1");
    let nothing = team
        .submit(
            "/search?q=quokka",
            "/pain-points/evidence",
            &[("pain_point", "1")],
        )
        .await;
    assert_eq!(nothing.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let contributor = app.signed_in(CONTRIBUTOR).await;
    let own = contributor.get_text("/search?q=quokka").await;
    assert!(
        own.contains("quokka"),
        "a contributor finds their own feedback"
    );
    assert!(!own.contains("link-form") && !own.contains("Cold caches"));
}

#[tokio::test]
async fn deleting_feedback_that_is_evidence_asks_first_and_leaves_the_pain_point_consistent() {
    let app = TestApp::spawn().await;
    for body in ["cold cache", "cache gone again"] {
        give(
            &app,
            CONTRIBUTOR,
            json!({"service": "ci-runner", "kind": "pain", "rating": 2, "body": body}),
        )
        .await;
    }
    let api = app.api(TEAM);
    api.post_json(
        "/api/v1/pain-points",
        &json!({"title": "CI caches are cold"}),
    )
    .await;
    let team = app.signed_in(TEAM).await;
    team.submit(
        "/inbox",
        "/pain-points/evidence",
        &[
            ("pain_point", "1"),
            ("feedback_ids", "1"),
            ("feedback_ids", "2"),
        ],
    )
    .await;

    // The API refuses without confirmation, naming the pain point.
    let refused = api
        .client
        .delete(app.url("/api/v1/feedback/1"))
        .bearer_auth(app.token_for(TEAM))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let problem: Value = refused.json().await.unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("CI caches are cold"),
        "{problem}"
    );
    // The page asks first and names it too.
    let ask = team.get_text("/feedback/1/delete").await;
    assert!(ask.contains("Delete this feedback?") && ask.contains("CI caches are cold"));
    // A contributor cannot delete, not even their own.
    let contributor = app.signed_in(CONTRIBUTOR).await;
    assert_eq!(
        contributor
            .submit("/feedback/1", "/feedback/1/delete", &[])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let deleted = team
        .submit("/feedback/1/delete", "/feedback/1/delete", &[])
        .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        team.get("/feedback/1").await.status(),
        StatusCode::NOT_FOUND
    );
    let pain_point: Value = api.get("/api/v1/pain-points/1").await.json().await.unwrap();
    assert_eq!(pain_point["impact_parts"]["evidence"], 1, "{pain_point}");
    assert_eq!(pain_point["evidence"][0]["feedback_id"], 2);
    // Confirmed through the API, the last piece goes too.
    let confirmed = api
        .client
        .delete(app.url("/api/v1/feedback/2?confirm=true"))
        .bearer_auth(app.token_for(TEAM))
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), StatusCode::NO_CONTENT);
    let pain_point: Value = api.get("/api/v1/pain-points/1").await.json().await.unwrap();
    assert_eq!(pain_point["impact_parts"]["evidence"], 0, "{pain_point}");
    assert_eq!(app.feedback_count(), 0);
}
