//! axe-core on every page of the demo organisation, signed out and as each
//! role, at desktop and phone width: no serious or critical violation, and
//! no page that makes a phone scroll sideways.
//! axe-core comes from npm (`tests/browser/package.json`, installed by
//! `.ci/run`) and is injected into each page by the test.

use std::path::Path;

use chrono::{DateTime, Utc};
use earshot::clock::Clock;
use serde_json::Value;

use super::{DESKTOP, PHONE, Session, in_browser};
use crate::helpers::TestApp;

const DEMO_PASSWORD: &str = "earshot-demo";
const ADMIN: &str = "ines.okafor@halcyon.example";
const TEAM: &str = "sam.rivera@halcyon.example";
const CONTRIBUTOR: &str = "priya.natarajan@halcyon.example";

fn axe_source() -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(path).ok()
}

/// The serious and critical violations on the page open in `session`, as
/// "rule: target" lines.
async fn violations(session: &Session, axe: &str) -> Vec<String> {
    session
        .client
        .execute(axe, Vec::new())
        .await
        .expect("inject axe-core");
    let found = session
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
                .then((results) => done(results.violations
                    .filter((violation) => ['serious', 'critical'].includes(violation.impact))
                    .flatMap((violation) => violation.nodes.map((node) =>
                        violation.id + ': ' + node.target.join(' ')))))
                .catch((error) => done(['axe failed: ' + error]));",
            Vec::new(),
        )
        .await
        .expect("run axe-core");
    match found {
        Value::Array(lines) => lines
            .into_iter()
            .map(|line| line.as_str().unwrap_or_default().to_owned())
            .collect(),
        other => vec![format!("unexpected axe answer: {other}")],
    }
}

/// Opens each page at both widths and collects what axe finds.
async fn check(
    session: &mut Session,
    axe: &str,
    who: &str,
    pages: &[String],
    found: &mut Vec<String>,
) {
    for size in [DESKTOP, PHONE] {
        session.resize(size).await;
        for page in pages {
            session.goto(page).await;
            for violation in violations(session, axe).await {
                found.push(format!("{who} {}x{} {page} {violation}", size.0, size.1));
            }
            // Forms that fit: nothing makes a phone scroll sideways.
            let sideways = session
                .run_script("return document.documentElement.scrollWidth > window.innerWidth + 1;")
                .await;
            if size == PHONE && sideways == serde_json::json!(true) {
                found.push(format!(
                    "{who} {}x{} {page} scrolls sideways",
                    size.0, size.1
                ));
            }
        }
    }
}

#[tokio::test]
async fn no_page_has_a_serious_accessibility_problem_or_scrolls_sideways_for_anyone_at_any_width() {
    let Some(axe) = axe_source() else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("axe-core is not installed: npm ci --prefix tests/browser");
        }
        eprintln!("skipped: axe-core is not installed (npm ci --prefix tests/browser)");
        return;
    };
    let at: DateTime<Utc> = "2026-11-26T11:00:00Z".parse().unwrap();
    let app = TestApp::spawn_demo(Clock::starting_at(at)).await;
    let anonymous_link = app.anonymous_feedback_link().await;
    let survey_link = app.open_survey_link().await;
    in_browser("accessibility", &app.address, async |session| {
        let mut found = Vec::new();
        let signed_out = vec![
            "/login".to_owned(),
            "/privacy".to_owned(),
            anonymous_link.clone(),
            survey_link.clone(),
            "/unsubscribe/not-a-token".to_owned(),
            "/no-such-page".to_owned(),
        ];
        check(session, &axe, "signed out", &signed_out, &mut found).await;

        let everyone = [
            "/feedback/new",
            "/feedback/mine",
            "/shipped",
            "/services",
            "/services/ci-runner",
            "/digests",
            "/search?q=cache",
        ];
        session.sign_in(CONTRIBUTOR, DEMO_PASSWORD).await;
        let mine = app.first_feedback_of(CONTRIBUTOR);
        let mut pages: Vec<String> = everyone.iter().map(|page| (*page).to_owned()).collect();
        pages.push(format!("/feedback/{mine}"));
        check(session, &axe, "contributor", &pages, &mut found).await;
        session.sign_out().await;

        let team_pages = [
            "/dashboard",
            "/inbox",
            "/feedback/1",
            "/interviews",
            "/interviews/1",
            "/interviews/recruiting",
            "/pain-points",
            "/pain-points/1",
            "/roadmap",
            "/roadmap/1",
            "/tree",
            "/tags",
            "/surveys",
            "/surveys/1",
            "/surveys/1/results",
            "/digests/1/preview",
            "/feedback/1/delete",
        ];
        let admin_pages = [
            "/admin/people",
            "/admin/teams",
            "/admin/tokens",
            "/admin/audit",
        ];
        for who in [TEAM, ADMIN] {
            session.sign_in(who, DEMO_PASSWORD).await;
            let mut pages: Vec<String> = everyone.iter().map(|page| (*page).to_owned()).collect();
            pages.extend(team_pages.iter().map(|page| (*page).to_owned()));
            if who == ADMIN {
                pages.extend(admin_pages.iter().map(|page| (*page).to_owned()));
            }
            check(session, &axe, who, &pages, &mut found).await;
            session.sign_out().await;
        }
        assert!(
            found.is_empty(),
            "{} serious or critical problems:\n{}",
            found.len(),
            found.join("\n")
        );
    })
    .await;
}
