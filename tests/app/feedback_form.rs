//! Giving feedback through the web form, and triaging it.

use reqwest::StatusCode;

use crate::helpers::{CONTRIBUTOR, TEAM, TestApp, csrf_token_in};

#[tokio::test]
async fn a_contributor_gives_feedback_and_finds_it_under_my_feedback() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(CONTRIBUTOR).await;

    let response = browser
        .give_feedback(&[
            ("service", "ci-runner"),
            ("kind", "pain"),
            ("rating", "2"),
            ("title", "Cache misses since Tuesday"),
            (
                "body",
                "Every build on ci-runner re-downloads the Gradle cache.",
            ),
            ("contact_ok", "true"),
        ])
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let thanks = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(thanks.starts_with("/feedback/thanks?id="), "{thanks}");
    assert!(browser.get_text(&thanks).await.contains("Thank you"));
    let mine = browser.get_text("/feedback/mine").await;
    assert!(mine.contains("Cache misses since Tuesday"));
    let (author, contact_ok): (Option<i64>, bool) = app.with_db(|connection| {
        Ok(
            connection.query_row("SELECT author_id, contact_ok FROM feedback", [], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })?,
        )
    });
    assert!(author.is_some());
    assert!(contact_ok);
}

#[tokio::test]
async fn an_invalid_form_is_shown_again_with_what_was_typed_and_a_message_per_field() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(CONTRIBUTOR).await;

    let response = browser
        .give_feedback(&[
            ("service", ""),
            ("kind", "rant"),
            ("title", "My carefully typed title"),
            ("body", "   "),
        ])
        .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains(r#"value="My carefully typed title""#));
    assert!(page.contains(r#"id="service-error""#));
    assert!(page.contains(r#"id="kind-error""#));
    assert!(page.contains(r#"id="body-error""#));
    assert!(!page.contains(r#"id="title-error""#));
    assert_eq!(app.feedback_count(), 0);
}

#[tokio::test]
async fn anonymous_feedback_from_the_form_stores_no_author_and_is_not_listed_as_mine() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(CONTRIBUTOR).await;

    let response = browser
        .give_feedback(&[
            ("service", "k8s.prod"),
            ("kind", "idea"),
            (
                "body",
                "Please raise the default memory limit; OOMKilled all week.",
            ),
            ("anonymous", "true"),
        ])
        .await;

    // The thanks page comes with the post itself: it carries the private
    // link, which no redirect address should hold.
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Keep this private link")
    );
    let (author, anonymous): (Option<i64>, bool) = app.with_db(|connection| {
        Ok(
            connection.query_row("SELECT author_id, anonymous FROM feedback", [], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })?,
        )
    });
    assert_eq!(author, None);
    assert!(anonymous);
    assert!(
        !browser
            .get_text("/feedback/mine")
            .await
            .contains("OOMKilled")
    );
}

#[tokio::test]
async fn the_team_triages_an_item_and_the_submitter_never_sees_internal_notes() {
    let app = TestApp::spawn().await;
    let contributor = app.signed_in(CONTRIBUTOR).await;
    contributor
        .give_feedback(&[
            ("service", "ci-runner"),
            ("kind", "pain"),
            ("body", "Flaky runner on job 4411"),
        ])
        .await;
    let team = app.signed_in(TEAM).await;
    let inbox = team.get_text("/inbox").await;
    assert!(inbox.contains("Flaky runner on job 4411"));
    assert!(inbox.contains("Cora Contributor"));

    let page = "/feedback/1";
    let status = team
        .submit(page, "/feedback/1/triage", &[("status", "triaged")])
        .await;
    assert_eq!(status.status(), StatusCode::SEE_OTHER);
    let tags = team
        .submit(page, "/feedback/1/triage", &[("tags", "Flaky, caching")])
        .await;
    assert_eq!(tags.status(), StatusCode::SEE_OTHER);
    let note = team
        .submit(
            page,
            "/feedback/1/triage",
            &[("note", "Secret: same as INC-4102")],
        )
        .await;
    assert_eq!(note.status(), StatusCode::SEE_OTHER);

    let seen_by_team = team.get_text(page).await;
    assert!(seen_by_team.contains("Secret: same as INC-4102"));
    assert!(seen_by_team.contains("caching") && seen_by_team.contains("flaky"));
    let seen_by_submitter = contributor.get_text(page).await;
    assert!(seen_by_submitter.contains("triaged"));
    assert!(!seen_by_submitter.contains("Secret"));
    assert!(!seen_by_submitter.contains("/feedback/1/triage"));

    let removed = team
        .submit(page, "/feedback/1/triage", &[("tags", "flaky")])
        .await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    assert!(!team.get_text(page).await.contains(">caching<"));
}

#[tokio::test]
async fn the_inbox_filters_by_service_kind_status_and_date_and_pages() {
    // The last minutes of a year: "tomorrow" is in the next one.
    let app = TestApp::spawn_at("2026-12-31T23:58:00Z").await;
    let api = app.api(CONTRIBUTOR);
    for index in 0..30 {
        let service = if index % 3 == 0 {
            "k8s.prod"
        } else {
            "ci-runner"
        };
        let kind = if index % 2 == 0 { "idea" } else { "pain" };
        let response = api
            .post_json(
                "/api/v1/feedback",
                &serde_json::json!({"service": service, "kind": kind, "body": format!("item number {index}")}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let team = app.signed_in(TEAM).await;

    let first = team.get_text("/inbox").await;
    assert!(first.contains("30 items") && first.contains("Page 1 of 2"));
    let second = team.get_text("/inbox?page=2").await;
    assert!(second.contains("item number 0<") && !second.contains("item number 29<"));
    let filtered = team.get_text("/inbox?service=k8s.prod&kind=idea").await;
    assert!(
        filtered.contains("5 items"),
        "k8s.prod ideas are 0, 6, 12, 18, 24"
    );
    let today = app.clock.now().date_naive();
    let tomorrow = today.succ_opt().unwrap();
    let none_yet = team.get_text(&format!("/inbox?from={tomorrow}")).await;
    assert!(none_yet.contains("0 items"));
    let all_today = team
        .get_text(&format!("/inbox?from={today}&to={today}&status=new"))
        .await;
    assert!(all_today.contains("30 items"));
    let nonsense = team
        .get_text("/inbox?from=yesterday&page=-4&kind=rant")
        .await;
    assert!(
        nonsense.contains("30 items"),
        "unreadable filters are ignored"
    );
}

#[tokio::test]
async fn html_in_every_field_is_shown_escaped_on_every_page() {
    let app = TestApp::spawn().await;
    let contributor = app.signed_in(CONTRIBUTOR).await;
    let script = "<script>alert('x')</script>";
    contributor
        .give_feedback(&[
            ("service", "ci-runner"),
            ("kind", "pain"),
            ("title", script),
            ("body", &format!("{script} <img src=x onerror=alert(1)>")),
        ])
        .await;
    let team = app.signed_in(TEAM).await;
    team.submit("/feedback/1", "/feedback/1/triage", &[("note", script)])
        .await;

    // A form sent back with errors repeats what was typed, escaped.
    let rejected = contributor
        .give_feedback(&[
            ("service", "ci-runner"),
            ("kind", "pain"),
            ("title", script),
            ("body", ""),
        ])
        .await;
    let pages = [
        contributor.get_text("/feedback/mine").await,
        contributor.get_text("/feedback/1").await,
        team.get_text("/inbox").await,
        team.get_text("/feedback/1").await,
        rejected.text().await.unwrap(),
    ];
    for page in pages {
        assert!(
            !page.contains("<script>alert"),
            "unescaped script in {page}"
        );
        assert!(!page.contains("<img src=x"), "unescaped img in {page}");
        assert!(page.contains("&lt;script&gt;"));
    }
}

#[tokio::test]
async fn a_form_without_a_valid_csrf_token_is_refused_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(CONTRIBUTOR).await;
    let fields = [
        ("service", "ci-runner"),
        ("kind", "pain"),
        ("body", "csrf test"),
    ];

    let missing = browser.post_form("/feedback", &fields).await;
    assert_eq!(missing.status(), StatusCode::FORBIDDEN);
    assert!(missing.text().await.unwrap().contains("reload the page"));

    let mut forged = fields.to_vec();
    forged.push((
        "csrf",
        "0000000000000000000000000000000000000000000000000000000000000000",
    ));
    assert_eq!(
        browser.post_form("/feedback", &forged).await.status(),
        StatusCode::FORBIDDEN
    );

    // A token from another browser does not work either.
    let stranger = app.browser();
    let other_token = csrf_token_in(&stranger.get_text("/login").await);
    let mut stolen = fields.to_vec();
    stolen.push(("csrf", &other_token));
    assert_eq!(
        browser.post_form("/feedback", &stolen).await.status(),
        StatusCode::FORBIDDEN
    );

    let login = app.browser();
    let no_token = login
        .post_form(
            "/login",
            &[
                ("email", CONTRIBUTOR),
                ("password", crate::helpers::PASSWORD),
            ],
        )
        .await;
    assert_eq!(no_token.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.feedback_count(), 0);
}

#[tokio::test]
async fn a_rejected_tag_keeps_what_was_typed_and_reloading_goes_back_to_the_item() {
    let app = TestApp::spawn().await;
    app.api(CONTRIBUTOR)
        .post_json("/api/v1/feedback", &crate::helpers::feedback_json("tag me"))
        .await;
    let team = app.signed_in(TEAM).await;
    let response = team
        .submit(
            "/feedback/1",
            "/feedback/1/triage",
            &[("tags", "caching, not<ok>")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains(r#"value="caching, not&lt;ok&gt;""#), "{page}");
    let reload = team.get("/feedback/1/triage").await;
    assert_eq!(reload.status(), StatusCode::SEE_OTHER);
    assert_eq!(reload.headers()["location"], "/feedback/1");
}

#[tokio::test]
async fn a_page_past_the_end_of_the_inbox_shows_the_last_page() {
    let app = TestApp::spawn().await;
    app.api(CONTRIBUTOR)
        .post_json(
            "/api/v1/feedback",
            &crate::helpers::feedback_json("only one"),
        )
        .await;
    let team = app.signed_in(TEAM).await;
    let page = team.get_text("/inbox?page=14").await;
    assert!(page.contains("Cache misses"), "{page}");
    assert!(page.contains("1 item<"));
    assert!(!page.contains("Page 14"));
}
