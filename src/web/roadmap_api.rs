//! The roadmap's JSON API: items, their pain points, shipping.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::access::PlatformTeam;
use super::api::{ApiJson, Page, PageQuery, created};
use super::extract::{Path, Query};
use super::request::{self, Field, Problems};
use super::roadmap::{load, move_to};
use crate::app::AppState;
use crate::db::roadmap;
use crate::domain::Id;
use crate::domain::labels::LabelFilter;
use crate::domain::roadmap::{NewRoadmapItem, RoadmapDraft, RoadmapItem, RoadmapStatus};
use crate::error::{Error, Result};
use crate::jobs::closed_loop;

#[utoipa::path(
    get,
    path = "/api/v1/roadmap-items",
    operation_id = "list_roadmap_items",
    tag = "roadmap",
    params(PageQuery, LabelFilter),
    responses((status = 200, description = "Roadmap items", body = Page<RoadmapItem>))
)]
pub async fn list_api(
    State(state): State<AppState>,
    _: PlatformTeam,
    Query(page): Query<PageQuery>,
    Query(filter): Query<LabelFilter>,
) -> Result<Json<Page<RoadmapItem>>> {
    let mut items = state.db.read(roadmap::list).await?;
    items.retain(|item| filter.admits(&item.services, &item.tags));
    page.page(items)
}

/// A roadmap item to create, or the fields of one to change (`PATCH`:
/// absent fields keep their value).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoadmapItemRequest {
    #[serde(default)]
    #[schema(value_type = String)]
    title: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    description: Field<String>,
    /// Such as `2027-Q1`.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    target_quarter: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<RoadmapStatus>)]
    status: Field<String>,
    /// Service slugs.
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    services: Field<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    tags: Field<Vec<String>>,
}

#[utoipa::path(
    post,
    path = "/api/v1/roadmap-items",
    operation_id = "create_roadmap_item",
    tag = "roadmap",
    request_body(content = RoadmapItemRequest, description = "`title` is required"),
    responses((status = 201, description = "The new item", body = RoadmapItem))
)]
pub async fn create_api(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response> {
    let now = state.clock.now();
    let body: RoadmapItemRequest = request::read(body)?;
    let mut problems = Problems::default();
    let draft = RoadmapDraft {
        title: body.title.text("title", &mut problems),
        description: body.description.text("description", &mut problems),
        target_quarter: body.target_quarter.text("target_quarter", &mut problems),
        status: body.status.text("status", &mut problems),
        services: body.services.texts("services", &mut problems),
        tags: body.tags.texts("tags", &mut problems),
    };
    problems.check()?;
    let item = NewRoadmapItem::parse(&draft)?;
    let owner = viewer.user.id;
    let id = state
        .db
        .write(move |connection| roadmap::insert(connection, &item, owner, now))
        .await?;
    let stored = load(&state, id).await?;
    Ok(created(format!("/api/v1/roadmap-items/{id}"), stored))
}

#[utoipa::path(
    get,
    path = "/api/v1/roadmap-items/{id}",
    operation_id = "get_roadmap_item",
    tag = "roadmap",
    params(("id" = i64, Path, description = "The item's id")),
    responses((status = 200, description = "One item", body = RoadmapItem))
)]
pub async fn get_api(
    State(state): State<AppState>,
    _: PlatformTeam,
    Path(id): Path<Id<RoadmapItem>>,
) -> Result<Json<RoadmapItem>> {
    Ok(Json(load(&state, id.get()).await?))
}

/// `POST /api/v1/roadmap-items/{id}/pain-points`: the pain point it
/// answers, `{"pain_point_id": 3}`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    #[serde(default)]
    #[schema(value_type = i64, required = true)]
    pain_point_id: Field<i64>,
}

#[utoipa::path(
    post,
    path = "/api/v1/roadmap-items/{id}/pain-points",
    operation_id = "link_pain_points",
    tag = "roadmap",
    params(("id" = i64, Path, description = "The item's id")),
    request_body = LinkRequest,
    responses((status = 200, description = "The item with its links", body = RoadmapItem))
)]
pub async fn link_api(
    State(state): State<AppState>,
    _: PlatformTeam,
    Path(id): Path<Id<RoadmapItem>>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<RoadmapItem>> {
    let now = state.clock.now();
    let id = id.get();
    let body: LinkRequest = request::read(body)?;
    let mut problems = Problems::default();
    let pain_point = body.pain_point_id.value(
        "pain_point_id",
        "must be a pain point's id (a whole number)",
        &mut problems,
    );
    problems.check()?;
    let pain_point =
        pain_point.ok_or_else(|| Error::invalid("pain_point_id", "give a pain point id"))?;
    state
        .db
        .write(move |connection| roadmap::link_pain_point(connection, id, pain_point, now))
        .await?;
    Ok(Json(load(&state, id).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/roadmap-items/{id}/ship",
    operation_id = "ship_roadmap_item",
    tag = "roadmap",
    params(("id" = i64, Path, description = "The item's id")),
    responses((status = 200, description = "The shipped item and the messages it queued", body = serde_json::Value))
)]
pub async fn ship_api(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    Path(id): Path<Id<RoadmapItem>>,
) -> Result<Json<Value>> {
    let id = id.get();
    let told = closed_loop::ship(&state.db, &state.links, id, state.clock.now()).await?;
    super::audit::record(
        &state,
        &viewer,
        crate::domain::audit::AuditAction::StatusChanged,
        format!("roadmap_item:{id}"),
        "shipped".to_owned(),
    )
    .await?;
    Ok(Json(
        json!({"item": load(&state, id).await?, "people_told": told}),
    ))
}

/// `PATCH /api/v1/roadmap-items/{id}`: any of `title`, `description`,
/// `target_quarter`, `status`, `services`, `tags` (shipping tells the people
/// who asked); absent fields keep their value, and a field of the wrong type
/// is named.
#[utoipa::path(
    patch,
    path = "/api/v1/roadmap-items/{id}",
    operation_id = "update_roadmap_item",
    tag = "roadmap",
    params(("id" = i64, Path, description = "The item's id")),
    request_body(content = RoadmapItemRequest, description = "Only the fields to change"),
    responses((status = 200, description = "The item as changed", body = RoadmapItem))
)]
pub async fn update_api(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    Path(id): Path<Id<RoadmapItem>>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<RoadmapItem>> {
    let now = state.clock.now();
    let id = id.get();
    let body: RoadmapItemRequest = request::read(body)?;
    let current = load(&state, id).await?;
    let mut problems = Problems::default();
    let draft = RoadmapDraft {
        title: body
            .title
            .change("title", &mut problems)
            .unwrap_or(current.title),
        description: body
            .description
            .change("description", &mut problems)
            .unwrap_or(current.description),
        target_quarter: body
            .target_quarter
            .change("target_quarter", &mut problems)
            .unwrap_or_else(|| current.target_quarter.unwrap_or_default()),
        status: body
            .status
            .change("status", &mut problems)
            .unwrap_or_else(|| current.status.as_str().to_owned()),
        services: body
            .services
            .change_texts("services", &mut problems)
            .unwrap_or(current.services),
        tags: body
            .tags
            .change_texts("tags", &mut problems)
            .unwrap_or(current.tags),
    };
    problems.check()?;
    let item = NewRoadmapItem::parse(&draft)?;
    let status = item.status;
    state
        .db
        .write(move |connection| roadmap::update(connection, id, &item, now))
        .await?;
    // Shipping again tells whoever asked since (each person once).
    move_to(
        &state,
        &viewer,
        id,
        current.status,
        status,
        state.clock.now(),
    )
    .await?;
    Ok(Json(load(&state, id).await?))
}
