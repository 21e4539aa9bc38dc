//! The roadmap: items by status and quarter, linking pain points, shipping,
//! the "you said, we did" page for everyone, and opting out of its mail.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::api::{ApiJson, Fields, PageQuery, created, object};
use super::auth::{CsrfToken, VerifiedForm, Viewer};
use super::{StatusForm, parse_id};
use crate::app::AppState;
use crate::auth::constant_time_eq;
use crate::db::roadmap::{self, RoadmapItem};
use crate::db::tree;
use crate::domain::labels::{LabelFilter, split_list};
use crate::domain::roadmap::{NewRoadmapItem, RoadmapDraft, RoadmapStatus};
use crate::error::{Error, Result};
use crate::jobs::closed_loop;
use crate::views::{self, Chrome};

async fn load(state: &AppState, id: i64) -> Result<RoadmapItem> {
    state
        .db
        .read(move |connection| roadmap::by_id(connection, id))
        .await?
        .ok_or(Error::NotFound)
}

pub async fn board(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfToken(csrf): CsrfToken,
    Query(filter): Query<LabelFilter>,
) -> Result<maud::Markup> {
    viewer.require_platform_team()?;
    let mut items = state.db.read(roadmap::list).await?;
    items.retain(|item| filter.admits(&item.services, &item.tags));
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::roadmap::board(&chrome, &items, &filter))
}

#[derive(Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    target_quarter: String,
    #[serde(default)]
    services: String,
    #[serde(default)]
    tags: String,
}

impl ItemForm {
    /// The draft of an item with `status` (a form never sets it).
    fn draft(self, status: RoadmapStatus) -> RoadmapDraft {
        RoadmapDraft {
            title: self.title,
            description: self.description,
            target_quarter: self.target_quarter,
            status: status.as_str().to_owned(),
            services: split_list(&self.services),
            tags: split_list(&self.tags),
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    VerifiedForm(form): VerifiedForm<ItemForm>,
) -> Result<Redirect> {
    let now = state.clock.now();
    viewer.require_platform_team()?;
    let item = NewRoadmapItem::parse(&form.draft(RoadmapStatus::Idea))?;
    let owner = viewer.user.id;
    let id = state
        .db
        .write(move |connection| roadmap::insert(connection, &item, owner, now))
        .await?;
    Ok(Redirect::to(&format!("/roadmap/{id}")))
}

pub async fn detail(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let item = load(&state, id).await?;
    if !viewer.is_platform_team() {
        // What a contributor may read of a roadmap item is what /shipped
        // shows (search finds shipped items for them); the rest is hidden.
        return match item.status {
            RoadmapStatus::Shipped => {
                Ok(Redirect::to(&format!("/shipped#roadmap-{id}")).into_response())
            }
            _ => Err(Error::NotFound),
        };
    }
    let tests = state
        .db
        .read(move |connection| tree::assumption_tests(connection, Some(id)))
        .await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::roadmap::detail(&chrome, &item, &tests).into_response())
}

/// Changes the title, description, quarter, services and tags from the
/// item's page.
pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    VerifiedForm(form): VerifiedForm<ItemForm>,
) -> Result<Redirect> {
    let now = state.clock.now();
    viewer.require_platform_team()?;
    let id = parse_id(&id)?;
    let current = load(&state, id).await?;
    let item = NewRoadmapItem::parse(&form.draft(current.status))?;
    state
        .db
        .write(move |connection| roadmap::update(connection, id, &item, now))
        .await?;
    Ok(Redirect::to(&format!("/roadmap/{id}")))
}

#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    pain_point: String,
}

pub async fn link(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    VerifiedForm(form): VerifiedForm<LinkForm>,
) -> Result<Redirect> {
    let now = state.clock.now();
    viewer.require_platform_team()?;
    let id = parse_id(&id)?;
    let pain_point = parse_id(&form.pain_point)
        .map_err(|_| Error::invalid("pain_point", "give a pain point number"))?;
    state
        .db
        .write(move |connection| roadmap::link_pain_point(connection, id, pain_point, now))
        .await?;
    Ok(Redirect::to(&format!("/roadmap/{id}")))
}

/// Shipping goes through [`closed_loop::ship`], which also tells the
/// people who asked.
pub async fn set_status(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    VerifiedForm(form): VerifiedForm<StatusForm>,
) -> Result<Redirect> {
    let now = state.clock.now();
    viewer.require_platform_team()?;
    let id = parse_id(&id)?;
    let status = RoadmapStatus::parse_as("status", &form.status)?;
    if status == RoadmapStatus::Shipped {
        closed_loop::ship(&state.db, &state.links, id, state.clock.now()).await?;
    } else {
        state
            .db
            .write(move |connection| roadmap::set_status(connection, id, status, now))
            .await?;
    }
    super::audit::record(
        &state,
        &viewer,
        crate::domain::audit::AuditAction::StatusChanged,
        format!("roadmap_item:{id}"),
        status.as_str().to_owned(),
    )
    .await?;
    Ok(Redirect::to(&format!("/roadmap/{id}")))
}

/// What shipped and which problems it answered, for every signed-in person.
pub async fn shipped_page(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfToken(csrf): CsrfToken,
) -> Result<maud::Markup> {
    let items = state.db.read(roadmap::shipped).await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::roadmap::shipped(&chrome, &items))
}

fn check_opt_out(state: &AppState, user: &str, token: &str) -> Result<i64> {
    let user: i64 = user.parse().map_err(|_| Error::NotFound)?;
    if !constant_time_eq(&state.links.opt_out_token(user), token) {
        return Err(Error::NotFound);
    }
    Ok(user)
}

pub async fn opt_out_page(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Path((user, token)): Path<(String, String)>,
) -> Result<maud::Markup> {
    check_opt_out(&state, &user, &token)?;
    let chrome = Chrome {
        viewer: None,
        csrf: &csrf,
    };
    Ok(views::roadmap::opt_out(
        &chrome,
        &format!("/opt-out/{user}/{token}"),
        None,
    ))
}

pub async fn opt_out(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Path((user, token)): Path<(String, String)>,
) -> Result<maud::Markup> {
    let id = check_opt_out(&state, &user, &token)?;
    let email = state
        .db
        .write(move |connection| roadmap::opt_out(connection, id))
        .await?
        .ok_or(Error::NotFound)?;
    let chrome = Chrome {
        viewer: None,
        csrf: &csrf,
    };
    Ok(views::roadmap::opt_out(&chrome, "", Some(&email)))
}

pub async fn list_api(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(page): Query<PageQuery>,
    Query(filter): Query<LabelFilter>,
) -> Result<Json<Value>> {
    viewer.require_platform_team()?;
    let mut items = state.db.read(roadmap::list).await?;
    items.retain(|item| filter.admits(&item.services, &item.tags));
    page.page(items)
}

pub async fn create_api(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response> {
    let now = state.clock.now();
    viewer.require_platform_team()?;
    let body = object(body)?;
    let mut fields = Fields::new(&body);
    let draft = RoadmapDraft {
        title: fields.string("title"),
        description: fields.string("description"),
        target_quarter: fields.string("target_quarter"),
        status: fields.string("status"),
        services: fields.strings("services"),
        tags: fields.strings("tags"),
    };
    fields.check()?;
    let item = NewRoadmapItem::parse(&draft)?;
    let owner = viewer.user.id;
    let id = state
        .db
        .write(move |connection| roadmap::insert(connection, &item, owner, now))
        .await?;
    let stored = load(&state, id).await?;
    Ok(created(format!("/api/v1/roadmap-items/{id}"), stored))
}

pub async fn get_api(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<RoadmapItem>> {
    viewer.require_platform_team()?;
    Ok(Json(load(&state, parse_id(&id)?).await?))
}

/// `{"pain_point_id": 3}`.
pub async fn link_api(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<RoadmapItem>> {
    let now = state.clock.now();
    viewer.require_platform_team()?;
    let id = parse_id(&id)?;
    let pain_point = object(body)?
        .get("pain_point_id")
        .and_then(Value::as_i64)
        .ok_or_else(|| Error::invalid("pain_point_id", "give a pain point id"))?;
    state
        .db
        .write(move |connection| roadmap::link_pain_point(connection, id, pain_point, now))
        .await?;
    Ok(Json(load(&state, id).await?))
}

pub async fn ship_api(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    viewer.require_platform_team()?;
    let id = parse_id(&id)?;
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
pub async fn update_api(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<RoadmapItem>> {
    let now = state.clock.now();
    viewer.require_platform_team()?;
    let id = parse_id(&id)?;
    let body = object(body)?;
    let current = load(&state, id).await?;
    let mut fields = Fields::new(&body);
    let draft = RoadmapDraft {
        title: fields.optional_string("title").unwrap_or(current.title),
        description: fields
            .optional_string("description")
            .unwrap_or(current.description),
        target_quarter: fields
            .optional_string("target_quarter")
            .unwrap_or_else(|| current.target_quarter.unwrap_or_default()),
        status: fields
            .optional_string("status")
            .unwrap_or_else(|| current.status.as_str().to_owned()),
        services: fields
            .optional_strings("services")
            .unwrap_or(current.services),
        tags: fields.optional_strings("tags").unwrap_or(current.tags),
    };
    fields.check()?;
    let item = NewRoadmapItem::parse(&draft)?;
    let status = item.status;
    state
        .db
        .write(move |connection| roadmap::update(connection, id, &item, now))
        .await?;
    if status == RoadmapStatus::Shipped {
        closed_loop::ship(&state.db, &state.links, id, state.clock.now()).await?;
    } else if status != current.status {
        state
            .db
            .write(move |connection| roadmap::set_status(connection, id, status, now))
            .await?;
    }
    if status != current.status {
        super::audit::record(
            &state,
            &viewer,
            crate::domain::audit::AuditAction::StatusChanged,
            format!("roadmap_item:{id}"),
            status.as_str().to_owned(),
        )
        .await?;
    }
    Ok(Json(load(&state, id).await?))
}
