//! Reliability figures without Prometheus: a month typed on the service's
//! page, months pasted as CSV there or posted to the API, all or nothing,
//! and only by the platform team.

use reqwest::StatusCode;
use serde_json::Value;

use super::stored;
use crate::helpers::{CONTRIBUTOR, TEAM, TestApp};

const HEADER: &str = "month,slo_attainment_percent,error_budget_remaining_percent,incidents";

#[tokio::test]
async fn a_month_typed_in_percent_shows_on_the_service_page_and_a_wrong_one_says_what_to_fix() {
    let app = TestApp::spawn_at("2026-05-20T10:00:00Z").await;
    let team = app.signed_in(TEAM).await;
    let page = team.get_text("/services/ci-runner").await;
    assert!(
        page.contains("Enter a month&#39;s figures") || page.contains("Enter a month's figures")
    );

    let saved = team
        .submit(
            "/services/ci-runner",
            "/services/ci-runner/reliability",
            &[
                ("period", "2026-04"),
                ("slo_attainment_percent", "99.87%"),
                ("error_budget_remaining_percent", "-12"),
                ("incidents", "3"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let months = stored(&app);
    assert_eq!(months.len(), 1);
    assert_eq!(months[0].0, "2026-04");
    assert!((months[0].1.unwrap() - 0.9987).abs() < 1e-12);
    assert!((months[0].2.unwrap() + 0.12).abs() < 1e-12);
    assert_eq!(months[0].3, Some(3));
    let page = team.get_text("/services/ci-runner").await;
    assert!(page.contains("99.870%"), "{page}");

    let wrong = team
        .submit(
            "/services/ci-runner",
            "/services/ci-runner/reliability",
            &[("period", "2026-05"), ("slo_attainment_percent", "120")],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = wrong.text().await.unwrap();
    assert!(
        text.contains("must be a percentage from 0 to 100"),
        "{text}"
    );
    assert_eq!(stored(&app).len(), 1);
}

#[tokio::test]
async fn a_pasted_csv_is_saved_whole_or_not_at_all_with_every_problem_by_line() {
    let app = TestApp::spawn_at("2026-05-20T10:00:00Z").await;
    let team = app.signed_in(TEAM).await;
    let bad = format!("{HEADER}\n2026-01,99.9,40,0\n2026-02,abc,40,1\n2026-01,99,1,1\n");
    let refused = team
        .submit(
            "/services/ci-runner",
            "/services/ci-runner/reliability/import",
            &[("csv", &bad)],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = refused.text().await.unwrap();
    assert!(text.contains("line 3"), "{text}");
    assert!(text.contains("line 4: 2026-01 is listed twice"), "{text}");
    assert!(stored(&app).is_empty(), "nothing is saved from a bad CSV");

    let good = format!("{HEADER}\n2026-01,99.9,40,0\n2026-02,,,3\n");
    let saved = team
        .submit(
            "/services/ci-runner",
            "/services/ci-runner/reliability/import",
            &[("csv", &good)],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        stored(&app),
        [
            ("2026-01".into(), Some(0.999), Some(0.4), Some(0)),
            ("2026-02".into(), None, None, Some(3)),
        ]
    );
}

#[tokio::test]
async fn tools_post_the_same_csv_to_the_api_and_contributors_cannot() {
    let app = TestApp::spawn_at("2026-05-20T10:00:00Z").await;
    let csv = format!("{HEADER}\n2026-03,99.95,80,0\n2026-04,99.5,-20,2\n");
    let imported = app
        .api(TEAM)
        .post_raw(
            "/api/v1/services/ci-runner/reliability.csv",
            "text/csv",
            csv.clone().into_bytes(),
        )
        .await;
    assert_eq!(imported.status(), StatusCode::OK);
    let months: Value = imported.json().await.unwrap();
    assert_eq!(months.as_array().map(Vec::len), Some(2), "{months}");
    assert_eq!(months[0]["period"], "2026-04");

    let bad = app
        .api(TEAM)
        .post_raw(
            "/api/v1/services/ci-runner/reliability.csv",
            "text/csv",
            b"month,slo\n2026-03,1\n".to_vec(),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem = bad.text().await.unwrap();
    assert!(problem.contains("the header must be"), "{problem}");

    let refused = app
        .api(CONTRIBUTOR)
        .post_raw(
            "/api/v1/services/ci-runner/reliability.csv",
            "text/csv",
            csv.into_bytes(),
        )
        .await;
    // Contributors do not learn the route exists.
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    let contributor = app.signed_in(CONTRIBUTOR).await;
    let page = contributor.get_text("/services/ci-runner").await;
    assert!(
        !page.contains("reliability/import"),
        "no forms for contributors"
    );
    let posted = contributor
        .submit(
            "/services/ci-runner",
            "/services/ci-runner/reliability",
            &[("period", "2026-05"), ("incidents", "9")],
        )
        .await;
    assert_eq!(posted.status(), StatusCode::NOT_FOUND);
    assert_eq!(stored(&app).len(), 2);
}
