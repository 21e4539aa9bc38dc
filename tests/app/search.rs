//! Search through the HTTP API and page, against a real tantivy index.

use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Api, CONTRIBUTOR, OTHER_CONTRIBUTOR, TEAM, TestApp};

/// Posts feedback and returns its id.
async fn give(api: &Api, fields: Value) -> i64 {
    let mut body = json!({"service": "ci-runner", "kind": "pain", "anonymous": false});
    for (key, value) in fields.as_object().unwrap() {
        body[key] = value.clone();
    }
    let response = api.post_json("/api/v1/feedback", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn search(api: &Api, query: &str) -> Value {
    let response = api
        .client
        .get(format!("{}/api/v1/search", api.base))
        .bearer_auth(&api.token)
        .query(&[("q", query), ("limit", "50")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "searching {query:?}");
    response.json().await.unwrap()
}

/// Waits (polling, up to 10 s) until `query` finds `total` documents.
async fn eventually(api: &Api, query: &str, total: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let results = search(api, query).await;
        if results["total"] == total || Instant::now() > deadline {
            assert_eq!(results["total"], total, "{query:?}: {results}");
            return results;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn ids(results: &Value) -> Vec<i64> {
    results["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["id"].as_i64().unwrap())
        .collect()
}

/// The fixed corpus most tests search.
async fn corpus(app: &TestApp) -> Api {
    let api = app.api(CONTRIBUTOR);
    give(&api, json!({"title": "Runner cache", "body": "ci-runner evicts the Gradle cache on every build"})).await;
    give(&api, json!({"service": "k8s.prod", "body": "Pods on k8s.prod get OOMKilled at p99 load", "rating": 1})).await;
    give(&api, json!({"body": "PagerDuty paged me during INC-4211 for nothing", "kind": "idea", "rating": 4})).await;
    give(
        &api,
        json!({"body": "Le déploiement est lent, deployments take an hour", "rating": 2}),
    )
    .await;
    give(
        &api,
        json!({"body": "We keep getting a cache miss on Windows runners"}),
    )
    .await;
    give(
        &api,
        json!({"body": "The runners miss the cache daily", "kind": "praise", "rating": 5}),
    )
    .await;
    eventually(&api, "", 6).await;
    api
}

#[tokio::test]
async fn identifiers_are_found_as_typed() {
    let app = TestApp::spawn().await;
    let api = corpus(&app).await;
    for (query, expected) in [
        ("ci-runner", vec![1]),
        ("ci runner", vec![1]),
        ("k8s.prod", vec![2]),
        ("OOMKilled", vec![2]),
        ("oomkilled", vec![2]),
        ("p99", vec![2]),
        ("PagerDuty", vec![3]),
        ("INC-4211", vec![3]),
    ] {
        let results = search(&api, query).await;
        assert_eq!(ids(&results), expected, "{query}: {results}");
    }
}

#[tokio::test]
async fn accents_fold_and_english_is_stemmed() {
    let app = TestApp::spawn().await;
    let api = corpus(&app).await;
    assert_eq!(ids(&search(&api, "deploiement").await), vec![4]);
    assert_eq!(ids(&search(&api, "DÉPLOIEMENT").await), vec![4]);
    assert_eq!(
        ids(&search(&api, "deployment").await),
        vec![4],
        "deployments is stemmed"
    );
    assert_eq!(ids(&search(&api, "evicting builds").await), vec![1]);
}

#[tokio::test]
async fn exact_matches_rank_above_stemmed_ones() {
    let app = TestApp::spawn().await;
    let api = app.api(CONTRIBUTOR);
    let stemmed = give(
        &api,
        json!({"body": "the runners were slow again today, slow slow runners"}),
    )
    .await;
    let exact = give(&api, json!({"body": "one runner was slow"})).await;
    let results = eventually(&api, "runner", 2).await;
    assert_eq!(ids(&results), vec![exact, stemmed], "{results}");
}

#[tokio::test]
async fn phrases_exclusions_and_or_work() {
    let app = TestApp::spawn().await;
    let api = corpus(&app).await;
    assert_eq!(ids(&search(&api, "\"cache miss\"").await), vec![5]);
    let mut both = ids(&search(&api, "cache miss").await);
    both.sort();
    assert_eq!(both, vec![5, 6]);
    assert_eq!(ids(&search(&api, "cache miss -windows").await), vec![6]);
    let mut either = ids(&search(&api, "PagerDuty OR OOMKilled").await);
    either.sort();
    assert_eq!(either, vec![2, 3]);
}

#[tokio::test]
async fn filters_narrow_by_field_rating_and_date() {
    let app = TestApp::spawn_at("2026-12-31T23:58:00Z").await;
    let api = corpus(&app).await;
    assert_eq!(ids(&search(&api, "service:k8s.prod").await), vec![2]);
    assert_eq!(search(&api, "kind:pain").await["total"], 4);
    assert_eq!(ids(&search(&api, "kind:idea").await), vec![3]);
    assert_eq!(search(&api, "kind:feedback").await["total"], 6);
    assert_eq!(search(&api, "-kind:pain").await["total"], 2);
    assert_eq!(search(&api, "team:payments").await["total"], 6);
    assert_eq!(search(&api, "status:new").await["total"], 6);
    let mut low = ids(&search(&api, "rating:<3").await);
    low.sort();
    assert_eq!(low, vec![2, 4]);
    assert_eq!(ids(&search(&api, "rating:>=4 cache").await), vec![6]);
    let today = app.clock.now().date_naive();
    let tomorrow = today.succ_opt().unwrap();
    assert_eq!(search(&api, &format!("after:{today}")).await["total"], 6);
    assert_eq!(search(&api, &format!("after:{tomorrow}")).await["total"], 0);
    assert_eq!(search(&api, &format!("before:{today}")).await["total"], 0);
}

#[tokio::test]
async fn tags_and_status_set_in_triage_become_searchable() {
    let app = TestApp::spawn().await;
    let api = corpus(&app).await;
    let team = app.signed_in(TEAM).await;
    team.submit("/feedback/1", "/feedback/1/triage", &[("tags", "caching")])
        .await;
    team.submit(
        "/feedback/1",
        "/feedback/1/triage",
        &[("status", "planned")],
    )
    .await;
    assert_eq!(
        ids(&eventually(&api, "tag:caching status:planned", 1).await),
        vec![1]
    );
}

#[tokio::test]
async fn a_word_that_matches_nothing_falls_back_to_the_closest_word() {
    let app = TestApp::spawn().await;
    let api = corpus(&app).await;
    let results = search(&api, "evcts").await;
    assert_eq!(results["showing_results_for"], "evicts");
    assert_eq!(ids(&results), vec![1]);
    let results = search(&api, "PagerDutty").await;
    assert_eq!(results["showing_results_for"], "pagerduty");
    let exact = search(&api, "evicts").await;
    assert!(exact["showing_results_for"].is_null());
}

#[tokio::test]
async fn facets_count_what_matched() {
    let app = TestApp::spawn_at("2028-02-29T12:00:00Z").await;
    let api = corpus(&app).await;
    let results = search(&api, "").await;
    let services = &results["facets"]["service"];
    assert_eq!(services[0], json!({"value": "ci-runner", "count": 5}));
    assert_eq!(services[1], json!({"value": "k8s.prod", "count": 1}));
    assert_eq!(
        results["facets"]["team"][0],
        json!({"value": "payments", "count": 6})
    );
    let year = chrono::Datelike::year(&app.clock.now()).to_string();
    assert_eq!(
        results["facets"]["year"][0],
        json!({"value": year, "count": 6})
    );
    let narrowed = search(&api, "OOMKilled").await;
    assert_eq!(
        narrowed["facets"]["service"],
        json!([{"value": "k8s.prod", "count": 1}])
    );
}

#[tokio::test]
async fn a_contributor_never_finds_or_counts_what_they_may_not_open() {
    let app = TestApp::spawn().await;
    let cora = app.api(CONTRIBUTOR);
    let otto = app.api(OTHER_CONTRIBUTOR);
    give(
        &cora,
        json!({"body": "zebra crossing in the deploy pipeline"}),
    )
    .await;
    give(&otto, json!({"body": "zebra stripes on the dashboard"})).await;
    give(
        &cora,
        json!({"body": "zebra anonymous remark", "anonymous": true}),
    )
    .await;
    let team_api = app.api(TEAM);
    eventually(&team_api, "zebra", 3).await;
    let team = app.signed_in(TEAM).await;
    team.submit(
        "/feedback/1",
        "/feedback/1/triage",
        &[("note", "quokkasecret internal remark")],
    )
    .await;
    eventually(&team_api, "quokkasecret", 1).await;

    let results = search(&cora, "zebra").await;
    assert_eq!(ids(&results), vec![1]);
    assert_eq!(results["total"], 1);
    assert_eq!(
        results["facets"]["service"],
        json!([{"value": "ci-runner", "count": 1}])
    );
    let notes = search(&cora, "quokkasecret").await;
    assert_eq!(notes["total"], 0, "internal notes are for the team");
    let suggestion = search(&cora, "quokkasecrt").await;
    assert!(suggestion["showing_results_for"].is_null(), "{suggestion}");
    assert_eq!(search(&otto, "").await["total"], 1);
}

#[tokio::test]
async fn broken_queries_give_results_and_say_what_was_ignored() {
    let app = TestApp::spawn().await;
    let api = corpus(&app).await;
    let long = "cache ".repeat(2_000);
    for query in [
        "",
        "-",
        "\"",
        "OR OR",
        "\"unbalanced cache",
        "foo:bar",
        "rating:<x",
        "after:yesterday",
        "cache\u{0}\u{1b}[31m",
        "<script>alert(1)</script>",
        long.as_str(),
        "*",
        "(((",
        "service:",
    ] {
        let results = search(&api, query).await;
        assert!(results["total"].is_u64(), "{query:?}: {results}");
    }
    let ignored = search(&api, "rating:<x cache").await;
    assert_eq!(ignored["ignored"].as_array().unwrap().len(), 1);
    assert_eq!(ignored["total"], 3);
}

#[tokio::test]
async fn bad_paging_parameters_are_named() {
    let app = TestApp::spawn().await;
    let api = app.api(TEAM);
    let response = api
        .get("/api/v1/search?q=x&limit=0&offset=-3&sort=random")
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["errors"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn the_search_page_highlights_matches_and_escapes_what_people_wrote() {
    let app = TestApp::spawn().await;
    let api = app.api(CONTRIBUTOR);
    give(&api, json!({"title": "<b>bold</b> title", "body": "a <script>alert('x')</script> in the ci-runner logs"})).await;
    eventually(&api, "logs", 1).await;
    let browser = app.signed_in(CONTRIBUTOR).await;
    let page = browser.get_text("/search?q=logs+%3Cscript%3E").await;
    assert!(page.contains("<mark>logs</mark>"), "{page}");
    assert!(!page.contains("<script>alert"));
    assert!(!page.contains("<b>bold</b>"));
    assert!(page.contains("&lt;b&gt;bold&lt;/b&gt; title"));
    let everything = browser.get_text("/search?q=foo%3Abar+%22").await;
    assert!(everything.contains("left out"));
}

#[tokio::test]
async fn the_index_survives_a_restart_and_is_rebuilt_when_missing_or_broken() {
    let app = TestApp::spawn().await;
    let api = corpus(&app).await;
    let app = app.restart().await;
    let api = Api {
        base: app.address.clone(),
        ..api
    };
    assert_eq!(search(&api, "OOMKilled").await["total"], 1);

    let mut app = app;
    app.stop().await;
    std::fs::remove_dir_all(app.data_dir.join("index")).unwrap();
    let app = app.restart().await;
    let api = Api {
        base: app.address.clone(),
        ..api
    };
    assert_eq!(
        search(&api, "OOMKilled").await["total"],
        1,
        "rebuilt from SQLite"
    );

    let mut app = app;
    app.stop().await;
    std::fs::write(app.data_dir.join("index/CURRENT"), "gen-nonsense").unwrap();
    let app = app.restart().await;
    let api = Api {
        base: app.address.clone(),
        ..api
    };
    assert_eq!(search(&api, "").await["total"], 6, "rebuilt from SQLite");
}

/// Random creates, updates and deletes, then every filter's count in the
/// index must equal a scan of SQLite.
#[tokio::test]
async fn the_index_matches_sqlite_after_random_creates_updates_and_deletes() {
    let app = TestApp::spawn().await;
    let api = app.api(CONTRIBUTOR);
    let team = app.signed_in(TEAM).await;
    let mut random = StdRng::seed_from_u64(0x5eed);
    let mut next = move |bound: u64| random.random_range(0..bound);
    let statuses = ["new", "triaged", "planned", "done", "closed"];
    let tags = ["caching", "flaky", "latency"];
    let mut created = 0;
    for _ in 0..120 {
        match next(10) {
            0..=4 => {
                let service = if next(2) == 0 {
                    "ci-runner"
                } else {
                    "k8s.prod"
                };
                give(
                    &api,
                    json!({"service": service, "body": format!("random item {}", next(1000))}),
                )
                .await;
                created += 1;
            }
            5..=6 if created > 0 => {
                let id = next(created) + 1;
                let status = statuses[next(5) as usize];
                // The item may have been deleted; a 404 is then the right answer.
                team.submit(
                    "/inbox",
                    &format!("/feedback/{id}/triage"),
                    &[("status", status)],
                )
                .await;
            }
            7..=8 if created > 0 => {
                let id = next(created) + 1;
                let tag = tags[next(3) as usize];
                team.submit(
                    "/inbox",
                    &format!("/feedback/{id}/triage"),
                    &[("tags", tag)],
                )
                .await;
            }
            _ if created > 0 => {
                let id = next(created) + 1;
                app.with_db(|connection| {
                    connection.execute("DELETE FROM feedback WHERE id = ?1", [id as i64])?;
                    Ok(())
                });
            }
            _ => {}
        }
    }
    let team_api = app.api(TEAM);
    let count = |sql: String| -> u64 {
        app.with_db(|connection| Ok(connection.query_row(&sql, [], |row| row.get::<_, i64>(0))?))
            as u64
    };
    // The last changes may still be on their way to the index: each count
    // is awaited, not read once after the total matched.
    eventually(&team_api, "", count("SELECT count(*) FROM feedback".into())).await;
    for status in statuses {
        let expected = count(format!(
            "SELECT count(*) FROM feedback WHERE status = '{status}'"
        ));
        eventually(&team_api, &format!("status:{status}"), expected).await;
    }
    for tag in tags {
        let expected = count(format!(
            "SELECT count(*) FROM feedback_tags JOIN tags ON tags.id = tag_id WHERE tags.name = '{tag}'"
        ));
        eventually(&team_api, &format!("tag:{tag}"), expected).await;
    }
    for service in ["ci-runner", "k8s.prod"] {
        let expected = count(format!(
            "SELECT count(*) FROM feedback JOIN services ON services.id = service_id WHERE slug = '{service}'"
        ));
        assert_eq!(
            search(&team_api, &format!("service:{service}")).await["total"],
            expected
        );
    }
}

/// Acknowledged writes, then the process is killed (no graceful shutdown,
/// no final index commit); more rows arrive while it is down. On restart
/// the index catches up from its commit payload and matches SQLite.
#[tokio::test]
async fn after_a_kill_the_index_catches_up_with_sqlite() {
    use tokio::process::Command;

    let data = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
            .env("EARSHOT_DATA_DIR", data.path())
            .args(args)
            .output()
            .unwrap()
    };
    assert!(run(&["seed"]).status.success());
    let token = String::from_utf8(
        run(&[
            "token",
            "create",
            "--email",
            "priya.natarajan@halcyon.example",
        ])
        .stdout,
    )
    .unwrap()
    .trim()
    .to_owned();

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let mut server = Command::new(env!("CARGO_BIN_EXE_earshot"))
        .env("EARSHOT_DATA_DIR", data.path())
        .args(["serve", "--listen", &address.to_string()])
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let api = Api {
        base: format!("http://{address}"),
        token,
        client: reqwest::Client::new(),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while api
        .client
        .get(format!("{}/readyz", api.base))
        .send()
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for index in 0..50 {
        give(&api, json!({"body": format!("wombat sighting {index}")})).await;
    }
    server.start_kill().unwrap();
    server.wait().await.unwrap();

    let connection = rusqlite::Connection::open(data.path().join("earshot.db")).unwrap();
    connection
        .execute(
            "INSERT INTO feedback (service_id, kind, body, author_id, anonymous, created_at, updated_at)
             SELECT service_id, kind, 'wombat written while down', author_id, 0, created_at, updated_at
               FROM feedback WHERE body LIKE 'wombat%' LIMIT 5",
            [],
        )
        .unwrap();
    connection
        .execute("DELETE FROM feedback WHERE id = 1", [])
        .unwrap();
    let in_sqlite: i64 = connection
        .query_row("SELECT count(*) FROM feedback", [], |row| row.get(0))
        .unwrap();
    drop(connection);

    let app = TestApp::start(data.path()).await;
    let team = app.api("sam.rivera@halcyon.example");
    eventually(&team, "wombat", 55).await;
    eventually(&team, "kind:feedback", in_sqlite as u64).await;
}

#[tokio::test]
async fn similar_feedback_suggests_only_what_the_viewer_may_open() {
    let app = TestApp::spawn().await;
    let cora = app.api(CONTRIBUTOR);
    let otto = app.api(OTHER_CONTRIBUTOR);
    give(
        &cora,
        json!({"body": "Gradle cache eviction makes every ci-runner build cold"}),
    )
    .await;
    give(
        &otto,
        json!({"body": "Gradle cache eviction again, builds are cold"}),
    )
    .await;
    give(&cora, json!({"body": "Grafana dashboards load slowly"})).await;
    let team = app.api(TEAM);
    eventually(&team, "", 3).await;
    let similar = |api: &Api| {
        let request = api
            .client
            .get(format!("{}/api/v1/search/similar", api.base))
            .bearer_auth(&api.token)
            .query(&[(
                "text",
                "my builds are cold because the gradle cache was evicted",
            )]);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let for_team: Vec<i64> = similar(&team).await["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["id"].as_i64().unwrap())
        .collect();
    assert_eq!(for_team.len(), 2, "{for_team:?}");
    assert!(!for_team.contains(&3));
    let for_cora = similar(&cora).await;
    assert_eq!(for_cora["hits"].as_array().unwrap().len(), 1, "{for_cora}");
    assert_eq!(for_cora["hits"][0]["id"], 1);
}

#[tokio::test]
async fn a_match_in_the_title_ranks_above_matches_in_the_body() {
    let app = TestApp::spawn().await;
    let api = app.api(CONTRIBUTOR);
    let body = give(&api, json!({"title": "Builds", "body": "ci-runner ci-runner ci-runner is slow, ci-runner again"})).await;
    let title = give(
        &api,
        json!({"title": "ci-runner cache misses", "body": "every build starts cold"}),
    )
    .await;
    let results = eventually(&api, "ci-runner", 2).await;
    assert_eq!(ids(&results), vec![title, body], "{results}");
}

#[tokio::test]
async fn facets_name_kinds_of_feedback_and_long_words_are_reported() {
    let app = TestApp::spawn().await;
    let api = corpus(&app).await;
    let results = search(&api, "").await;
    let kinds: Vec<&str> = results["facets"]["kind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|count| count["value"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["pain", "idea", "praise"]);
    let long = search(&api, &format!("cache {}", "x".repeat(100))).await;
    assert_eq!(long["ignored"].as_array().unwrap().len(), 1, "{long}");
    assert_eq!(long["total"], 3);
}

#[tokio::test]
async fn a_search_page_past_the_end_shows_the_last_page() {
    let app = TestApp::spawn().await;
    corpus(&app).await;
    let browser = app.signed_in(CONTRIBUTOR).await;
    let page = browser.get_text("/search?q=&page=999").await;
    assert!(page.contains("6 results"));
    assert!(
        page.contains("ci-runner evicts"),
        "the hits of the last page are shown"
    );
    assert!(page.contains("Search your feedback"));
}

/// A survey with one text question, open, its people invited; returns the
/// survey and question ids and each person's personal link.
async fn comment_survey(
    app: &TestApp,
    team: &Api,
    body: Value,
    people: &[String],
) -> (i64, i64, Vec<String>) {
    let survey: Value = team
        .post_json("/api/v1/surveys", &body)
        .await
        .json()
        .await
        .unwrap();
    let (id, question) = (
        survey["id"].as_i64().unwrap(),
        survey["questions"][0]["id"].as_i64().unwrap(),
    );
    team.post_json(&format!("/api/v1/surveys/{id}/open"), &json!({}))
        .await;
    team.post_json(
        &format!("/api/v1/surveys/{id}/invitations"),
        &json!({"emails": people}),
    )
    .await;
    let tokens = app
        .invitation_tokens(id)
        .await
        .into_iter()
        .map(|(_, token)| token)
        .collect();
    (id, question, tokens)
}

async fn comment(app: &TestApp, token: &str, question: i64, text: &str) -> StatusCode {
    reqwest::Client::new()
        .post(app.url(&format!("/api/v1/responses/{token}")))
        .json(&json!({"answers": [{"question_id": question, "text": text}]}))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn survey_comments_are_found_by_the_team_only_and_anonymous_ones_name_no_team() {
    let app = TestApp::spawn().await;
    let emails = app.add_team_members(&[("mobile", 3)]);
    let team = app.api(TEAM);
    let (_, question, tokens) = comment_survey(
        &app,
        &team,
        json!({"title": "Pulse", "anonymous": true, "threshold": 3, "questions": [
            {"kind": "text", "prompt": "What should we fix first?"}
        ]}),
        &emails,
    )
    .await;
    for (token, text) in tokens.iter().zip([
        "The flamegraph exporter <b>times out</b>",
        "Flamegraph colours",
        "Runners are slow",
    ]) {
        assert_eq!(
            comment(&app, token, question, text).await,
            StatusCode::CREATED
        );
    }

    let found = eventually(&team, "flamegraph", 2).await;
    let hit = found["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|hit| hit["snippet"].as_str().unwrap().contains("times out"))
        .unwrap();
    assert_eq!(hit["kind"], "survey_response");
    assert_eq!(found["facets"]["team"], json!([]), "{found}");
    let created = hit["created_at"].as_str().unwrap();
    assert!(
        created.ends_with("T00:00:00Z") || created.ends_with("T00:00:00+00:00"),
        "comments are dated by the day: {created}"
    );
    let page = team.get(hit["url"].as_str().unwrap()).await;
    let status = page.status();
    let page = page.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("&lt;b&gt;times out&lt;/b&gt;"), "{page}");
    assert!(page.contains("who answered is not recorded"));
    assert!(!page.contains("(mobile)"));

    let contributor = app.api(CONTRIBUTOR);
    assert_eq!(search(&contributor, "flamegraph").await["total"], 0);
    assert_eq!(
        contributor.get(hit["url"].as_str().unwrap()).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_edited_comment_of_a_named_survey_replaces_the_old_one_in_search() {
    let app = TestApp::spawn().await;
    let team = app.api(TEAM);
    let (_, question, tokens) = comment_survey(
        &app,
        &team,
        json!({"title": "Pulse", "anonymous": false, "threshold": 1, "questions": [
            {"kind": "text", "prompt": "What should we fix first?"}
        ]}),
        &[CONTRIBUTOR.to_owned()],
    )
    .await;
    comment(
        &app,
        &tokens[0],
        question,
        "The flamegraph exporter times out",
    )
    .await;
    eventually(&team, "flamegraph", 1).await;
    assert_eq!(
        comment(&app, &tokens[0], question, "Alert routing is confusing").await,
        StatusCode::OK
    );
    eventually(&team, "routing", 1).await;
    eventually(&team, "flamegraph", 0).await;
}

#[tokio::test]
async fn an_applied_facet_is_marked_and_can_be_removed() {
    let app = TestApp::spawn().await;
    let api = app.api(CONTRIBUTOR);
    give(&api, json!({"body": "slow logs on the runners"})).await;
    give(
        &api,
        json!({"body": "slow logs when paging", "service": "k8s.prod"}),
    )
    .await;
    eventually(&api, "logs", 2).await;
    let browser = app.signed_in(CONTRIBUTOR).await;
    let page = browser.get_text("/search?q=logs+service%3Ak8s.prod").await;
    assert!(page.contains("<strong>k8s.prod</strong>"), "{page}");
    assert!(
        page.contains(r#"aria-label="Remove k8s.prod""#)
            && page.contains(r#"href="/search?q=logs"#),
        "{page}"
    );
}
