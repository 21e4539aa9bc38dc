//! The surveys API: build, open and close, invite, respond, read results.
//!
//! Personal links carry a random token; only its hash is stored, and a
//! response is found again through a second hash of the token, so that in an
//! anonymous survey nothing stored links an answer to the person invited.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::{Map, Value, json};

use super::api::{ApiJson, created, object};
use super::auth::Viewer;
use super::parse_id;
use crate::app::AppState;
use crate::auth::{hash_token, new_token};
use crate::db::settings;
use crate::db::surveys::{self, Invited, Survey};
use crate::domain::survey::{
    AnswerDraft, GroupResult, NewSurvey, QuestionDraft, QuestionKind, SurveyDraft, breakdown,
    check_answers, score,
};
use crate::domain::{Email, csv, stats};
use crate::error::{Error, Result};

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn survey_draft(body: &Map<String, Value>) -> SurveyDraft {
    let text = |value: Option<&Value>| value.and_then(Value::as_str).unwrap_or_default().to_owned();
    SurveyDraft {
        title: text(body.get("title")),
        introduction: text(body.get("introduction")),
        anonymous: body
            .get("anonymous")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        threshold: body.get("threshold").and_then(Value::as_i64),
        questions: body
            .get("questions")
            .and_then(Value::as_array)
            .map(|questions| {
                questions
                    .iter()
                    .map(|question| QuestionDraft {
                        kind: text(question.get("kind")),
                        prompt: text(question.get("prompt")),
                        service: question
                            .get("service")
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                        required: question
                            .get("required")
                            .and_then(Value::as_bool)
                            .unwrap_or(false),
                        choices: strings(question.get("choices")),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

async fn load(state: &AppState, id: i64) -> Result<Survey> {
    state
        .db
        .read(move |connection| surveys::survey_by_id(connection, id))
        .await?
        .ok_or(Error::NotFound)
}

pub async fn create_survey(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response> {
    viewer.require_platform_team()?;
    let survey = NewSurvey::parse(&survey_draft(&object(body)?))?;
    let created_by = viewer.user.id;
    let id = state
        .db
        .write(move |connection| {
            surveys::insert_survey(connection, &survey, created_by, Utc::now())
        })
        .await?;
    let survey = load(&state, id).await?;
    Ok(created(format!("/api/v1/surveys/{id}"), survey))
}

pub async fn get_survey(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<Survey>> {
    viewer.require_platform_team()?;
    Ok(Json(load(&state, parse_id(&id)?).await?))
}

async fn change_status(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    from: &'static str,
    to: &'static str,
) -> Result<Json<Survey>> {
    viewer.require_platform_team()?;
    let id = parse_id(id)?;
    state
        .db
        .write(move |connection| surveys::change_status(connection, id, from, to))
        .await?;
    Ok(Json(load(state, id).await?))
}

pub async fn open_survey(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<Survey>> {
    change_status(&state, &viewer, &id, "draft", "open").await
}

pub async fn close_survey(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<Survey>> {
    change_status(&state, &viewer, &id, "open", "closed").await
}

/// `{"emails": [...]}` → one personal link per known person, shown once.
pub async fn invite(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response> {
    viewer.require_platform_team()?;
    let id = parse_id(&id)?;
    let survey = load(&state, id).await?;
    if survey.status == "closed" {
        return Err(Error::Conflict("the survey is closed".into()));
    }
    let body = object(body)?;
    let mut emails = Vec::new();
    for raw in strings(body.get("emails")) {
        let email = Email::parse(&raw)
            .map_err(|message| Error::invalid("emails", format!("{raw:?} {message}")))?;
        emails.push(email);
    }
    if emails.is_empty() || emails.len() > 10_000 {
        return Err(Error::invalid("emails", "give 1 to 10,000 addresses"));
    }
    let with_tokens: Vec<(Email, String)> = emails
        .into_iter()
        .map(|email| (email, new_token("svy_")))
        .collect();
    let base = state.links.public_url.clone();
    let outcome = state
        .db
        .write(move |connection| {
            let now = Utc::now();
            let mut invited = Vec::new();
            let mut already = Vec::new();
            let mut unknown = Vec::new();
            let mut capped = Vec::new();
            let cap = settings::number(connection, settings::CONTACT_CAP_DAYS, 30)?;
            for (email, token) in &with_tokens {
                match surveys::invite(connection, id, email.as_str(), &hash_token(token), cap, now)?
                {
                    Invited::New => invited.push(json!({
                        "email": email.as_str(),
                        "token": token,
                        "url": format!("{base}/respond/{token}"),
                    })),
                    Invited::Already => already.push(email.as_str().to_owned()),
                    Invited::Unknown => unknown.push(email.as_str().to_owned()),
                    Invited::Capped => capped.push(email.as_str().to_owned()),
                }
            }
            Ok(json!({
                "invitations": invited,
                "already_invited": already,
                "unknown": unknown,
                "contacted_recently": capped,
            }))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(outcome)).into_response())
}

/// A response through a personal link; answering again replaces the
/// earlier answers. The token is the credential, no session needed.
pub async fn respond(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response> {
    let token_hash = hash_token(&token);
    let invitation = state
        .db
        .read(move |connection| surveys::invitation_by_token(connection, &token_hash))
        .await?
        .ok_or(Error::NotFound)?;
    let survey = load(&state, invitation.survey_id).await?;
    if survey.status != "open" {
        return Err(Error::Conflict(format!(
            "the survey is {}; answers are not taken",
            survey.status
        )));
    }
    let body = object(body)?;
    let drafts: Vec<AnswerDraft> = body
        .get("answers")
        .and_then(Value::as_array)
        .map(|answers| {
            answers
                .iter()
                .map(|answer| AnswerDraft {
                    question_id: answer
                        .get("question_id")
                        .and_then(Value::as_i64)
                        .unwrap_or_default(),
                    value: answer.get("value").and_then(Value::as_f64),
                    text: answer
                        .get("text")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    choices: strings(answer.get("choices")),
                    not_applicable: answer
                        .get("not_applicable")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                })
                .collect()
        })
        .unwrap_or_default();
    let questions: Vec<_> = survey
        .questions
        .iter()
        .map(|question| question.for_checking())
        .collect();
    let answers = check_answers(&questions, &drafts)?;
    let respondent_key = hash_token(&format!("response:{token}"));
    let anonymous = survey.anonymous;
    let created = state
        .db
        .write(move |connection| {
            surveys::save_response(
                connection,
                &invitation,
                anonymous,
                &respondent_key,
                &answers,
                Utc::now(),
            )
        })
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(json!({"saved": true, "replaced": !created}))).into_response())
}

fn estimate_json(estimate: &stats::Estimate) -> Value {
    json!({
        "n": estimate.n,
        "score": estimate.score,
        "ci_low": estimate.interval.as_ref().map(|interval| interval.low),
        "ci_high": estimate.interval.as_ref().map(|interval| interval.high),
    })
}

/// Results: NPS in points, CSAT in percent, CES as a mean, intervals in the
/// same unit; team breakdowns with small and recoverable groups suppressed.
pub async fn results(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    viewer.require_platform_team()?;
    let survey = load(&state, parse_id(&id)?).await?;
    let questions: Vec<(i64, QuestionKind, Vec<String>)> = survey
        .questions
        .iter()
        .map(|question| (question.id, question.kind, question.choices.clone()))
        .collect();
    let survey_id = survey.id;
    let (counts, complete, answers) = state
        .db
        .read(move |connection| {
            let counts = surveys::counts(connection, survey_id)?;
            let complete = surveys::complete_responses(connection, survey_id)?;
            let answers = questions
                .into_iter()
                .map(|(id, kind, choices)| {
                    let scale = if kind.scale().is_some() {
                        surveys::scale_answers(connection, id)?
                    } else {
                        Vec::new()
                    };
                    Ok((
                        id,
                        kind,
                        choices,
                        scale,
                        surveys::other_answers(connection, id)?,
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            Ok((counts, complete, answers))
        })
        .await?;
    let (invited, responses) = counts;
    let questions: Vec<Value> = answers
        .into_iter()
        .map(|(question_id, kind, choices, scale, (picked, texts))| {
            let mut question = match kind.scale() {
                Some((_, points)) => {
                    let values: Vec<Option<u8>> = scale.iter().map(|answer| answer.value).collect();
                    let grouped: Vec<(Option<String>, Option<u8>)> = scale
                        .into_iter()
                        .map(|answer| (answer.team, answer.value))
                        .collect();
                    let teams: Vec<Value> = breakdown(kind, &grouped, survey.threshold)
                        .into_iter()
                        .map(|group| match group {
                            GroupResult::Shown { group, estimate } => {
                                let mut value = estimate_json(&estimate);
                                value["group"] = json!(group);
                                value
                            }
                            GroupResult::Suppressed { group } => {
                                json!({"group": group, "suppressed": true})
                            }
                        })
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
                    question
                }
                None if kind == QuestionKind::Text => {
                    // Free text is for the platform team (this endpoint is), and
                    // carries no author even in a named survey.
                    json!({"n": texts.len(), "answers": texts})
                }
                None => {
                    let counts: Vec<Value> = choices
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
            };
            question["question_id"] = json!(question_id);
            question["kind"] = json!(kind.as_str());
            question
        })
        .collect();
    Ok(Json(json!({
        "invited": invited,
        "responses": responses,
        "response_rate": stats::response_rate(responses, invited),
        "completion_rate": (responses > 0).then(|| f64::from(complete) / f64::from(responses) * 100.0),
        "questions": questions,
    })))
}

/// The results as CSV: one row for each question overall and each team
/// group, suppressed groups marked as such; fields are formula-safe.
pub async fn results_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response> {
    let Json(results) = results(State(state.clone()), viewer, Path(id.clone())).await?;
    let survey = load(&state, parse_id(&id)?).await?;
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
    for question in results["questions"].as_array().into_iter().flatten() {
        let question_id = question["question_id"].as_i64().unwrap_or_default();
        let prompt = survey
            .questions
            .iter()
            .find(|candidate| candidate.id == question_id)
            .map(|candidate| candidate.prompt.clone())
            .unwrap_or_default();
        let kind = question["kind"].as_str().unwrap_or_default().to_owned();
        body.push_str(&csv::row([
            question_id.to_string(),
            kind.clone(),
            prompt.clone(),
            "all".to_owned(),
            question["n"].to_string(),
            number(&question["score"]),
            number(&question["ci_low"]),
            number(&question["ci_high"]),
            "false".to_owned(),
        ]));
        for group in question["breakdowns"]["team"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let suppressed = group["suppressed"] == true;
            body.push_str(&csv::row([
                question_id.to_string(),
                kind.clone(),
                prompt.clone(),
                format!("team:{}", group["group"].as_str().unwrap_or_default()),
                if suppressed {
                    String::new()
                } else {
                    group["n"].to_string()
                },
                number(&group["score"]),
                number(&group["ci_low"]),
                number(&group["ci_high"]),
                suppressed.to_string(),
            ]));
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
