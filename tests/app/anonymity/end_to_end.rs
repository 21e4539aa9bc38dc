//! The auditor on generated surveys answered for real: through the
//! personal and open links of a running Earshot, published in steps, and
//! read back through the results API, the CSV export, the results page,
//! and the waves the dashboard, service pages and summaries read. The
//! truth it judges by is the published snapshot, read from the database.

use std::collections::BTreeMap;

use earshot::db::{series, services, settings, surveys};
use earshot::domain::{NewService, ServiceDraft};
use serde_json::{Value, json};

use super::audit::{TruthQuestion, TruthWave};
use super::generate::{Answer, Generated, TEAMS, case};
use super::property::audit_surfaces;
use crate::helpers::{Api, TEAM, TestApp};
use crate::surveys::{answer, close, post, results};

/// Surveys answered over HTTP by `cargo test`; `CI=true` runs twice as
/// many (CI runs the suite at four instants).
fn cases() -> u64 {
    if std::env::var("CI").is_ok_and(|ci| ci == "true") {
        16
    } else {
        8
    }
}

/// Builds `generated` as a real survey, answers it person by person and
/// closes it if it is closed; returns its id.
async fn run(app: &TestApp, team: &Api, generated: &Generated, previous: Option<i64>) -> i64 {
    let questions: Vec<Value> = generated
        .survey
        .questions
        .iter()
        .map(|question| {
            json!({"kind": question.kind.as_str(), "prompt": question.prompt,
                   "service": question.service, "not_applicable": question.kind.scale().is_some()})
        })
        .collect();
    let created: Value = post(
        team,
        "/api/v1/surveys",
        json!({"title": generated.survey.title, "threshold": generated.survey.threshold,
               "previous_wave": previous, "questions": questions}),
    )
    .await
    .json()
    .await
    .unwrap();
    let id = created["id"].as_i64().unwrap();
    let ids: Vec<i64> = created["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|question| question["id"].as_i64().unwrap())
        .collect();
    post(team, &format!("/api/v1/surveys/{id}/open"), json!({})).await;
    let invitees: Vec<String> = generated
        .teams
        .iter()
        .flat_map(|(name, size)| (0..*size).map(move |index| format!("{name}{index}@example.com")))
        .collect();
    if !invitees.is_empty() {
        post(
            team,
            &format!("/api/v1/surveys/{id}/invitations"),
            json!({"emails": invitees}),
        )
        .await;
    }
    let mut links: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (email, token) in app.invitation_tokens(id).await {
        let name = email
            .trim_end_matches("@example.com")
            .trim_end_matches(char::is_numeric);
        links.entry(name.to_owned()).or_default().push(token);
    }
    let open: Value = post(team, &format!("/api/v1/surveys/{id}/open-link"), json!({}))
        .await
        .json()
        .await
        .unwrap();
    let open = open["token"].as_str().unwrap().to_owned();
    for respondent in &generated.respondents {
        let link = match &respondent.team {
            Some(name) => links
                .get_mut(name)
                .and_then(Vec::pop)
                .expect("an invitee left"),
            None => open.clone(),
        };
        let given: Vec<Value> = respondent
            .answers
            .iter()
            .zip(&ids)
            .filter_map(|(given, question)| {
                Some(match given.as_ref()? {
                    Answer::Value(value) => json!({"question_id": question, "value": value}),
                    Answer::NotApplicable => {
                        json!({"question_id": question, "not_applicable": true})
                    }
                    Answer::Text(text) => json!({"question_id": question, "text": text}),
                })
            })
            .collect();
        let status = answer(app, &link, Value::Array(given)).await;
        assert!(status.is_success(), "{status}");
    }
    if generated.survey.closed {
        close(team, id).await;
    }
    id
}

/// What survey `id` published, by question and team, from the database.
fn published(app: &TestApp, id: i64, generated: &Generated) -> TruthWave {
    app.with_db(|connection| {
        let survey = surveys::survey_by_id(connection, id)?.unwrap();
        let mut statement = connection.prepare(
            "SELECT counts.question_id, teams.slug, sum(counts.answers)
               FROM survey_published_counts AS counts LEFT JOIN teams ON teams.id = counts.team_id
              WHERE counts.question_id = ?1 AND counts.value >= 0 GROUP BY 2
             UNION ALL
             SELECT answers.question_id, teams.slug, count(*)
               FROM survey_answers AS answers
               JOIN survey_responses ON survey_responses.id = answers.response_id
               LEFT JOIN teams ON teams.id = survey_responses.team_id
              WHERE answers.question_id = ?1 AND answers.published = 1 AND answers.text IS NOT NULL
              GROUP BY 2",
        )?;
        let mut questions = Vec::new();
        for question in &survey.questions {
            let mut truth = TruthQuestion {
                id: question.id,
                numeric: question.kind.scale().is_some(),
                kind: question.kind.as_str().to_owned(),
                service: question.service.clone(),
                by_team: BTreeMap::new(),
                without_team: 0,
            };
            let rows = statement.query_map([question.id], |row| {
                Ok((row.get::<_, Option<String>>(1)?, row.get::<_, u32>(2)?))
            })?;
            for row in rows {
                match row? {
                    (Some(team), n) => *truth.by_team.entry(team).or_default() += n,
                    (None, n) => truth.without_team += n,
                }
            }
            questions.push(truth);
        }
        Ok(TruthWave {
            k: survey.threshold,
            closed: survey.status == "closed",
            questions,
            teams: generated
                .teams
                .iter()
                .map(|(name, _)| name.clone())
                .collect(),
        })
    })
}

#[tokio::test]
async fn generated_surveys_answered_over_http_leak_nothing_through_any_surface() {
    let app = TestApp::spawn().await;
    // The whole organisation: every team at its largest size.
    let teams: Vec<(&str, usize)> = TEAMS.iter().map(|name| (*name, 13)).collect();
    app.add_team_members(&teams);
    app.with_db(|connection| {
        settings::set(connection, settings::CONTACT_CAP_DAYS, "0")?;
        for slug in ["svc-ci", "svc-k8s"] {
            let service = NewService::parse(&ServiceDraft {
                slug: slug.into(),
                name: slug.into(),
                owner_team: "platform".into(),
                ..ServiceDraft::default()
            })
            .unwrap();
            services::insert_service(connection, &service, app.clock.now())?;
        }
        Ok(())
    });
    let team = app.api(TEAM);
    let browser = app.signed_in(TEAM).await;
    let (mut team_rows, mut hidden) = (0, 0);
    for seed in 0..cases() {
        let case = case(1_000_000 + seed);
        let previous = match &case.previous {
            Some(previous) => Some((run(&app, &team, previous, None).await, previous)),
            None => None,
        };
        let id = run(&app, &team, &case.current, previous.map(|(id, _)| id)).await;
        // The waves of a series of their own, as the dashboard reads a series.
        let name = format!("Series {seed}");
        post(
            &team,
            "/api/v1/series",
            json!({"name": name, "cadence": "quarterly"}),
        )
        .await;
        let waves = previous
            .map(|(previous, _)| (previous, "2025-Q1"))
            .into_iter()
            .chain([(id, "2025-Q2")]);
        for (wave, period) in waves {
            let assigned = team
                .put_json(
                    &format!("/api/v1/surveys/{wave}/series"),
                    &json!({"series": name, "period": period}),
                )
                .await;
            assert!(assigned.status().is_success(), "{}", assigned.status());
        }
        let json = results(&team, id).await;
        let csv = team
            .get(&format!("/api/v1/surveys/{id}/results.csv"))
            .await
            .text()
            .await
            .unwrap();
        let html = browser.get_text(&format!("/surveys/{id}/results")).await;
        let waves = app.with_db(|connection| {
            let found = series::find(connection, &name)?.expect("the series just made");
            series::waves(connection, found.id)
        });
        let current = published(&app, id, &case.current);
        let earlier = previous.map(|(previous, generated)| published(&app, previous, generated));
        let leaks = audit_surfaces(&current, earlier.as_ref(), &json, &csv, &html, &waves);
        assert!(leaks.is_empty(), "seed {seed}: {leaks:#?}");
        for question in json["questions"].as_array().unwrap() {
            team_rows += question["breakdowns"]["team"]
                .as_array()
                .map_or(0, Vec::len);
            hidden += usize::from(question["suppressed"] == true)
                + usize::from(question["breakdowns"]["others_hidden"] == true);
        }
    }
    // Not a vacuous pass: teams were shown, and things hidden, and audited.
    assert!(
        team_rows > 0 && hidden > 0,
        "{team_rows} team rows, {hidden} hidden"
    );
}
