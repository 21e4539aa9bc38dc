//! Building a survey through the pages, without JavaScript.

use reqwest::StatusCode;

use super::add_people;
use crate::helpers::{CONTRIBUTOR, TEAM, TestApp};

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// The value of the first `name="q<id>"` for a question, from the answer form.
fn question_field(form: &str, nth: usize) -> String {
    form.match_indices("name=\"q")
        .map(|(at, _)| form[at + 6..].split('"').next().unwrap().to_owned())
        .fold(Vec::<String>::new(), |mut names, name| {
            if !names.contains(&name) {
                names.push(name);
            }
            names
        })
        .remove(nth)
}

#[tokio::test]
async fn the_team_builds_a_survey_on_pages_one_question_at_a_time_and_reads_its_results() {
    let app = TestApp::spawn().await;
    add_people(&app);
    let browser = app.signed_in(TEAM).await;
    let created = browser
        .submit(
            "/surveys",
            "/surveys",
            &[
                ("title", "Platform pulse <Q2>"),
                ("introduction", "Two minutes."),
                ("anonymous", "on"),
                ("threshold", "5"),
                ("opens_at", ""),
                ("closes_at", "2999-06-30T17:00"),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let page = location(&created);
    let questions = format!("{page}/questions");
    for fields in [
        vec![
            ("kind", "nps"),
            ("prompt", "Would you recommend the platform?"),
            ("required", "on"),
        ],
        vec![
            ("kind", "csat"),
            ("prompt", "How satisfied are you with CI?"),
            ("service", "ci-runner"),
            ("not_applicable", "on"),
        ],
        vec![
            ("kind", "single"),
            ("prompt", "Main language?"),
            ("choices", "Rust\r\nGo\r\n"),
        ],
        vec![("kind", "text"), ("prompt", "What should we fix first?")],
    ] {
        let added = browser.submit(&page, &questions, &fields).await;
        assert_eq!(added.status(), StatusCode::SEE_OTHER, "{fields:?}");
    }
    let refused = browser
        .submit(
            &page,
            &questions,
            &[
                ("kind", "multi"),
                ("prompt", "Tools?"),
                ("choices", "only one"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("give 2 or more choices")
    );

    let detail = browser.get_text(&page).await;
    assert!(detail.contains("Platform pulse &lt;Q2&gt;"), "escaped");
    assert!(detail.contains("about ci-runner") && detail.contains("Rust / Go"));
    assert!(detail.contains("until 30 Jun 2999, 17:00 UTC"));
    assert!(
        browser
            .get_text("/surveys")
            .await
            .contains("Platform pulse &lt;Q2&gt;")
    );

    let opened = browser.submit(&page, &format!("{page}/open"), &[]).await;
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    let invited = browser
        .submit(
            &page,
            &format!("{page}/invitations"),
            &[("teams", "payments"), ("emails", "mobile0@example.com")],
        )
        .await;
    assert_eq!(invited.status(), StatusCode::OK);
    let invited = invited.text().await.unwrap();
    assert!(
        invited.contains("9 people were invited"),
        "eight in payments (two signed-in contributors too) and mobile0"
    );
    assert!(
        !invited.contains("/respond/"),
        "the links go to their people only: {invited}"
    );
    let id: i64 = page.trim_start_matches("/surveys/").parse().unwrap();
    let answer_page = format!("/respond/{}", app.invitation_tokens(id).await[0].1);

    let person = app.browser();
    let form = person.get_text(&answer_page).await;
    let nps = question_field(&form, 0);
    let saved = person
        .submit(&answer_page, &answer_page, &[(&nps, "9")])
        .await;
    assert_eq!(saved.status(), StatusCode::OK);

    let locked = browser
        .submit(&page, &questions, &[("kind", "ces"), ("prompt", "Easy?")])
        .await;
    assert_eq!(locked.status(), StatusCode::CONFLICT);
    assert!(
        locked
            .text()
            .await
            .unwrap()
            .contains("has answers, so its questions can no longer change")
    );

    let results = browser.get_text(&format!("{page}/results")).await;
    assert!(
        results.contains("0 responses: 0 of the 9 invited answered"),
        "one answer is not published until five have arrived: {results}"
    );
    assert!(results.contains("Would you recommend the platform?"));
    let ask = browser.get_text(&format!("{page}/close")).await;
    assert!(ask.contains("Close this survey?"), "{ask}");
    let closed = browser
        .submit(&format!("{page}/close"), &format!("{page}/close"), &[])
        .await;
    assert_eq!(closed.status(), StatusCode::SEE_OTHER);
    assert!(
        person
            .get_text(&answer_page)
            .await
            .contains("used to answer already")
    );

    let contributor = app.signed_in(CONTRIBUTOR).await;
    assert_eq!(
        contributor.get("/surveys").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        contributor.get(&format!("{page}/results")).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_pasted_import_with_a_bad_row_lists_the_problem_and_stores_nothing() {
    let app = TestApp::spawn().await;
    add_people(&app);
    let browser = app.signed_in(TEAM).await;
    let created = browser
        .submit(
            "/surveys",
            "/surveys",
            &[("title", "2024 survey"), ("threshold", "5")],
        )
        .await;
    let page = location(&created);
    browser
        .submit(
            &page,
            &format!("{page}/questions"),
            &[
                ("kind", "csat"),
                ("prompt", "Satisfied?"),
                ("required", "on"),
            ],
        )
        .await;
    let import = format!("{page}/import");
    let refused = browser
        .submit(
            &import,
            &import,
            &[("csv", "Satisfied?,Team\r\n5,payments\r\n9,payments\r\n")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = refused.text().await.unwrap();
    assert!(
        text.contains("Nothing was imported") && text.contains("row 3:"),
        "{text}"
    );
    assert!(
        text.contains("9,payments"),
        "the pasted text is kept: {text}"
    );
    let done = browser
        .submit(
            &import,
            &import,
            &[("csv", "Satisfied?,Team\r\n5,payments\r\n4,search\r\n")],
        )
        .await;
    assert_eq!(done.status(), StatusCode::OK);
    assert!(done.text().await.unwrap().contains("2 responses imported"));
}

#[tokio::test]
async fn a_survey_form_with_problems_comes_back_as_typed_with_the_problems_listed() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(TEAM).await;
    let bad = browser
        .submit(
            "/surveys",
            "/surveys",
            &[
                ("title", "Pulse <autumn>"),
                ("threshold", "5"),
                ("opens_at", "2999-06-30T17:00"),
                ("closes_at", "2999-06-01T17:00"),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = bad.text().await.unwrap();
    assert!(page.contains("Some fields need fixing"), "{page}");
    assert!(page.contains(r#"value="Pulse &lt;autumn&gt;""#), "{page}");
    assert!(page.contains(r#"value="2999-06-01T17:00""#));

    let created = browser
        .submit(
            "/surveys",
            "/surveys",
            &[("title", "Pulse"), ("threshold", "5")],
        )
        .await;
    let survey = location(&created);
    let one_choice = browser
        .submit(
            &survey,
            &format!("{survey}/questions"),
            &[
                ("kind", "single"),
                ("prompt", "Which runner?"),
                ("choices", "linux"),
            ],
        )
        .await;
    assert_eq!(one_choice.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = one_choice.text().await.unwrap();
    assert!(page.contains("Some fields need fixing"), "{page}");
    assert!(page.contains(r#"value="Which runner?""#), "{page}");
    assert!(
        page.contains(r#"<option value="single" selected>"#),
        "{page}"
    );
}
