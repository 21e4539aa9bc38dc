//! A service's one time axis: satisfaction per wave, reliability and
//! feedback per month (empty months kept), and shipped roadmap items, on
//! the same twelve months, with the same figures in a table.

use earshot::clock::Clock;

use crate::helpers::TestApp;

const TEAM: &str = "sam.rivera@halcyon.example";

/// The part of `page` from `start` up to `end`.
fn between<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    let from = page
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} in {page}"));
    let rest = &page[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

#[tokio::test]
async fn the_service_page_puts_satisfaction_reliability_and_feedback_on_one_axis() {
    let at = "2026-05-20T10:00:00Z".parse().unwrap();
    let app = TestApp::spawn_demo(Clock::starting_at(at)).await;
    let team = app.browser();
    team.sign_in(TEAM, earshot::seed::DEMO_PASSWORD).await;
    let page = team.get_text("/services/ci-runner").await;
    std::fs::write("/tmp/ci-runner.html", &page).ok();
    let table = between(&page, "The same figures as a table", "</table>");
    let rows: Vec<&str> = table.split("<tr>").skip(2).collect();
    assert_eq!(rows.len(), 12, "twelve months, empty ones kept: {table}");
    assert!(
        rows[0].contains("Jun &#39;25") || rows[0].contains("Jun '25"),
        "{}",
        rows[0]
    );
    assert!(
        rows[11].contains("May &#39;26") || rows[11].contains("May '26"),
        "{}",
        rows[11]
    );
    // The series' waves are labelled by period, in the month they opened.
    assert!(table.contains("Q1 2026: "), "{table}");
    assert!(table.contains("n = "), "{table}");
    let chart = between(
        &page,
        "<figure class=\"chart timeline\" tabindex=\"0\">",
        "</figure>",
    );
    assert!(chart.contains("CSAT (Platform pulse)"), "{chart}");
    assert!(chart.contains("SLO attainment"), "{chart}");
    assert!(
        chart.contains("▲") || chart.contains("▼"),
        "rises and falls are marked"
    );
}
