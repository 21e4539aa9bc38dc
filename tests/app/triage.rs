//! Triage through HTTP: one save per item, bulk changes, filters and saved
//! views, pickers without preselected values, confirmations that state
//! consequences, reversible shipping, and forms that keep their place.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{CONTRIBUTOR, TEAM, TestApp, feedback_json};

pub fn outbox(app: &TestApp) -> Vec<(String, String, String)> {
    app.with_db(|connection| {
        let mut statement = connection
            .prepare("SELECT dedupe_key, to_address, body_text FROM email_outbox ORDER BY id")?;
        let rows = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    })
}

fn team_member_id(app: &TestApp) -> i64 {
    app.with_db(|connection| {
        Ok(
            connection.query_row("SELECT id FROM users WHERE email = ?1", [TEAM], |row| {
                row.get(0)
            })?,
        )
    })
}

#[tokio::test]
async fn one_save_sets_status_tags_assignee_evidence_and_note_and_says_what_it_did() {
    let app = TestApp::spawn().await;
    let api = app.api(CONTRIBUTOR);
    for text in ["first", "second"] {
        api.post_json("/api/v1/feedback", &feedback_json(text))
            .await;
    }
    app.api(TEAM)
        .post_json(
            "/api/v1/pain-points",
            &json!({"title": "CI caches are cold"}),
        )
        .await;
    let team = app.signed_in(TEAM).await;
    let member = team_member_id(&app).to_string();
    let page = team.get_text("/feedback/2").await;
    // Pickers choose nothing by themselves.
    assert!(
        page.contains(r#"<option value="" selected>Choose a pain point…</option>"#),
        "{page}"
    );
    assert!(!page.contains("pain point #"));

    let saved = team
        .submit(
            "/feedback/2",
            "/feedback/2/triage",
            &[
                ("status", "triaged"),
                ("tags", "caching, flaky"),
                ("assignee", &member),
                ("pain_points", "1"),
                ("new_pain_point", ""),
                ("note", "Same as INC-4102"),
                ("then", "next"),
            ],
        )
        .await;
    // On to the next item waiting, with a confirmation of the one saved.
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let next = saved.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(next, "/feedback/1?saved=2");
    let confirmation = team.get_text(&next).await;
    assert!(confirmation.contains("Saved #2"), "{confirmation}");
    assert!(confirmation.contains("assigned to Tom Team"));

    let item = team.get_text("/feedback/2").await;
    assert!(item.contains("Same as INC-4102"));
    assert!(
        item.contains(r#"href="/pain-points/1">CI caches are cold"#),
        "evidence for"
    );
    assert!(item.contains(r#"value="caching, flaky""#));
    let pain_point = team.get_text("/pain-points/1").await;
    assert!(pain_point.contains(r#"href="/feedback/2""#));

    // A script asking for JSON gets the confirmation without a reload.
    let html = team.get_text("/feedback/1").await;
    let csrf = crate::helpers::csrf_token_in(&html);
    let json: serde_json::Value = team
        .client
        .post(format!("{}/feedback/1/triage", team.base))
        .header("accept", "application/json")
        .form(&[
            ("csrf", csrf.as_str()),
            ("status", "closed"),
            ("new_pain_point", "Runner images are huge"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        json["message"].as_str().unwrap().contains("status closed"),
        "{json}"
    );
    assert!(
        json["message"]
            .as_str()
            .unwrap()
            .contains("Runner images are huge"),
        "{json}"
    );
}

#[tokio::test]
async fn a_triage_with_mistakes_comes_back_with_what_was_typed_and_saves_nothing() {
    let app = TestApp::spawn().await;
    app.api(CONTRIBUTOR)
        .post_json("/api/v1/feedback", &feedback_json("flaky"))
        .await;
    let team = app.signed_in(TEAM).await;
    let contributor_id = app.with_db(|connection| {
        Ok(connection.query_row(
            "SELECT id FROM users WHERE email = ?1",
            [CONTRIBUTOR],
            |row| row.get::<_, i64>(0),
        )?)
    });
    let response = team
        .submit(
            "/feedback/1",
            "/feedback/1/triage",
            &[
                ("status", "triaged"),
                ("tags", "caching, <bad>"),
                ("assignee", &contributor_id.to_string()),
                ("note", "keep me"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains(r#"value="caching, &lt;bad&gt;""#), "{page}");
    assert!(page.contains(">keep me</textarea>"));
    assert!(page.contains(r#"id="tags-error""#));
    assert!(page.contains("error-summary"));
    let status: String = app.with_db(|connection| {
        Ok(connection.query_row("SELECT status FROM feedback", [], |row| row.get(0))?)
    });
    assert_eq!(status, "new");
}

#[tokio::test]
async fn bulk_changes_apply_to_the_selected_items_and_tell_submitters_who_asked() {
    let app = TestApp::spawn().await;
    let contributor = app.signed_in(CONTRIBUTOR).await;
    for (index, body) in ["one runner", "two runners", "three runners"]
        .iter()
        .enumerate()
    {
        let mut fields = vec![("service", "ci-runner"), ("kind", "pain"), ("body", *body)];
        if index == 0 {
            fields.push(("notify_status", "true"));
        }
        contributor.give_feedback(&fields).await;
    }
    let team = app.signed_in(TEAM).await;
    let member = team_member_id(&app).to_string();
    let inbox = "/inbox?status=new";
    let selected = [("feedback_ids", "1"), ("feedback_ids", "2")];
    let mut fields = selected.to_vec();
    fields.extend([
        ("action", "status"),
        ("bulk_status", "planned"),
        ("back", "status=new"),
    ]);
    let done = team.submit(inbox, "/inbox/bulk", &fields).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let location = done.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("/inbox?status=new&done=2"),
        "{location}"
    );
    assert!(
        team.get_text(&location)
            .await
            .contains("2 items: status set to planned.")
    );

    let mut fields = selected.to_vec();
    fields.extend([("action", "assign"), ("bulk_assignee", member.as_str())]);
    team.submit(inbox, "/inbox/bulk", &fields).await;
    let mut fields = vec![("feedback_ids", "3")];
    fields.extend([("action", "tags"), ("bulk_tags", "flaky")]);
    team.submit(inbox, "/inbox/bulk", &fields).await;
    let nothing = team
        .submit(
            inbox,
            "/inbox/bulk",
            &[("action", "status"), ("bulk_status", "done")],
        )
        .await;
    assert_eq!(nothing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nothing.text().await.unwrap().contains("select items first"));

    let rows: Vec<(String, Option<i64>)> = app.with_db(|connection| {
        let mut statement =
            connection.prepare("SELECT status, assignee_id FROM feedback ORDER BY id")?;
        let rows = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    });
    let member: i64 = member.parse().unwrap();
    assert_eq!(
        rows,
        vec![
            ("planned".into(), Some(member)),
            ("planned".into(), Some(member)),
            ("new".into(), None)
        ]
    );
    // Only the submitter of the first asked to hear about status changes.
    let messages = outbox(&app);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].2.contains("changed from new to planned"));
    assert!(
        team.get_text("/inbox?tag=flaky")
            .await
            .contains("three runners")
    );
}

#[tokio::test]
async fn inbox_filters_by_tag_assignee_rating_and_text_and_views_can_be_saved() {
    let app = TestApp::spawn().await;
    let api = app.api(CONTRIBUTOR);
    for (body, rating) in [("disk full on runner 100%", 1), ("great dashboards", 5)] {
        let mut item = feedback_json(body);
        item["rating"] = json!(rating);
        item["title"] = json!(null);
        api.post_json("/api/v1/feedback", &item).await;
    }
    let team = app.signed_in(TEAM).await;
    team.submit("/feedback/1", "/feedback/1/triage", &[("tags", "disk")])
        .await;
    let member = team_member_id(&app);
    team.submit(
        "/feedback/2",
        "/feedback/2/triage",
        &[("assignee", &member.to_string())],
    )
    .await;
    for (query, shown, hidden) in [
        ("tag=disk", "disk full", "great dashboards"),
        ("rating=5", "great dashboards", "disk full"),
        ("text=100%25", "disk full", "great dashboards"),
        ("assignee=nobody", "disk full", "great dashboards"),
        (
            &format!("assignee={member}"),
            "great dashboards",
            "disk full",
        ),
    ] {
        let page = team.get_text(&format!("/inbox?{query}")).await;
        assert!(page.contains(shown) && !page.contains(hidden), "{query}");
    }
    let saved = team
        .submit(
            "/inbox?rating=5",
            "/inbox/views",
            &[("view_name", "Happy people"), ("query", "rating=5")],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let inbox = team.get_text("/inbox").await;
    assert!(
        inbox.contains(r#"<a href="/inbox?rating=5">Happy people</a>"#),
        "{inbox}"
    );
    let unnamed = team
        .submit(
            "/inbox",
            "/inbox/views",
            &[("view_name", " "), ("query", "")],
        )
        .await;
    assert_eq!(unnamed.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn shipping_marks_pain_points_addressed_and_moving_it_back_restores_them() {
    let app = TestApp::spawn().await;
    let team_api = app.api(TEAM);
    for title in ["Cold caches", "Slow logs"] {
        team_api
            .post_json("/api/v1/pain-points", &json!({"title": title}))
            .await;
    }
    team_api
        .patch_json("/api/v1/pain-points/2", &json!({"status": "exploring"}))
        .await;
    team_api
        .post_json(
            "/api/v1/roadmap-items",
            &json!({"title": "Fix it all", "status": "planned"}),
        )
        .await;
    for pain_point in [1, 2] {
        team_api
            .post_json(
                "/api/v1/roadmap-items/1/pain-points",
                &json!({"pain_point_id": pain_point}),
            )
            .await;
    }
    let statuses = || {
        app.with_db(|connection| {
            let mut statement = connection.prepare("SELECT status FROM pain_points ORDER BY id")?;
            let rows = statement
                .query_map([], |row| row.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    };
    let team = app.signed_in(TEAM).await;
    let page = team.get_text("/pain-points/1").await;
    assert!(page.contains(r#"href="/roadmap/1">Fix it all"#) && page.contains("planned"));
    team.submit(
        "/roadmap/1",
        "/roadmap/1/status",
        &[("status", "shipped"), ("confirm", "yes")],
    )
    .await;
    assert_eq!(statuses(), ["addressed", "addressed"]);
    team.submit(
        "/roadmap/1",
        "/roadmap/1/status",
        &[("status", "in_progress")],
    )
    .await;
    assert_eq!(statuses(), ["open", "exploring"]);
}

#[tokio::test]
async fn forms_with_mistakes_come_back_on_their_own_page_with_what_was_typed() {
    let app = TestApp::spawn().await;
    let team = app.signed_in(TEAM).await;
    let roadmap = team
        .submit(
            "/roadmap",
            "/roadmap",
            &[
                ("title", "Faster deploys"),
                ("target_quarter", "next spring"),
            ],
        )
        .await;
    assert_eq!(roadmap.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = roadmap.text().await.unwrap();
    assert!(
        page.contains(r#"value="next spring""#) && page.contains(r#"id="target_quarter-error""#)
    );
    assert!(page.contains("<nav"), "the page keeps its navigation");

    app.api(TEAM)
        .post_json("/api/v1/roadmap-items", &json!({"title": "Faster deploys"}))
        .await;
    let link = team
        .submit(
            "/roadmap/1",
            "/roadmap/1/pain-points",
            &[("pain_point", "")],
        )
        .await;
    assert_eq!(link.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        link.text()
            .await
            .unwrap()
            .contains("choose a pain point from the list")
    );

    let admin = app.signed_in(crate::helpers::ADMIN).await;
    let service = admin
        .submit(
            "/services/ci-runner",
            "/services/ci-runner",
            &[
                ("name", "CI runners"),
                ("tier", "7"),
                ("runbook_url", "https://runbooks.example/ci"),
            ],
        )
        .await;
    assert_eq!(service.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = service.text().await.unwrap();
    assert!(page.contains(r#"value="7""#) && page.contains("https://runbooks.example/ci"));
    assert!(
        page.contains(r#"class="danger""#),
        "deleting looks destructive"
    );

    app.api(CONTRIBUTOR)
        .post_json("/api/v1/feedback", &feedback_json("history"))
        .await;
    let delete = admin
        .submit("/services/ci-runner", "/services/ci-runner/delete", &[])
        .await;
    assert_eq!(delete.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(delete.text().await.unwrap().contains("cannot be deleted"));
}

#[tokio::test]
async fn deleting_feedback_says_how_many_evidence_links_go_with_it() {
    let app = TestApp::spawn().await;
    app.api(CONTRIBUTOR)
        .post_json("/api/v1/feedback", &feedback_json("evidence"))
        .await;
    let team_api = app.api(TEAM);
    for title in ["One", "Two", "Three"] {
        team_api
            .post_json("/api/v1/pain-points", &json!({"title": title}))
            .await;
    }
    for pain_point in 1..=3 {
        team_api
            .post_json(
                &format!("/api/v1/pain-points/{pain_point}/evidence"),
                &json!({"feedback_ids": [1]}),
            )
            .await;
    }
    let page = app
        .signed_in(TEAM)
        .await
        .get_text("/feedback/1/delete")
        .await;
    assert!(page.contains("This deletes 3 evidence links"), "{page}");
    assert!(
        page.contains(r#"<button class="danger" type="submit">Delete it and 3 evidence links"#)
    );
}

#[tokio::test]
async fn a_saved_view_of_new_items_this_week_stays_relative_to_today() {
    let app = TestApp::spawn_at("2026-11-26T11:00:00Z").await;
    let api = app.api(CONTRIBUTOR);
    for body in ["fresh cache miss", "old cache miss"] {
        let mut item = feedback_json(body);
        item["title"] = json!(null);
        api.post_json("/api/v1/feedback", &item).await;
    }
    app.with_db(|connection| {
        Ok(connection.execute(
            "UPDATE feedback SET created_at = '2026-11-10 09:00:00.000+00:00' WHERE id = 2",
            [],
        )?)
    });
    let team = app.signed_in(TEAM).await;
    let query = "received=week&status=new&service=ci-runner";
    let saved = team
        .submit(
            &format!("/inbox?{query}"),
            "/inbox/views",
            &[
                ("view_name", "new this week for ci-runner"),
                ("query", query),
            ],
        )
        .await;
    let location = saved.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("received=week"), "{location}");
    assert!(
        !location.contains("from="),
        "the view keeps no fixed date: {location}"
    );
    let page = team.get_text(&location).await;
    assert!(page.contains("fresh cache miss") && !page.contains("old cache miss"));
    assert!(page.contains(">new this week for ci-runner</a>"));
}

#[tokio::test]
async fn selected_items_become_the_evidence_of_a_new_pain_point_in_one_step() {
    let app = TestApp::spawn().await;
    let api = app.api(CONTRIBUTOR);
    for text in ["cold cache one", "cold cache two"] {
        api.post_json("/api/v1/feedback", &feedback_json(text))
            .await;
    }
    let team = app.signed_in(TEAM).await;
    let made = team
        .submit(
            "/inbox",
            "/inbox/bulk",
            &[
                ("feedback_ids", "1"),
                ("feedback_ids", "2"),
                ("action", "link"),
                ("pain_point", ""),
                ("new_pain_point", "Caches are cold after deploys"),
            ],
        )
        .await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let page = team.get_text("/pain-points/1").await;
    assert!(page.contains("Caches are cold after deploys"));
    assert!(page.contains(r#"href="/feedback/1""#) && page.contains(r#"href="/feedback/2""#));
    let neither = team
        .submit(
            "/inbox",
            "/inbox/bulk",
            &[
                ("feedback_ids", "1"),
                ("action", "link"),
                ("pain_point", ""),
            ],
        )
        .await;
    assert_eq!(neither.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
