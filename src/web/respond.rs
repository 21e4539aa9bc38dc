//! Answering a survey through a personal or open link, as a web page that
//! works without JavaScript and on a phone. The link is the credential. A
//! used personal link of an anonymous survey says so and shows nothing of
//! the answers.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::access::PlatformTeam;
use super::auth::{CsrfToken, VerifiedForm};
use super::extract::Path;
use super::surveys::{respondent, save_answers};
use crate::app::AppState;
use crate::db::survey_responses::{self, Respondent};
use crate::domain::FieldErrors;
use crate::domain::Id;
use crate::domain::survey::{
    Answer, AnswerDraft, Survey, WrittenResponse, check_answers, name_questions, taking_answers,
};
use crate::error::{Error, Result};
use crate::views::{self, Chrome};

/// Who answers, the survey, earlier answers (named surveys only) and
/// whether the link is spent (an anonymous survey's, once used).
async fn find(
    state: &AppState,
    token: &str,
) -> Result<(Respondent, Survey, Vec<(i64, Answer)>, bool)> {
    let (survey, respondent, used) = respondent(state, token).await?;
    let previous = match respondent.key.clone() {
        None => Vec::new(),
        Some(key) => {
            state
                .db
                .read(move |connection| survey_responses::previous_answers(connection, &key))
                .await?
        }
    };
    Ok((respondent, survey, previous, used))
}

pub async fn form(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Path(token): Path<String>,
) -> Result<maud::Markup> {
    let (respondent, survey, previous, used) = find(&state, &token).await?;
    let chrome = Chrome {
        viewer: None,
        csrf: &csrf,
    };
    if used {
        return Ok(views::respond::already_answered(&chrome, &survey));
    }
    if let Err(reason) = taking_answers(
        &survey.status,
        survey.opens_at,
        survey.closes_at,
        state.clock.now(),
    ) {
        return Ok(views::respond::closed(&chrome, &survey, &reason));
    }
    Ok(views::respond::form(
        &chrome,
        &survey,
        &token,
        respondent.key.is_some(),
        &previous,
        &FieldErrors::default(),
    ))
}

/// Reads `q<id>` fields: a number, `na`, a text, or repeated choices.
fn drafts(survey: &Survey, fields: &[(String, String)]) -> Vec<AnswerDraft> {
    survey
        .questions
        .iter()
        .filter_map(|question| {
            let name = format!("q{}", question.id);
            let values: Vec<&str> = fields
                .iter()
                .filter(|(key, value)| *key == name && !value.trim().is_empty())
                .map(|(_, value)| value.as_str())
                .collect();
            if values.is_empty() {
                return None;
            }
            let mut draft = AnswerDraft {
                question_id: question.id,
                ..AnswerDraft::default()
            };
            if question.kind.scale().is_some() {
                match values[0] {
                    "na" => draft.not_applicable = true,
                    value => draft.value = Some(value.parse().unwrap_or(f64::NAN)),
                }
            } else if question.choices.is_empty() {
                draft.text = Some(values[0].to_owned());
            } else {
                draft.choices = values.iter().map(|value| (*value).to_owned()).collect();
            }
            Some(draft)
        })
        .collect()
}

pub async fn submit(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Path(token): Path<String>,
    VerifiedForm(fields): VerifiedForm<Vec<(String, String)>>,
) -> Result<Response> {
    let (respondent, survey, _, used) = find(&state, &token).await?;
    let chrome = Chrome {
        viewer: None,
        csrf: &csrf,
    };
    if used {
        return Ok((
            StatusCode::CONFLICT,
            views::respond::already_answered(&chrome, &survey),
        )
            .into_response());
    }
    if let Err(reason) = taking_answers(
        &survey.status,
        survey.opens_at,
        survey.closes_at,
        state.clock.now(),
    ) {
        return Ok((
            StatusCode::CONFLICT,
            views::respond::closed(&chrome, &survey, &reason),
        )
            .into_response());
    }
    let questions: Vec<_> = survey
        .questions
        .iter()
        .map(|question| question.for_checking())
        .collect();
    let sent = drafts(&survey, &fields);
    let answers = match check_answers(&questions, &sent) {
        Ok(answers) => answers,
        Err(errors) => {
            let typed: Vec<(i64, Answer)> = sent
                .iter()
                .filter_map(|draft| match (draft.value, &draft.text) {
                    (Some(value), _) if value.is_finite() => {
                        Some((draft.question_id, Answer::Value(value as u8)))
                    }
                    (_, Some(text)) => Some((draft.question_id, Answer::Text(text.clone()))),
                    _ if draft.not_applicable => Some((draft.question_id, Answer::NotApplicable)),
                    _ if !draft.choices.is_empty() => {
                        Some((draft.question_id, Answer::Choices(draft.choices.clone())))
                    }
                    _ => None,
                })
                .collect();
            let prompts: Vec<(i64, &str)> = survey
                .questions
                .iter()
                .map(|question| (question.id, question.prompt.as_str()))
                .collect();
            let mut named = FieldErrors::default();
            for error in errors.iter() {
                named.add(error.field, name_questions(&error.message, &prompts));
            }
            let page = views::respond::form(
                &chrome,
                &survey,
                &token,
                respondent.key.is_some(),
                &typed,
                &named,
            );
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let editable = respondent.key.is_some();
    // A link used meanwhile (another tab) is refused in the transaction,
    // with a 409 page that says so.
    save_answers(&state, respondent, answers).await?;
    Ok(views::respond::thanks(&chrome, &survey, &token, editable).into_response())
}

/// What one respondent wrote, for the platform team: where a search hit
/// on a survey comment leads. Anonymous surveys show no name or team.
pub async fn written_response(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<WrittenResponse>>,
) -> Result<maud::Markup> {
    let id = id.get();
    let response = state
        .db
        .read(move |connection| survey_responses::written_response(connection, id))
        .await?
        .ok_or(Error::NotFound)?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::respond::written_response(&chrome, &response))
}
