//! Closing the loop with the people who gave feedback, through HTTP:
//! replies (mailed, or on an anonymous item's private page), public tags,
//! the plan an item is part of, similar items while typing, and undoing an
//! unsubscribe. Nothing shown to them reveals an author or team-only data.

use reqwest::StatusCode;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::helpers::{CONTRIBUTOR, OTHER_CONTRIBUTOR, TEAM, TestApp, feedback_json};
use crate::triage::outbox;

/// The private link on the page shown after anonymous feedback.
fn private_link(page: &str) -> String {
    let start = page.find("/replies/").expect("a private link on the page");
    page[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn anonymous_feedback_is_followed_through_a_private_link_whose_token_is_kept_only_as_a_hash()
{
    let app = TestApp::spawn().await;
    let contributor = app.signed_in(CONTRIBUTOR).await;
    let response = contributor
        .give_feedback(&[
            ("service", "ci-runner"),
            ("kind", "pain"),
            (
                "body",
                "Runners stall for ten minutes before the first step",
            ),
            ("anonymous", "true"),
        ])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let link = private_link(&response.text().await.unwrap());
    let token = link.trim_start_matches("/replies/").to_owned();
    assert!(token.len() >= 32, "{token}");

    // Only the token's hash is stored, on the item, which has no author.
    let hash = hex::encode(Sha256::digest(token.as_bytes()));
    let (stored, author): (String, Option<i64>) = app.with_db(|connection| {
        Ok(connection.query_row(
            "SELECT reply_token_hash, author_id FROM feedback",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?)
    });
    assert_eq!((stored.as_str(), author), (hash.as_str(), None));
    let raw = std::fs::read(app.data_dir.join("earshot.db")).unwrap();
    let wal = std::fs::read(app.data_dir.join("earshot.db-wal")).unwrap_or_default();
    for bytes in [raw, wal] {
        assert!(
            !bytes
                .windows(token.len())
                .any(|window| window == token.as_bytes()),
            "the token itself is in the database files"
        );
    }
    // My feedback does not list it, and nothing on the submitter's pages links to it.
    assert!(
        !contributor
            .get_text("/feedback/mine")
            .await
            .contains("ten minutes")
    );

    let team = app.signed_in(TEAM).await;
    let replied = team
        .submit(
            "/feedback/1",
            "/feedback/1/replies",
            &[("reply", "Known: the image cache was evicted. Fixed today.")],
        )
        .await;
    assert_eq!(replied.status(), StatusCode::SEE_OTHER);
    assert!(
        outbox(&app).is_empty(),
        "nobody to mail for anonymous feedback"
    );

    // Anyone holding the link reads the reply, signed in or not.
    let page = app.browser().get_text(&link).await;
    assert!(page.contains("Runners stall for ten minutes"));
    assert!(page.contains("Known: the image cache was evicted"));
    assert!(!page.contains("Cora"));
    let wrong = app.browser().get("/replies/not-the-token").await;
    assert_eq!(wrong.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_reply_to_named_feedback_shows_with_it_and_is_mailed_through_the_outbox() {
    let app = TestApp::spawn().await;
    app.api(CONTRIBUTOR)
        .post_json("/api/v1/feedback", &feedback_json("cold caches again"))
        .await;
    let team = app.signed_in(TEAM).await;
    let empty = team
        .submit("/feedback/1", "/feedback/1/replies", &[("reply", "   ")])
        .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty
            .text()
            .await
            .unwrap()
            .contains("write the reply first")
    );
    team.submit(
        "/feedback/1",
        "/feedback/1/replies",
        &[("reply", "We are warming caches on deploy <soon>.")],
    )
    .await;

    let contributor = app.signed_in(CONTRIBUTOR).await;
    let mine = contributor.get_text("/feedback/mine").await;
    assert!(
        mine.contains(r##"href="/feedback/1#replies">1<"##),
        "{mine}"
    );
    let page = contributor.get_text("/feedback/1").await;
    assert!(page.contains("We are warming caches on deploy &lt;soon&gt;."));
    let messages = outbox(&app);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0].1, CONTRIBUTOR);
    assert!(
        messages[0]
            .2
            .contains("We are warming caches on deploy <soon>.")
    );
    // Another contributor cannot reply, nor read it.
    let other = app.signed_in(OTHER_CONTRIBUTOR).await;
    assert_eq!(
        other.get("/feedback/1").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn tags_are_internal_unless_marked_public() {
    let app = TestApp::spawn().await;
    app.api(CONTRIBUTOR)
        .post_json("/api/v1/feedback", &feedback_json("slow"))
        .await;
    let team = app.signed_in(TEAM).await;
    team.submit(
        "/feedback/1",
        "/feedback/1/triage",
        &[("tags", "known-issue, blame-payments")],
    )
    .await;
    let contributor = app.signed_in(CONTRIBUTOR).await;
    let page = contributor.get_text("/feedback/1").await;
    assert!(!page.contains("known-issue") && !page.contains("blame-payments"));
    team.submit("/tags", "/tags/known-issue/public", &[("public", "true")])
        .await;
    let page = contributor.get_text("/feedback/1").await;
    assert!(page.contains("known-issue") && !page.contains("blame-payments"));
}

#[tokio::test]
async fn my_feedback_shows_the_public_plan_and_nothing_of_a_team_only_one() {
    let app = TestApp::spawn().await;
    app.api(CONTRIBUTOR)
        .post_json("/api/v1/feedback", &feedback_json("cold caches"))
        .await;
    let team_api = app.api(TEAM);
    team_api
        .post_json("/api/v1/pain-points", &json!({"title": "Caches are cold"}))
        .await;
    team_api
        .post_json(
            "/api/v1/pain-points/1/evidence",
            &json!({"feedback_ids": [1]}),
        )
        .await;
    for (title, status) in [
        ("Warm caches on deploy", "planned"),
        ("Secret reorg plan", "idea"),
    ] {
        team_api
            .post_json(
                "/api/v1/roadmap-items",
                &json!({"title": title, "status": status}),
            )
            .await;
    }
    for item in [1, 2] {
        team_api
            .post_json(
                &format!("/api/v1/roadmap-items/{item}/pain-points"),
                &json!({"pain_point_id": 1}),
            )
            .await;
    }
    let contributor = app.signed_in(CONTRIBUTOR).await;
    assert!(
        !contributor
            .get_text("/feedback/mine")
            .await
            .contains("Warm caches")
    );
    assert_eq!(
        contributor.get("/roadmap/1").await.status(),
        StatusCode::NOT_FOUND
    );

    let team = app.signed_in(TEAM).await;
    team.submit("/roadmap/1", "/roadmap/1/public", &[("public", "true")])
        .await;
    let mine = contributor.get_text("/feedback/mine").await;
    assert!(
        mine.contains("Warm caches on deploy") && mine.contains("planned"),
        "{mine}"
    );
    assert!(!mine.contains("Secret reorg"));
    let public = contributor.get_text("/roadmap/1").await;
    assert!(public.contains("Warm caches on deploy"));
    assert!(
        !public.contains("Caches are cold"),
        "pain points stay the team's"
    );
    let item = contributor.get_text("/feedback/1").await;
    assert!(item.contains("Part of the plan") && !item.contains("Secret reorg"));
}

#[tokio::test]
async fn similar_items_while_typing_include_public_and_shipped_plans_but_nothing_else_of_the_team()
{
    let app = TestApp::spawn().await;
    let team_api = app.api(TEAM);
    for (title, description) in [
        (
            "Warm runner caches automatically",
            "runner caches warm before builds start",
        ),
        (
            "Internal runner caches rewrite",
            "runner caches internal rewrite secret",
        ),
    ] {
        team_api
            .post_json(
                "/api/v1/roadmap-items",
                &json!({"title": title, "description": description, "status": "planned"}),
            )
            .await;
    }
    let team = app.signed_in(TEAM).await;
    team.submit("/roadmap/1", "/roadmap/1/public", &[("public", "true")])
        .await;
    let contributor = app.api(CONTRIBUTOR);
    contributor.search_until("runner caches", 1).await;
    let similar: serde_json::Value = contributor
        .get("/api/v1/search/similar?text=runner%20caches%20are%20cold%20before%20builds")
        .await
        .json()
        .await
        .unwrap();
    let hits = similar["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 1, "{similar}");
    assert_eq!(hits[0]["title"], "Warm runner caches automatically");
    assert_eq!(hits[0]["status"], "planned");
}

#[tokio::test]
async fn unsubscribing_is_undone_from_the_page_it_lands_on() {
    let app = TestApp::spawn().await;
    let subscriber = app.signed_in(CONTRIBUTOR).await;
    subscriber
        .submit(
            "/digests",
            "/digests",
            &[
                ("cadence", "monthly"),
                ("hour", "09:30"),
                ("timezone", "Europe/Berlin"),
            ],
        )
        .await;
    let token = "undo-test-token";
    let hash = hex::encode(Sha256::digest(token.as_bytes()));
    app.with_db(|connection| {
        Ok(connection.execute(
            "UPDATE digest_subscriptions SET unsubscribe_hash = ?1",
            [&hash],
        )?)
    });
    let browser = app.browser();
    let landing = browser
        .submit(
            &format!("/unsubscribe/{token}"),
            &format!("/unsubscribe/{token}"),
            &[],
        )
        .await;
    let page = landing.text().await.unwrap();
    assert!(page.contains("Undo: keep sending them"), "{page}");
    let unsubscribed = || {
        app.with_db(|connection| {
            Ok(connection.query_row(
                "SELECT unsubscribed_at IS NOT NULL FROM digest_subscriptions",
                [],
                |row| row.get::<_, bool>(0),
            )?)
        })
    };
    assert!(unsubscribed());
    browser
        .submit(
            &format!("/unsubscribe/{token}"),
            &format!("/unsubscribe/{token}/undo"),
            &[],
        )
        .await;
    assert!(!unsubscribed());
}

#[tokio::test]
async fn a_contributor_finds_no_trace_of_internal_tags_in_search() {
    let app = TestApp::spawn().await;
    app.api(CONTRIBUTOR)
        .post_json("/api/v1/feedback", &feedback_json("quokka runners"))
        .await;
    let team = app.signed_in(TEAM).await;
    team.submit(
        "/feedback/1",
        "/feedback/1/triage",
        &[("tags", "blame-payments")],
    )
    .await;
    let team_api = app.api(TEAM);
    team_api.search_until("tag:blame-payments", 1).await;
    let contributor = app.api(CONTRIBUTOR);
    let own = contributor.search_until("quokka", 1).await;
    assert!(own["facets"].get("tag").is_none(), "{own}");
    assert!(!own.to_string().contains("blame-payments"), "{own}");
    // Filtering by a tag would tell whether the item carries it: ignored.
    let probe = contributor
        .search_until("quokka tag:blame-payments", 1)
        .await;
    assert!(
        probe["ignored"].to_string().contains("tag:blame-payments"),
        "{probe}"
    );
    let absent = contributor.search_until("quokka tag:no-such-tag", 1).await;
    assert_eq!(absent["total"], probe["total"]);
}

#[tokio::test]
async fn opting_out_of_shipped_notices_is_undone_from_the_page_it_lands_on() {
    let app = TestApp::spawn().await;
    app.api(CONTRIBUTOR)
        .post_json("/api/v1/feedback", &feedback_json("cold caches"))
        .await;
    let team = app.api(TEAM);
    team.post_json("/api/v1/pain-points", &json!({"title": "Cold caches"}))
        .await;
    team.post_json(
        "/api/v1/pain-points/1/evidence",
        &json!({"feedback_ids": [1]}),
    )
    .await;
    team.post_json("/api/v1/roadmap-items", &json!({"title": "Warm caches"}))
        .await;
    team.post_json(
        "/api/v1/roadmap-items/1/pain-points",
        &json!({"pain_point_id": 1}),
    )
    .await;
    team.post_json("/api/v1/roadmap-items/1/ship", &json!({}))
        .await;
    let body = &outbox(&app)[0].2;
    let start = body.find("/opt-out/").expect("an opt-out link");
    let link = body[start..].split_whitespace().next().unwrap().to_owned();
    let opted_out = || {
        app.with_db(|connection| {
            Ok(connection.query_row(
                "SELECT closed_loop_opt_out FROM users WHERE email = ?1",
                [CONTRIBUTOR],
                |row| row.get::<_, bool>(0),
            )?)
        })
    };
    let browser = app.browser();
    let landing = browser
        .submit(&link, &link, &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(landing.contains("Undo: keep telling me"), "{landing}");
    assert!(opted_out());
    let undone = browser
        .submit(&link, &format!("{link}/undo"), &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(undone.contains("will again be told"), "{undone}");
    assert!(!opted_out());
}
