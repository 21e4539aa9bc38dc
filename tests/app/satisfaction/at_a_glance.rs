//! Results read at a glance: every rating question's distribution (NPS as
//! detractors, passives and promoters), units on every figure, and a
//! sentence that says what the response and completion rates mean.

use serde_json::json;

use crate::helpers::TEAM;
use crate::helpers::TestApp;
use crate::surveys::{add_people, answer, close, open_and_invite, results, survey};

#[tokio::test]
async fn results_show_each_rating_questions_distribution_with_units_and_explain_completion() {
    let app = TestApp::spawn().await;
    let emails = add_people(&app);
    let api = app.api(TEAM);
    let (id, questions, links) = open_and_invite(&app, &api, survey(), &emails).await;
    // Ten answer (published in two steps of five): NPS 3 detractors, 2
    // passives, 5 promoters; CSAT 7 of 10 satisfied; two skip the optional
    // comment, so 8 of 10 responses are complete.
    for (index, (_, token)) in links.iter().take(10).enumerate() {
        let nps = [2, 5, 6, 7, 8, 9, 9, 10, 10, 10][index];
        let csat = [1, 2, 4, 4, 5, 5, 5, 4, 5, 3][index];
        let mut answers = vec![
            json!({"question_id": questions[0], "value": nps}),
            json!({"question_id": questions[1], "value": csat}),
        ];
        if index < 8 {
            answers.push(json!({"question_id": questions[2], "text": "faster runners"}));
        }
        assert!(answer(&app, token, json!(answers)).await.is_success());
    }
    close(&api, id).await;
    let published = results(&api, id).await;
    assert_eq!(
        published["questions"][0]["distribution"],
        json!([0, 0, 1, 0, 0, 1, 1, 1, 1, 2, 3]),
        "NPS from 0 to 10"
    );
    assert_eq!(
        published["questions"][1]["distribution"],
        json!([1, 1, 1, 3, 4])
    );

    let team = app.signed_in(TEAM).await;
    let page = team.get_text(&format!("/surveys/{id}/results")).await;
    // NPS: 50% promoters − 30% detractors = +20 points.
    assert!(page.contains("Detractors (0–6): 3 (30%)"), "{page}");
    assert!(page.contains("Passives (7–8): 2 (20%)"), "{page}");
    assert!(page.contains("Promoters (9–10): 5 (50%)"), "{page}");
    assert!(page.contains("<td class=\"nowrap\">+20</td>"), "{page}");
    // CSAT: 7 of 10 satisfied, with its unit.
    assert!(page.contains("<td class=\"nowrap\">70.0%</td>"), "{page}");
    assert!(
        page.contains(
            "Answers from 1 to 5: 1: 1 (10%) · 2: 1 (10%) · 3: 1 (10%) · 4: 3 (30%) · 5: 4 (40%)"
        ),
        "{page}"
    );
    assert!(page.contains("<svg"), "a stacked bar");
    assert!(
        page.contains("10 responses: 10 of the 15 invited answered (a response rate of 67%)."),
        "{page}"
    );
    assert!(
        page.contains("80% of them are complete: they answered every question"),
        "{page}"
    );
}

#[tokio::test]
async fn the_builder_starts_with_required_questions_and_no_not_applicable_on_nps() {
    let app = TestApp::spawn().await;
    let team = app.signed_in(TEAM).await;
    let created = team
        .submit(
            "/surveys",
            "/surveys",
            &[("title", "Pulse"), ("anonymous", "on"), ("threshold", "5")],
        )
        .await;
    let page = created.headers()["location"].to_str().unwrap().to_owned();
    let builder = team.get_text(&page).await;
    assert!(
        builder.contains(r#"name="required" value="on" checked"#),
        "required is on by default: {builder}"
    );
    // The form as a person leaves it: "required" ticked, "not applicable"
    // as usual.
    for (kind, prompt) in [("nps", "Recommend us?"), ("csat", "Happy with CI?")] {
        let added = team
            .submit(
                &page,
                &format!("{page}/questions"),
                &[
                    ("kind", kind),
                    ("prompt", prompt),
                    ("required", "on"),
                    ("not_applicable", ""),
                ],
            )
            .await;
        assert_eq!(added.status(), reqwest::StatusCode::SEE_OTHER);
    }
    let id = page.rsplit('/').next().unwrap().to_owned();
    let stored: Vec<(String, bool, bool)> = app.with_db(|connection| {
        let mut statement = connection.prepare(
            "SELECT kind, required, allow_na FROM survey_questions WHERE survey_id = ?1 ORDER BY position",
        )?;
        let rows = statement
            .query_map([&id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    });
    assert_eq!(
        stored,
        [("nps".into(), true, false), ("csat".into(), true, true)]
    );
}
