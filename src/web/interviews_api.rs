//! Interview snapshots through the JSON API.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::access::PlatformTeam;
use super::api::{ApiJson, Page, PageQuery, created};
use super::extract::{Path, Query};
use super::interviews::{draft_of, highlight, load, save, store};
use super::request::{self, Field, Problems};
use crate::app::AppState;
use crate::db::interviews;
use crate::domain::Id;
use crate::domain::interview::{Interview, InterviewDraft};
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

/// An interview snapshot to record, or the fields of one to change
/// (`PATCH`: absent fields keep their value).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InterviewRequest {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    participant_name: Field<String>,
    /// The participant's team (slug).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    participant_team: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    participant_role: Field<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    held_on: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    quote: Field<String>,
    /// Markdown, rendered safely.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    notes: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    opportunities: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    insights: Field<String>,
    /// Service slugs.
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    services: Field<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    tags: Field<Vec<String>>,
    /// Email addresses of platform-team members; none means whoever records it.
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    interviewers: Field<Vec<String>>,
}

#[utoipa::path(
    post,
    path = "/api/v1/interviews",
    operation_id = "create_interview",
    tag = "interviews",
    request_body(content = InterviewRequest, description = "`participant_name`, `participant_role` and `held_on` are required"),
    responses((status = 201, description = "The new interview", body = Interview))
)]
pub async fn create_api(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response> {
    let body: InterviewRequest = request::read(body)?;
    let mut problems = Problems::default();
    let draft = InterviewDraft {
        participant_name: body
            .participant_name
            .text("participant_name", &mut problems),
        participant_team: body
            .participant_team
            .text("participant_team", &mut problems),
        participant_role: body
            .participant_role
            .text("participant_role", &mut problems),
        held_on: body.held_on.text("held_on", &mut problems),
        quote: body.quote.text("quote", &mut problems),
        notes: body.notes.text("notes", &mut problems),
        opportunities: body.opportunities.text("opportunities", &mut problems),
        insights: body.insights.text("insights", &mut problems),
        services: body.services.texts("services", &mut problems),
        tags: body.tags.texts("tags", &mut problems),
        interviewers: body.interviewers.texts("interviewers", &mut problems),
    };
    problems.check()?;
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
    request_body(content = InterviewRequest, description = "Only the fields to change"),
    responses((status = 200, description = "The interview as changed", body = Interview))
)]
pub async fn update_api(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    Path(id): Path<Id<Interview>>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Interview>> {
    let id = id.get();
    let body: InterviewRequest = request::read(body)?;
    let current = draft_of(&load(&state, id).await?);
    let mut problems = Problems::default();
    let draft = InterviewDraft {
        participant_name: body
            .participant_name
            .change("participant_name", &mut problems)
            .unwrap_or(current.participant_name),
        participant_team: body
            .participant_team
            .change("participant_team", &mut problems)
            .unwrap_or(current.participant_team),
        participant_role: body
            .participant_role
            .change("participant_role", &mut problems)
            .unwrap_or(current.participant_role),
        held_on: body
            .held_on
            .change("held_on", &mut problems)
            .unwrap_or(current.held_on),
        quote: body
            .quote
            .change("quote", &mut problems)
            .unwrap_or(current.quote),
        notes: body
            .notes
            .change("notes", &mut problems)
            .unwrap_or(current.notes),
        opportunities: body
            .opportunities
            .change("opportunities", &mut problems)
            .unwrap_or(current.opportunities),
        insights: body
            .insights
            .change("insights", &mut problems)
            .unwrap_or(current.insights),
        services: body
            .services
            .change_texts("services", &mut problems)
            .unwrap_or(current.services),
        tags: body
            .tags
            .change_texts("tags", &mut problems)
            .unwrap_or(current.tags),
        interviewers: body
            .interviewers
            .change_texts("interviewers", &mut problems)
            .unwrap_or(current.interviewers),
    };
    problems.check()?;
    save(&state, &viewer, id, draft).await?;
    Ok(Json(load(&state, id).await?))
}

/// `{"quote": "..."}`: a passage of the notes.
/// `POST /api/v1/interviews/{id}/highlights`: a quote worth keeping.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HighlightRequest {
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    quote: Field<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/interviews/{id}/highlights",
    operation_id = "add_highlight",
    tag = "interviews",
    params(("id" = i64, Path, description = "The interview's id")),
    request_body = HighlightRequest,
    responses((status = 201, description = "The new highlight", body = serde_json::Value))
)]
pub async fn highlight_api(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    Path(id): Path<Id<Interview>>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response> {
    let id = id.get();
    let body: HighlightRequest = request::read(body)?;
    let mut problems = Problems::default();
    let quote = body.quote.text("quote", &mut problems);
    problems.check()?;
    let highlight = highlight(&state, &viewer, id, &quote).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": highlight}))).into_response())
}
