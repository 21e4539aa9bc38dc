//! Pain points through the API, for the platform team: list, create, read,
//! change, and add evidence. Bodies are typed (`web::request`).

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::access::PlatformTeam;
use super::api::{ApiJson, Page, PageQuery, created};
use super::extract::{Path, Query};
use super::pain_points::ranked;
use super::request::{self, Field, Problems};
use crate::app::AppState;
use crate::db::pain_points;
use crate::domain::Id;
use crate::domain::labels::LabelFilter;
use crate::domain::pain_point::{
    NewPainPoint, PainPoint, PainPointDraft, PainPointStatus, affected_teams, impact,
};
use crate::error::{Error, Result};

fn pain_point_json(pain_point: &PainPoint) -> Value {
    json!({
        "id": pain_point.id,
        "title": pain_point.title,
        "description": pain_point.description,
        "status": pain_point.status,
        "services": pain_point.services,
        "tags": pain_point.tags,
        "url": format!("/pain-points/{}", pain_point.id),
        "impact": impact(&pain_point.parts),
        "impact_parts": {
            "teams": pain_point.parts.teams,
            "people": pain_point.parts.people,
            "evidence": pain_point.parts.evidence,
            "recent": pain_point.parts.recent,
            "average_rating": pain_point.parts.average_rating,
        },
        "first_heard": pain_point.first_heard,
        "last_heard": pain_point.last_heard,
        "merged_into": pain_point.merged_into,
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/pain-points",
    operation_id = "list_pain_points",
    tag = "pain points",
    params(PageQuery, LabelFilter),
    responses((status = 200, description = "Pain points", body = serde_json::Value))
)]
pub async fn list_api(
    State(state): State<AppState>,
    _: PlatformTeam,
    Query(page): Query<PageQuery>,
    Query(filter): Query<LabelFilter>,
) -> Result<Json<Page<Value>>> {
    let list = ranked(&state, &filter).await?;
    page.page(list.iter().map(pain_point_json).collect())
}

/// `POST /api/v1/pain-points`: a problem in the users' words.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PainPointRequest {
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    title: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    description: Field<String>,
    /// Service slugs.
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    services: Field<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    tags: Field<Vec<String>>,
}

/// `PATCH /api/v1/pain-points/{id}`: absent fields keep their value.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PainPointChange {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    title: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    description: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    services: Field<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    tags: Field<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = Option<PainPointStatus>)]
    status: Field<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/pain-points",
    operation_id = "create_pain_point",
    tag = "pain points",
    request_body = PainPointRequest,
    responses((status = 201, description = "The new pain point", body = serde_json::Value))
)]
pub async fn create_api(
    State(state): State<AppState>,
    _: PlatformTeam,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response> {
    let now = state.clock.now();
    let body: PainPointRequest = request::read(body)?;
    let mut problems = Problems::default();
    let draft = PainPointDraft {
        title: body.title.text("title", &mut problems),
        description: body.description.text("description", &mut problems),
        services: body.services.texts("services", &mut problems),
        tags: body.tags.texts("tags", &mut problems),
    };
    problems.check()?;
    let pain_point = NewPainPoint::parse(&draft)?;
    let id = state
        .db
        .write(move |connection| pain_points::insert(connection, &pain_point, now))
        .await?;
    let stored = state
        .db
        .read(move |connection| pain_points::by_id(connection, id, now))
        .await?
        .ok_or(Error::NotFound)?;
    Ok(created(
        format!("/api/v1/pain-points/{id}"),
        pain_point_json(&stored),
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/pain-points/{id}",
    operation_id = "get_pain_point",
    tag = "pain points",
    params(("id" = i64, Path, description = "The pain point's id")),
    responses((status = 200, description = "One pain point", body = serde_json::Value))
)]
pub async fn get_api(
    State(state): State<AppState>,
    _: PlatformTeam,
    Path(id): Path<Id<PainPoint>>,
) -> Result<Json<Value>> {
    let now = state.clock.now();
    let id = id.get();
    let (pain_point, evidence, affected) = state
        .db
        .read(move |connection| {
            let pain_point = pain_points::by_id(connection, id, now)?.ok_or(Error::NotFound)?;
            Ok((
                pain_point,
                pain_points::evidence(connection, id)?,
                pain_points::affected(connection, id)?,
            ))
        })
        .await?;
    let mut value = pain_point_json(&pain_point);
    let teams = affected_teams(affected.iter().map(|person| person.team.as_deref()));
    value["affected_teams"] = json!(
        teams
            .iter()
            .map(|(team, people)| json!({"team": team, "people": people}))
            .collect::<Vec<_>>()
    );
    value["affected_people"] = json!(affected);
    value["evidence"] = json!(evidence
        .iter()
        .map(|item| json!({"feedback_id": item.feedback_id, "summary": item.summary, "service": item.service, "team": item.team, "created_at": item.created_at}))
        .collect::<Vec<_>>());
    Ok(Json(value))
}

/// `POST /api/v1/pain-points/{id}/evidence`: feedback that supports it,
/// `{"feedback_ids": [..]}`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRequest {
    #[serde(default)]
    #[schema(value_type = Vec<i64>, required = true)]
    feedback_ids: Field<Vec<i64>>,
}

#[utoipa::path(
    post,
    path = "/api/v1/pain-points/{id}/evidence",
    operation_id = "add_evidence",
    tag = "pain points",
    params(("id" = i64, Path, description = "The pain point's id")),
    request_body = EvidenceRequest,
    responses((status = 200, description = "The evidence link", body = serde_json::Value))
)]
pub async fn add_evidence_api(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    Path(id): Path<Id<PainPoint>>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Value>> {
    let now = state.clock.now();
    let id = id.get();
    let body: EvidenceRequest = request::read(body)?;
    let mut problems = Problems::default();
    let feedback = body
        .feedback_ids
        .value(
            "feedback_ids",
            "must be a list of feedback ids (whole numbers)",
            &mut problems,
        )
        .unwrap_or_default();
    problems.check()?;
    if feedback.is_empty() {
        return Err(Error::invalid(
            "feedback_ids",
            "give at least one feedback id",
        ));
    }
    let added_by = viewer.user.id;
    let added = state
        .db
        .write(move |connection| {
            pain_points::add_evidence(connection, id, &feedback, added_by, now)
        })
        .await?;
    Ok(Json(json!({"added": added})))
}

/// `PATCH /api/v1/pain-points/{id}`: any of `title`, `description`,
/// `status`, `services`, `tags`; absent fields keep their value, and a
/// field of the wrong type is named.
#[utoipa::path(
    patch,
    path = "/api/v1/pain-points/{id}",
    operation_id = "update_pain_point",
    tag = "pain points",
    params(("id" = i64, Path, description = "The pain point's id")),
    request_body(content = PainPointChange, description = "Only the fields to change"),
    responses((status = 200, description = "The pain point as changed", body = serde_json::Value))
)]
pub async fn update_api(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    Path(id): Path<Id<PainPoint>>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Value>> {
    let now = state.clock.now();
    let id = id.get();
    let body: PainPointChange = request::read(body)?;
    let current = state
        .db
        .read(move |connection| pain_points::by_id(connection, id, now))
        .await?
        .ok_or(Error::NotFound)?;
    let mut problems = Problems::default();
    let draft = PainPointDraft {
        title: body
            .title
            .change("title", &mut problems)
            .unwrap_or(current.title),
        description: body
            .description
            .change("description", &mut problems)
            .unwrap_or(current.description),
        services: body
            .services
            .change_texts("services", &mut problems)
            .unwrap_or(current.services),
        tags: body
            .tags
            .change_texts("tags", &mut problems)
            .unwrap_or(current.tags),
    };
    let status = body.status.change("status", &mut problems);
    problems.check()?;
    let pain_point = NewPainPoint::parse(&draft)?;
    let status = match status {
        Some(raw) => PainPointStatus::parse_as("status", &raw)?,
        None => current.status,
    };
    let stored = state
        .db
        .write(move |connection| {
            let now = now;
            pain_points::update(connection, id, &pain_point, now)?;
            pain_points::set_status(connection, id, status, now)?;
            pain_points::by_id(connection, id, now)?.ok_or(Error::NotFound)
        })
        .await?;
    if status != current.status {
        super::audit::record(
            &state,
            &viewer,
            crate::domain::audit::AuditAction::StatusChanged,
            format!("pain_point:{id}"),
            status.as_str().to_owned(),
        )
        .await?;
    }
    Ok(Json(pain_point_json(&stored)))
}
