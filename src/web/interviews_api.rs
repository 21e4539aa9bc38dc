//! Interview snapshots through the JSON API.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::access::PlatformTeam;
use super::api::{ApiJson, Fields, Page, PageQuery, created, object};
use super::extract::{Path, Query};
use super::interviews::{draft_of, highlight, load, save, store};
use crate::app::AppState;
use crate::db::interviews::{self, Interview};
use crate::domain::Id;
use crate::domain::interview::InterviewDraft;
use crate::error::Result;

#[utoipa::path(
    get,
    path = "/api/v1/interviews",
    operation_id = "list_interviews",
    tag = "interviews",
    params(PageQuery),
    responses((status = 200, description = "Interview snapshots", body = Page<Interview>))
)]
pub async fn list_api(
    State(state): State<AppState>,
    _: PlatformTeam,
    Query(page): Query<PageQuery>,
) -> Result<Json<Page<Interview>>> {
    page.page(state.db.read(interviews::list).await?)
}

#[utoipa::path(
    post,
    path = "/api/v1/interviews",
    operation_id = "create_interview",
    tag = "interviews",
    request_body = serde_json::Value,
    responses((status = 201, description = "The new interview", body = Interview))
)]
pub async fn create_api(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response> {
    let body = object(body)?;
    let mut fields = Fields::new(&body);
    let draft = InterviewDraft {
        participant_name: fields.string("participant_name"),
        participant_team: fields.string("participant_team"),
        participant_role: fields.string("participant_role"),
        held_on: fields.string("held_on"),
        quote: fields.string("quote"),
        notes: fields.string("notes"),
        opportunities: fields.string("opportunities"),
        insights: fields.string("insights"),
        services: fields.strings("services"),
        tags: fields.strings("tags"),
        interviewers: fields.strings("interviewers"),
    };
    fields.check()?;
    let id = store(&state, &viewer, draft).await?;
    let stored = load(&state, id).await?;
    Ok(created(format!("/api/v1/interviews/{id}"), stored))
}

#[utoipa::path(
    get,
    path = "/api/v1/interviews/{id}",
    operation_id = "get_interview",
    tag = "interviews",
    params(("id" = i64, Path, description = "The interview's id")),
    responses((status = 200, description = "One interview", body = Interview))
)]
pub async fn get_api(
    State(state): State<AppState>,
    _: PlatformTeam,
    Path(id): Path<Id<Interview>>,
) -> Result<Json<Interview>> {
    Ok(Json(load(&state, id.get()).await?))
}

/// `PATCH /api/v1/interviews/{id}`: any of the fields of a new interview;
/// absent fields keep their value, and a field of the wrong type is named.
#[utoipa::path(
    patch,
    path = "/api/v1/interviews/{id}",
    operation_id = "update_interview",
    tag = "interviews",
    params(("id" = i64, Path, description = "The interview's id")),
    request_body = serde_json::Value,
    responses((status = 200, description = "The interview as changed", body = Interview))
)]
pub async fn update_api(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    Path(id): Path<Id<Interview>>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Interview>> {
    let id = id.get();
    let body = object(body)?;
    let current = draft_of(&load(&state, id).await?);
    let mut fields = Fields::new(&body);
    let draft = InterviewDraft {
        participant_name: fields
            .optional_string("participant_name")
            .unwrap_or(current.participant_name),
        participant_team: fields
            .optional_string("participant_team")
            .unwrap_or(current.participant_team),
        participant_role: fields
            .optional_string("participant_role")
            .unwrap_or(current.participant_role),
        held_on: fields.optional_string("held_on").unwrap_or(current.held_on),
        quote: fields.optional_string("quote").unwrap_or(current.quote),
        notes: fields.optional_string("notes").unwrap_or(current.notes),
        opportunities: fields
            .optional_string("opportunities")
            .unwrap_or(current.opportunities),
        insights: fields
            .optional_string("insights")
            .unwrap_or(current.insights),
        services: fields
            .optional_strings("services")
            .unwrap_or(current.services),
        tags: fields.optional_strings("tags").unwrap_or(current.tags),
        interviewers: fields
            .optional_strings("interviewers")
            .unwrap_or(current.interviewers),
    };
    fields.check()?;
    save(&state, &viewer, id, draft).await?;
    Ok(Json(load(&state, id).await?))
}

/// `{"quote": "..."}`: a passage of the notes.
#[utoipa::path(
    post,
    path = "/api/v1/interviews/{id}/highlights",
    operation_id = "add_highlight",
    tag = "interviews",
    params(("id" = i64, Path, description = "The interview's id")),
    request_body = serde_json::Value,
    responses((status = 201, description = "The new highlight", body = serde_json::Value))
)]
pub async fn highlight_api(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    Path(id): Path<Id<Interview>>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response> {
    let id = id.get();
    let quote = object(body)?
        .get("quote")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let highlight = highlight(&state, &viewer, id, &quote).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": highlight}))).into_response())
}
