//! Survey results for the platform team: scores with intervals, team and
//! service breakdowns with small and recoverable groups suppressed, the
//! comparison with the previous wave (only significant changes are movers),
//! as JSON and as a formula-safe CSV.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::auth::Viewer;
use super::parse_id;
use super::surveys::load;
use crate::app::AppState;
use crate::db::survey_results;
use crate::db::surveys::{self, Survey};
use crate::domain::survey::{GroupResult, QuestionKind, score};
use crate::domain::survey_results::{
    self as tally, ComparableQuestion, Tally, compare, matching_question, service_group,
    team_breakdown,
};
use crate::domain::{csv, stats};
use crate::error::Result;

fn estimate_json(estimate: &stats::Estimate) -> Value {
    json!({
        "n": estimate.n,
        "score": estimate.score,
        "ci_low": estimate.interval.as_ref().map(|interval| interval.low),
        "ci_high": estimate.interval.as_ref().map(|interval| interval.high),
    })
}

fn group_json(group: GroupResult) -> Value {
    match group {
        GroupResult::Shown { group, estimate } => {
            let mut value = estimate_json(&estimate);
            value["group"] = json!(group);
            value
        }
        GroupResult::Suppressed { group } => json!({"group": group, "suppressed": true}),
    }
}

fn comparable(survey: &Survey) -> Vec<ComparableQuestion> {
    survey
        .questions
        .iter()
        .filter(|question| question.kind.scale().is_some())
        .map(|question| ComparableQuestion {
            id: question.id,
            kind: question.kind,
            service: question.service.clone(),
            prompt: question.prompt.clone(),
        })
        .collect()
}

fn answers_of(tallies: &[(i64, Tally)], question_id: i64) -> Vec<Tally> {
    tallies
        .iter()
        .filter(|(id, _)| *id == question_id)
        .map(|(_, tally)| tally.clone())
        .collect()
}

/// The choices picked and the texts written for one question.
type OtherAnswers = (Vec<Vec<String>>, Vec<String>);

/// Everything results read, in one database read.
struct Stored {
    counts: surveys::ResponseCounts,
    complete: u32,
    tallies: Vec<(i64, Tally)>,
    others: Vec<(i64, OtherAnswers)>,
    previous: Option<(Survey, Vec<(i64, Tally)>)>,
}

/// The results of `survey` as the API shows them.
pub async fn results_json(state: &AppState, survey: &Survey) -> Result<Value> {
    let survey_id = survey.id;
    let previous_id = survey.previous_wave_id;
    let other_questions: Vec<i64> = survey
        .questions
        .iter()
        .filter(|question| question.kind.scale().is_none())
        .map(|question| question.id)
        .collect();
    let stored = state
        .db
        .read(move |connection| {
            let counts = surveys::counts(connection, survey_id)?;
            let previous = match previous_id {
                None => None,
                Some(id) => match surveys::survey_by_id(connection, id)? {
                    None => None,
                    Some(previous) => {
                        let tallies = survey_results::tallies(connection, id)?;
                        Some((previous, tallies))
                    }
                },
            };
            Ok(Stored {
                counts,
                complete: survey_results::complete_responses(connection, survey_id)?,
                tallies: survey_results::tallies(connection, survey_id)?,
                others: other_questions
                    .into_iter()
                    .map(|id| Ok((id, survey_results::other_answers(connection, id)?)))
                    .collect::<Result<_>>()?,
                previous,
            })
        })
        .await?;
    let k = survey.threshold;
    let previous_questions = stored
        .previous
        .as_ref()
        .map(|(previous, _)| comparable(previous))
        .unwrap_or_default();
    let mut services = Vec::new();
    let mut movers = Vec::new();
    let mut questions = Vec::new();
    for record in &survey.questions {
        let kind = record.kind;
        let mut question = match kind.scale() {
            Some((_, points)) => {
                let tallies = answers_of(&stored.tallies, record.id);
                let values = tally::values(&tallies);
                let teams: Vec<Value> = team_breakdown(kind, &tallies, k)
                    .into_iter()
                    .map(group_json)
                    .collect();
                let mut question = score(kind, &values)
                    .as_ref()
                    .map(estimate_json)
                    .unwrap_or_else(
                        || json!({"n": 0, "score": null, "ci_low": null, "ci_high": null}),
                    );
                question["not_applicable"] =
                    json!(values.iter().filter(|value| value.is_none()).count());
                if kind == QuestionKind::Likert {
                    question["distribution"] = json!(stats::distribution(&values, points));
                }
                question["breakdowns"] = json!({"team": teams});
                // Fewer answers than k: not even the overall figure is shown,
                // or it would be the few people's own answers.
                let answered = values.iter().flatten().count();
                if answered < k as usize {
                    for hidden in ["score", "ci_low", "ci_high"] {
                        question[hidden] = Value::Null;
                    }
                    if let Some(question) = question.as_object_mut() {
                        question.remove("distribution");
                    }
                    question["suppressed"] = json!(true);
                }
                let this = ComparableQuestion {
                    id: record.id,
                    kind,
                    service: record.service.clone(),
                    prompt: record.prompt.clone(),
                };
                let mut change_json = Value::Null;
                if let (Some((previous, previous_tallies)), Some(earlier)) = (
                    stored.previous.as_ref(),
                    matching_question(&this, &previous_questions),
                ) {
                    let before = tally::values(&answers_of(previous_tallies, earlier.id));
                    let shown = before.len() as u64 >= u64::from(previous.threshold)
                        && values.len() as u64 >= u64::from(k);
                    if let (true, Some(change)) = (shown, compare(kind, &before, &values)) {
                        change_json = json!({
                            "survey_id": previous.id,
                            "question_id": earlier.id,
                            "score": score(kind, &before).map(|estimate| estimate.score),
                            "delta": change.delta,
                            "z": change.z,
                            "p_value": change.p_value,
                            "significant": change.significant,
                        });
                        if change.significant {
                            movers.push(json!({
                                "question_id": record.id,
                                "kind": kind.as_str(),
                                "service": record.service,
                                "delta": change.delta,
                                "p_value": change.p_value,
                            }));
                        }
                    }
                }
                question["previous"] = change_json.clone();
                if let Some(service) = &record.service
                    && let Some(group) = service_group(kind, service, &values, k)
                {
                    let mut group = group_json(group);
                    group["question_id"] = json!(record.id);
                    group["kind"] = json!(kind.as_str());
                    if group["suppressed"] != true {
                        group["previous"] = change_json;
                    }
                    services.push(group);
                }
                question
            }
            None => {
                let (picked, texts) = stored
                    .others
                    .iter()
                    .find(|(id, _)| *id == record.id)
                    .map(|(_, answers)| answers.clone())
                    .unwrap_or_default();
                let answered = if kind == QuestionKind::Text {
                    texts.len()
                } else {
                    picked.len()
                };
                if answered < k as usize {
                    json!({"n": answered, "suppressed": true})
                } else if kind == QuestionKind::Text {
                    // Free text is for the platform team (as is this page), and
                    // carries no author even in a named survey.
                    json!({"n": texts.len(), "answers": texts})
                } else {
                    let counts: Vec<Value> = record
                        .choices
                        .iter()
                        .map(|choice| {
                            let count = picked
                                .iter()
                                .filter(|picked| picked.contains(choice))
                                .count();
                            json!({"choice": choice, "count": count})
                        })
                        .collect();
                    json!({"n": picked.len(), "choices": counts})
                }
            }
        };
        question["question_id"] = json!(record.id);
        question["kind"] = json!(kind.as_str());
        question["prompt"] = json!(record.prompt);
        question["service"] = json!(record.service);
        questions.push(question);
    }
    let surveys::ResponseCounts {
        invited,
        invited_answered,
        responses,
    } = stored.counts;
    Ok(json!({
        "survey_id": survey.id,
        "title": survey.title,
        "threshold": k,
        "invited": invited,
        "responses": responses,
        "invited_responses": invited_answered,
        // Of those invited, how many answered: open-link and imported
        // responses count in the results but not here.
        "response_rate": stats::response_rate(invited_answered, invited),
        "completion_rate": (responses > 0)
            .then(|| f64::from(stored.complete) / f64::from(responses) * 100.0),
        "previous_wave": stored.previous.as_ref().map(|(previous, _)| json!({"survey_id": previous.id, "title": previous.title})),
        "movers": movers,
        "breakdowns": {"service": services},
        "questions": questions,
    }))
}

/// Results: NPS in points, CSAT in percent, CES as a mean, intervals in the
/// same unit; team and service breakdowns; changes since the previous wave.
pub async fn results(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    viewer.require_platform_team()?;
    let survey = load(&state, parse_id(&id)?).await?;
    Ok(Json(results_json(&state, &survey).await?))
}

/// The results as CSV: one row for each question overall, each team group
/// and each service, suppressed groups marked as such (no count); fields
/// are formula-safe.
pub async fn results_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response> {
    viewer.require_platform_team()?;
    let survey = load(&state, parse_id(&id)?).await?;
    let results = results_json(&state, &survey).await?;
    super::audit::record(
        &state,
        &viewer,
        crate::domain::audit::AuditAction::Exported,
        format!("survey:{}", survey.id),
        "results.csv".to_owned(),
    )
    .await?;
    let mut body = csv::row([
        "question_id",
        "kind",
        "prompt",
        "group",
        "n",
        "score",
        "ci_low",
        "ci_high",
        "suppressed",
    ]);
    let number = |value: &Value| {
        value
            .as_f64()
            .map(|value| format!("{value:.2}"))
            .unwrap_or_default()
    };
    let line = |question: &Value, group: String, figures: &Value| {
        let suppressed = figures["suppressed"] == true;
        csv::row([
            question["question_id"].to_string(),
            question["kind"].as_str().unwrap_or_default().to_owned(),
            question["prompt"].as_str().unwrap_or_default().to_owned(),
            group,
            if suppressed {
                String::new()
            } else {
                figures["n"].to_string()
            },
            number(&figures["score"]),
            number(&figures["ci_low"]),
            number(&figures["ci_high"]),
            suppressed.to_string(),
        ])
    };
    for question in results["questions"].as_array().into_iter().flatten() {
        body.push_str(&line(question, "all".to_owned(), question));
        for group in question["breakdowns"]["team"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let name = format!("team:{}", group["group"].as_str().unwrap_or_default());
            body.push_str(&line(question, name, group));
        }
        for group in results["breakdowns"]["service"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|group| group["question_id"] == question["question_id"])
        {
            let name = format!("service:{}", group["group"].as_str().unwrap_or_default());
            body.push_str(&line(question, name, group));
        }
    }
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"survey-{}-results.csv\"", survey.id),
            ),
        ],
        body,
    )
        .into_response())
}
