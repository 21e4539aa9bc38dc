//! Importing historical survey results from CSV, all or nothing: the file
//! is checked whole (see `domain::survey_import`), every problem reported
//! with its row, and the rows stored in one transaction only if none has a
//! problem. Import builds historical waves only: a survey with live answers
//! or open to them is refused, and a draft imported into is closed.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::access::PlatformTeam;
use super::extract::Path;
use super::surveys::load;
use crate::app::AppState;
use crate::db::survey_responses;
use crate::db::surveys;
use crate::domain::FieldErrors;
use crate::domain::Id;
use crate::domain::survey::Survey;
use crate::domain::survey_import::{ImportQuestion, read_import};
use crate::error::{Error, Result};

/// Checks and stores a CSV file's responses; returns how many.
pub async fn import_csv(state: &AppState, survey: &Survey, bytes: Vec<u8>) -> Result<usize> {
    let now = state.clock.now();
    if survey.questions.is_empty() {
        return Err(Error::Conflict(
            "the survey has no questions yet; add the questions of the file first".into(),
        ));
    }
    let questions: Vec<ImportQuestion> = survey
        .questions
        .iter()
        .map(|question| ImportQuestion {
            prompt: question.prompt.clone(),
            question: question.for_checking(),
        })
        .collect();
    let teams = state.db.read(survey_responses::team_slugs).await?;
    let responses = tokio::task::spawn_blocking(move || read_import(&bytes, &questions, &teams))
        .await
        .map_err(|error| Error::Internal(format!("reading the import failed: {error}")))?
        .map_err(|problems| {
            let mut errors = FieldErrors::default();
            for problem in problems {
                errors.add("csv", problem);
            }
            Error::Invalid(errors)
        })?;
    if responses.is_empty() {
        return Err(Error::invalid(
            "csv",
            "the file has a header but no rows; nothing was imported",
        ));
    }
    let survey_id = survey.id;
    let anonymous = survey.anonymous;
    state
        .db
        .write(move |connection| {
            surveys::prepare_import(connection, survey_id)?;
            survey_responses::import_responses(connection, survey_id, anonymous, &responses, now)
        })
        .await
}

/// `POST /api/v1/surveys/{id}/import` with the CSV file as the body.
#[utoipa::path(
    post,
    path = "/api/v1/surveys/{id}/import",
    operation_id = "import_survey_answers",
    tag = "surveys",
    params(("id" = i64, Path, description = "The survey's id")),
    request_body(content = String, content_type = "text/csv", description = "Answers, one row each"),
    responses((status = 201, description = "How many responses were imported (`{\"imported\": n}`); a file with problems is a 422 naming each row", body = serde_json::Value))
)]
pub async fn import_api(
    State(state): State<AppState>,
    _: PlatformTeam,
    Path(id): Path<Id<Survey>>,
    body: Bytes,
) -> Result<Response> {
    let survey = load(&state, id.get()).await?;
    let imported = import_csv(&state, &survey, body.to_vec()).await?;
    Ok((StatusCode::CREATED, Json(json!({"imported": imported}))).into_response())
}
