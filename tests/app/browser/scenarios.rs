//! What people do every day, in Chromium: giving feedback anonymously and
//! reading the reply, triaging with the keyboard and bulk actions, linking
//! with the picker, shipping after a confirmation, answering a survey on a
//! phone. Each counts its steps where the product promises a number.

use serde_json::{Value, json};

use super::{PHONE, in_browser};
use crate::helpers::{CONTRIBUTOR, PASSWORD, TEAM, TestApp, feedback_json};

fn feedback_statuses(app: &TestApp) -> Vec<(i64, String, Option<i64>)> {
    app.with_db(|connection| {
        let mut statement =
            connection.prepare("SELECT id, status, assignee_id FROM feedback ORDER BY id")?;
        let rows = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    })
}

#[tokio::test]
async fn anonymous_feedback_takes_five_steps_and_its_reply_is_read_through_the_private_link() {
    let app = TestApp::spawn().await;
    let team = app.signed_in(TEAM).await;
    in_browser("anonymous_feedback", &app.address, async |browser| {
        browser.sign_in(CONTRIBUTOR, PASSWORD).await;
        // The home page of a contributor is the feedback form.
        browser.goto("/").await;
        browser.reset_steps();
        browser.choose("#service", "ci-runner").await;
        browser.click("input[name=kind][value=pain]").await;
        browser
            .type_into("#body", "Runners stall ten minutes before the first step")
            .await;
        browser.click("input[name=anonymous]").await;
        browser
            .click("form[action='/feedback'] button[type=submit]")
            .await;
        assert!(
            browser.steps <= 5,
            "giving feedback took {} steps",
            browser.steps
        );
        browser.wait_for_text("Keep this private link").await;
        let link = browser
            .find("#private-link")
            .await
            .attr("href")
            .await
            .unwrap()
            .expect("the private link");

        team.submit(
            "/feedback/1",
            "/feedback/1/replies",
            &[("reply", "Thanks: the image cache was evicted, fixed today.")],
        )
        .await;
        // Signed out, as anyone holding the link would be.
        browser.sign_out().await;
        browser
            .client
            .goto(&link)
            .await
            .expect("open the private link");
        browser.wait_for_text("the image cache was evicted").await;
        let page = browser.text("main").await;
        assert!(page.contains("Runners stall ten minutes"));
        assert!(!page.contains("Cora"), "the page names nobody");
    })
    .await;
}

#[tokio::test]
async fn three_items_are_triaged_with_the_keyboard_and_bulk_actions() {
    let app = TestApp::spawn().await;
    let api = app.api(CONTRIBUTOR);
    for text in ["cache misses", "slow logs", "flaky runner"] {
        let mut item = feedback_json(text);
        item["title"] = json!(text);
        api.post_json("/api/v1/feedback", &item).await;
    }
    in_browser("keyboard_triage", &app.address, async |browser| {
        browser.sign_in(TEAM, PASSWORD).await;
        browser.goto("/inbox").await;
        browser.find("#inbox-items").await;
        // "?" shows the keys.
        browser.press('?', false).await;
        assert_eq!(
            browser
                .find("#keys")
                .await
                .attr("open")
                .await
                .unwrap()
                .as_deref(),
            Some("true")
        );

        // One item: open it (e), set its status, save and go on (Ctrl+Enter).
        browser.reset_steps();
        browser.press('e', false).await;
        browser.wait_for_path("/feedback/3").await;
        browser.choose("#status", "triaged").await;
        browser.press('\u{e007}', true).await;
        browser.wait_for_path("/feedback/2?saved=3").await;
        browser.wait_for_text("Saved #3").await;
        assert!(
            browser.steps <= 3,
            "triaging one item took {} steps",
            browser.steps
        );

        // The other two: select with j and x, then one bulk change each.
        browser.goto("/inbox?status=new").await;
        browser.find("#inbox-items").await;
        browser.press('j', false).await;
        browser.press('x', false).await;
        browser.press('j', false).await;
        browser.press('x', false).await;
        browser.choose("#bulk_status", "planned").await;
        browser.click("button[name=action][value=status]").await;
        browser
            .wait_for_text("2 items: status set to planned.")
            .await;
        browser.goto("/inbox?status=planned").await;
        browser.press('j', false).await;
        browser.press('x', false).await;
        browser.press('j', false).await;
        browser.press('x', false).await;
        browser.type_into("#bulk_tags", "logging").await;
        browser.click("button[name=action][value=tags]").await;
        browser.wait_for_text("2 items: tagged.").await;
    })
    .await;
    if super::available() {
        let statuses = feedback_statuses(&app);
        assert_eq!(
            statuses
                .iter()
                .map(|(_, status, _)| status.as_str())
                .collect::<Vec<_>>(),
            ["planned", "planned", "triaged"]
        );
        let tagged: i64 = app.with_db(|connection| {
            Ok(connection.query_row("SELECT count(*) FROM feedback_tags", [], |row| row.get(0))?)
        });
        assert_eq!(tagged, 2);
    }
}

#[tokio::test]
async fn feedback_and_a_highlight_are_linked_to_a_pain_point_with_the_picker() {
    let app = TestApp::spawn().await;
    app.api(CONTRIBUTOR)
        .post_json(
            "/api/v1/feedback",
            &feedback_json("caches are cold after deploy"),
        )
        .await;
    let team_api = app.api(TEAM);
    for title in ["Slow log search", "CI caches are cold after every deploy"] {
        team_api
            .post_json("/api/v1/pain-points", &json!({"title": title}))
            .await;
    }
    let interview: Value = team_api
        .post_json(
            "/api/v1/interviews",
            &json!({"participant_name": "Ana", "held_on": "2026-11-20",
                    "notes": "Every deploy the cache is cold and builds take forty minutes."}),
        )
        .await
        .json()
        .await
        .unwrap();
    let interview = interview["id"].as_i64().unwrap();
    team_api
        .post_json(
            &format!("/api/v1/interviews/{interview}/highlights"),
            &json!({"quote": "the cache is cold"}),
        )
        .await;
    team_api.search_until("kind:pain_point cold", 1).await;
    in_browser("picker", &app.address, async |browser| {
        browser.sign_in(TEAM, PASSWORD).await;
        browser.goto("/feedback/1").await;
        // The picker is a search box; nothing is chosen until a title is.
        browser.type_into("#pain_points", "cold").await;
        browser
            .click("[role=listbox] [role=option]:first-child")
            .await;
        assert_eq!(
            browser
                .find("#pain_points-list")
                .await
                .prop("value")
                .await
                .unwrap()
                .as_deref(),
            Some("2")
        );
        browser.click("button[value=stay]").await;
        browser
            .wait_for_text("evidence for “CI caches are cold after every deploy”")
            .await;

        browser.goto(&format!("/interviews/{interview}")).await;
        browser.type_into("input[id^=pain_point-]", "deploy").await;
        browser
            .click("[role=listbox] [role=option]:first-child")
            .await;
        browser
            .click("form.link-highlight button[type=submit]")
            .await;
        browser
            .wait_for_text("Linked as evidence for “CI caches are cold after every deploy”")
            .await;
    })
    .await;
    if super::available() {
        let evidence: Vec<(i64, Option<i64>, Option<i64>)> = app.with_db(|connection| {
            let mut statement = connection.prepare(
                "SELECT pain_point_id, feedback_id, highlight_id FROM pain_point_evidence ORDER BY id",
            )?;
            let rows = statement
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        });
        assert_eq!(evidence, [(2, Some(1), None), (2, None, Some(1))]);
    }
}

#[tokio::test]
async fn shipping_asks_first_and_the_submitter_is_told_through_the_outbox() {
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
    team_api
        .post_json(
            "/api/v1/roadmap-items",
            &json!({"title": "Warm caches on deploy", "status": "in_progress"}),
        )
        .await;
    team_api
        .post_json(
            "/api/v1/roadmap-items/1/pain-points",
            &json!({"pain_point_id": 1}),
        )
        .await;
    let outbox = || -> Vec<String> {
        app.with_db(|connection| {
            let mut statement = connection.prepare("SELECT to_address FROM email_outbox")?;
            let rows = statement
                .query_map([], |row| row.get(0))?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
    };
    in_browser("ship", &app.address, async |browser| {
        browser.sign_in(TEAM, PASSWORD).await;
        browser.goto("/roadmap/1").await;
        browser.choose("#status", "shipped").await;
        browser
            .click("form[action='/roadmap/1/status'] button[type=submit]")
            .await;
        browser.wait_for_text("This will email 1 person").await;
        assert!(outbox().is_empty(), "nothing is sent before confirming");
        browser
            .click("input[name=confirm] ~ button[type=submit]")
            .await;
        browser.wait_for_path("/roadmap/1").await;
        browser.wait_for_text("shipped").await;
        assert_eq!(outbox(), [CONTRIBUTOR]);
    })
    .await;
}

#[tokio::test]
async fn a_survey_is_answered_from_a_phone_sized_window() {
    let app = TestApp::spawn().await;
    let team_api = app.api(TEAM);
    let created: Value = team_api
        .post_json(
            "/api/v1/surveys",
            &json!({
                "title": "Platform pulse",
                "anonymous": true,
                "threshold": 3,
                "questions": [
                    {"kind": "nps", "prompt": "How likely are you to recommend the platform?", "required": true},
                    {"kind": "text", "prompt": "What should we fix first?"}
                ]
            }),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    let nps = created["questions"][0]["id"].as_i64().unwrap();
    team_api
        .post_json(&format!("/api/v1/surveys/{id}/open"), &json!({}))
        .await;
    let link: Value = team_api
        .post_json(&format!("/api/v1/surveys/{id}/open-link"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let url = link["url"].as_str().unwrap().to_owned();
    let path = format!("/respond/{}", url.rsplit('/').next().unwrap());
    in_browser("phone_survey", &app.address, async |browser| {
        browser.resize(PHONE).await;
        browser.goto(&path).await;
        browser.find("form").await;
        let wide = browser
            .run_script("return document.documentElement.scrollWidth > window.innerWidth;")
            .await;
        assert_eq!(wide, json!(false), "the page scrolls sideways on a phone");
        browser
            .click(&format!("input[name='q{nps}'][value='9']"))
            .await;
        browser.type_into("textarea", "Faster CI caches").await;
        browser.click("form button[type=submit]").await;
        browser.wait_for_text("Thank").await;
    })
    .await;
    if super::available() {
        let answers: i64 =
            app.with_db(|connection| {
                Ok(connection
                    .query_row("SELECT count(*) FROM survey_answers", [], |row| row.get(0))?)
            });
        assert_eq!(answers, 2);
    }
}
