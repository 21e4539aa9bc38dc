//! The JSON API under `/api/v1`. Errors are RFC 9457 problem bodies (see
//! `error`); lists take `limit` (1–100, default 25) and `offset`.
//!
//! Access: contributors read only their own non-anonymous feedback (anything
//! else is 404, so existence does not leak); the platform team reads all,
//! with authorship and internal notes.

use axum::Json;
use axum::extract::{FromRequest, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::access::{CatalogAdmin, PlatformTeam, SignedIn};
use super::auth::Viewer;
use super::extract::{Path, Query};
use super::request::{self, Field, Problems};
use crate::app::AppState;
use crate::db::feedback::{self as stored, Feedback, FeedbackFilter, Note};
use crate::db::services::{self, Service};
use crate::domain::Id;
use crate::domain::{
    FeedbackDraft, FeedbackKind, FeedbackStatus, FieldErrors, NewFeedback, NewService,
    ReliabilityDraft, ReliabilityReport, ServiceDraft,
};
use crate::error::{Error, Result};

/// `axum::Json` whose rejections (bad syntax, wrong content type, too
/// large) become problem bodies.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(Error))]
pub struct ApiJson<T>(pub T);

/// `201 Created` with a `Location` header and the stored thing as JSON.
pub fn created(location: String, body: impl Serialize) -> Response {
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(body),
    )
        .into_response()
}

/// A JSON body that must be an object, for the bodies still read field by
/// field (survey definitions and answers, invitations, the one-field link
/// bodies, a service's edit); the others are typed (`web::request`).
pub fn object(value: Value) -> Result<Map<String, Value>> {
    match value {
        Value::Object(fields) => Ok(fields),
        _ => Err(Error::Rejected {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            detail: "the body must be a JSON object".into(),
        }),
    }
}

/// `POST /api/v1/feedback`: what a person or a bot says about a service.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    /// The service's slug.
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    service: Field<String>,
    #[serde(default)]
    #[schema(value_type = FeedbackKind, required = true)]
    kind: Field<String>,
    /// Satisfaction, 1 to 5.
    #[serde(default)]
    #[schema(value_type = Option<u8>, minimum = 1, maximum = 5)]
    rating: Field<i64>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 200)]
    title: Field<String>,
    /// What they say, up to 10,000 characters.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 10000)]
    body: Field<String>,
    /// Stores no author: nobody, not even the team, can tell who wrote it.
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    anonymous: Field<bool>,
    /// Whether the team may reach out about it.
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    contact_ok: Field<bool>,
}

/// `POST /api/v1/services`: a new entry in the catalog.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceRequest {
    /// Lowercase letters, digits, `-` and `.`, as people type it (`ci-runner`).
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    slug: Field<String>,
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    name: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    description: Field<String>,
    /// The owning team's slug.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    owner_team: Field<String>,
    /// 1 (most critical) to 3.
    #[serde(default)]
    #[schema(value_type = Option<u8>, minimum = 1, maximum = 3)]
    tier: Field<i64>,
}

/// `PUT /api/v1/services/{slug}/reliability`: one month's figures.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReliabilityRequest {
    /// The month, `YYYY-MM`.
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    period: Field<String>,
    /// Share of the SLO window within objective, 0 to 1.
    #[serde(default)]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1)]
    slo_attainment: Field<f64>,
    /// Share of the error budget left, at most 1 (negative when overspent, down to -10).
    #[serde(default)]
    #[schema(value_type = Option<f64>, minimum = -10, maximum = 1)]
    error_budget_remaining: Field<f64>,
    #[serde(default)]
    #[schema(value_type = Option<u32>, minimum = 0)]
    incidents: Field<i64>,
}

/// Feedback as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FeedbackJson {
    id: i64,
    url: String,
    service: String,
    kind: FeedbackKind,
    rating: Option<u8>,
    title: Option<String>,
    body: String,
    anonymous: bool,
    status: FeedbackStatus,
    tags: Vec<String>,
    /// Present only when the viewer may know who wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<AuthorJson>,
    contact_ok: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    /// Present only for the platform team.
    #[serde(skip_serializing_if = "Option::is_none")]
    internal_notes: Option<Vec<NoteJson>>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct AuthorJson {
    name: String,
    email: String,
    team: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct NoteJson {
    author: String,
    body: String,
    created_at: DateTime<Utc>,
}

impl FeedbackJson {
    fn new(item: Feedback, notes: Option<Vec<Note>>) -> FeedbackJson {
        FeedbackJson {
            id: item.id,
            url: format!("/feedback/{}", item.id),
            anonymous: item.is_anonymous(),
            service: item.service_slug,
            kind: item.kind,
            rating: item.rating,
            title: item.title,
            body: item.body,
            status: item.status,
            tags: item.tags,
            author: item.author.map(|author| AuthorJson {
                name: author.name,
                email: author.email,
                team: author.team,
            }),
            contact_ok: item.contact_ok,
            created_at: item.created_at,
            updated_at: item.updated_at,
            internal_notes: notes.map(|notes| {
                notes
                    .into_iter()
                    .map(|note| NoteJson {
                        author: note.author_name,
                        body: note.body,
                        created_at: note.created_at,
                    })
                    .collect()
            }),
        }
    }
}

/// Whether `viewer` may see `item` at all.
fn may_read(viewer: &Viewer, item: &Feedback) -> bool {
    viewer.is_platform_team()
        || item
            .author
            .as_ref()
            .is_some_and(|author| author.id == viewer.user.id)
}

#[utoipa::path(
    post,
    path = "/api/v1/feedback",
    operation_id = "create_feedback",
    tag = "feedback",
    request_body = FeedbackRequest,
    responses((status = 201, description = "The stored feedback", body = FeedbackJson, headers(("Location" = String, description = "Where it lives"))))
)]
pub async fn create_feedback(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response> {
    let now = state.clock.now();
    let body: FeedbackRequest = request::read(body)?;
    let mut problems = Problems::default();
    let draft = FeedbackDraft {
        service: body.service.text("service", &mut problems),
        kind: body.kind.text("kind", &mut problems),
        rating: body
            .rating
            .value(
                "rating",
                "must be a whole number from 1 to 5, or null",
                &mut problems,
            )
            .map(|rating| rating.to_string())
            .unwrap_or_default(),
        title: body.title.text("title", &mut problems),
        body: body.body.text("body", &mut problems),
        anonymous: body.anonymous.flag("anonymous", &mut problems),
        contact_ok: body.contact_ok.flag("contact_ok", &mut problems),
    };
    problems.check()?;
    let feedback = NewFeedback::parse(&draft)?;
    let author_id = viewer.user.id;
    let item = state
        .db
        .write(move |connection| {
            let id = stored::insert_feedback(connection, &feedback, Some(author_id), now)?;
            stored::feedback_by_id(connection, id)?.ok_or_else(|| {
                Error::Internal("feedback vanished right after it was stored".into())
            })
        })
        .await?;
    let location = format!("/api/v1/feedback/{}", item.id);
    Ok(created(location, FeedbackJson::new(item, None)))
}

#[utoipa::path(
    get,
    path = "/api/v1/feedback/{id}",
    operation_id = "get_feedback",
    tag = "feedback",
    params(("id" = i64, Path, description = "The feedback's id")),
    responses((status = 200, description = "One item", body = FeedbackJson))
)]
pub async fn get_feedback(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path(id): Path<Id<Feedback>>,
) -> Result<Json<FeedbackJson>> {
    let id = id.get();
    let with_notes = viewer.is_platform_team();
    let (item, notes) = state
        .db
        .read(move |connection| {
            let item = stored::feedback_by_id(connection, id)?.ok_or(Error::NotFound)?;
            let notes = if with_notes {
                Some(stored::notes(connection, id)?)
            } else {
                None
            };
            Ok((item, notes))
        })
        .await?;
    if !may_read(&viewer, &item) {
        return Err(Error::NotFound);
    }
    Ok(Json(FeedbackJson::new(item, notes)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteQuery {
    /// Must be `yes`: deleting cannot be undone.
    #[serde(default)]
    confirm: Option<String>,
}

/// `DELETE /api/v1/feedback/{id}` (platform team): an item that is
/// evidence for pain points is deleted only with `?confirm=true`; without
/// it the answer is 409, naming them.
#[utoipa::path(
    delete,
    path = "/api/v1/feedback/{id}",
    operation_id = "delete_feedback",
    tag = "feedback",
    params(("id" = i64, Path, description = "The feedback's id"), DeleteQuery),
    responses((status = 204, description = "Deleted"))
)]
pub async fn delete_feedback(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    Path(id): Path<Id<Feedback>>,
    Query(query): Query<DeleteQuery>,
) -> Result<StatusCode> {
    let id = id.get();
    let confirmed = query.confirm.as_deref() == Some("true");
    state
        .db
        .write(move |connection| {
            let evidence_for = stored::evidence_for(connection, id)?;
            if !evidence_for.is_empty() && !confirmed {
                let named: Vec<String> = evidence_for
                    .iter()
                    .map(|(id, title)| format!("#{id} {title:?}"))
                    .collect();
                return Err(Error::Conflict(format!(
                    "this feedback is evidence for pain points {}; send ?confirm=true to delete it anyway",
                    named.join(", ")
                )));
            }
            if stored::delete_feedback(connection, id)? {
                Ok(())
            } else {
                Err(Error::NotFound)
            }
        })
        .await?;
    super::audit::record(
        &state,
        &viewer,
        crate::domain::audit::AuditAction::Deleted,
        format!("feedback:{id}"),
        if confirmed {
            "confirmed although it was evidence".into()
        } else {
            String::new()
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only feedback on this service (its slug).
    service: Option<String>,
    /// Only feedback of this kind.
    #[param(value_type = Option<FeedbackKind>)]
    kind: Option<String>,
    /// Only feedback with this status.
    #[param(value_type = Option<FeedbackStatus>)]
    status: Option<String>,
    /// How many to answer, 1 to 100 (25 when absent).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// How many to skip.
    #[param(value_type = Option<u32>, minimum = 0)]
    offset: Option<String>,
}

/// `?limit=&offset=` for the collections held in memory (pain points,
/// roadmap items, interviews, outcomes: hundreds, not millions).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// How many to answer, 1 to 100 (25 when absent).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// How many to skip.
    #[param(value_type = Option<u32>, minimum = 0)]
    offset: Option<String>,
}

impl PageQuery {
    /// One page of `items`: `{"total", "limit", "offset", "items"}`.
    pub fn page<T: Serialize>(&self, items: Vec<T>) -> Result<Json<Page<T>>> {
        let mut errors = FieldErrors::default();
        let (limit, offset) = paging(self.limit.as_deref(), self.offset.as_deref(), &mut errors);
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let total = items.len() as u64;
        let items: Vec<T> = items
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .collect();
        Ok(Json(Page {
            total,
            limit,
            offset,
            items,
        }))
    }
}

/// One page of a list.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    /// How many match, on every page.
    pub total: u64,
    pub limit: u32,
    pub offset: u32,
    pub items: Vec<T>,
}

/// `limit` and `offset` from a query, or field errors.
fn paging(limit: Option<&str>, offset: Option<&str>, errors: &mut FieldErrors) -> (u32, u32) {
    let limit = match limit.map(str::parse::<u32>) {
        None => 25,
        Some(Ok(limit)) if (1..=100).contains(&limit) => limit,
        Some(_) => {
            errors.add("limit", "must be a whole number from 1 to 100");
            25
        }
    };
    let offset = match offset.map(str::parse::<u32>) {
        None => 0,
        Some(Ok(offset)) => offset,
        Some(Err(_)) => {
            errors.add("offset", "must be a whole number, 0 or more");
            0
        }
    };
    (limit, offset)
}

#[utoipa::path(
    get,
    path = "/api/v1/feedback",
    operation_id = "list_feedback",
    tag = "feedback",
    params(ListQuery),
    responses((status = 200, description = "Feedback the caller may read, newest first", body = Page<FeedbackJson>))
)]
pub async fn list_feedback(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Query(query): Query<ListQuery>,
) -> Result<Json<Page<FeedbackJson>>> {
    let mut errors = FieldErrors::default();
    let kind = query.kind.as_deref().and_then(|raw| {
        FeedbackKind::parse_as("kind", raw)
            .map_err(|problem| errors.extend(problem))
            .ok()
    });
    let status = query.status.as_deref().and_then(|raw| {
        FeedbackStatus::parse_as("status", raw)
            .map_err(|problem| errors.extend(problem))
            .ok()
    });
    let (limit, offset) = paging(query.limit.as_deref(), query.offset.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let filter = FeedbackFilter {
        service: query.service.filter(|slug| !slug.is_empty()),
        kind,
        status,
        author_id: (!viewer.is_platform_team()).then_some(viewer.user.id),
        ..FeedbackFilter::default()
    };
    let (items, total) = state
        .db
        .read(move |connection| stored::list_feedback(connection, &filter, limit, offset))
        .await?;
    let items: Vec<FeedbackJson> = items
        .into_iter()
        .map(|item| FeedbackJson::new(item, None))
        .collect();
    Ok(Json(Page {
        total,
        limit,
        offset,
        items,
    }))
}

#[utoipa::path(
    get,
    path = "/api/v1/services",
    operation_id = "list_services",
    tag = "services",
    responses((status = 200, description = "The catalog", body = serde_json::Value))
)]
pub async fn list_services(State(state): State<AppState>, _: SignedIn) -> Result<Json<Value>> {
    let services = state.db.read(services::list_services).await?;
    Ok(Json(json!({ "items": services })))
}

#[utoipa::path(
    get,
    path = "/api/v1/services/{slug}",
    operation_id = "get_service",
    tag = "services",
    params(("slug" = String, Path, description = "The service's slug")),
    responses((status = 200, description = "One service", body = Service))
)]
pub async fn get_service(
    State(state): State<AppState>,
    _: SignedIn,
    Path(slug): Path<String>,
) -> Result<Json<Service>> {
    let service = state
        .db
        .read(move |connection| services::service_by_slug(connection, &slug))
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Json(service))
}

#[utoipa::path(
    post,
    path = "/api/v1/services",
    operation_id = "create_service",
    tag = "services",
    request_body = ServiceRequest,
    responses((status = 201, description = "The new service", body = Service, headers(("Location" = String, description = "Where it lives"))))
)]
pub async fn create_service(
    State(state): State<AppState>,
    _: CatalogAdmin,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response> {
    let now = state.clock.now();
    let body: ServiceRequest = request::read(body)?;
    let mut problems = Problems::default();
    let draft = ServiceDraft {
        slug: body.slug.text("slug", &mut problems),
        name: body.name.text("name", &mut problems),
        description: body.description.text("description", &mut problems),
        owner_team: body.owner_team.text("owner_team", &mut problems),
        tier: body.tier.value("tier", "must be 1, 2 or 3", &mut problems),
    };
    problems.check()?;
    let service = NewService::parse(&draft)?;
    let stored = state
        .db
        .write(move |connection| services::insert_service(connection, &service, now))
        .await?;
    let location = format!("/api/v1/services/{}", stored.slug);
    Ok(created(location, stored))
}

/// Reliability figures pushed by tools (team or admin tokens):
/// `{"period": "2026-11", "slo_attainment": 0.9991, "error_budget_remaining": 0.42, "incidents": 3}`.
#[utoipa::path(
    put,
    path = "/api/v1/services/{slug}/reliability",
    operation_id = "put_reliability",
    tag = "services",
    params(("slug" = String, Path, description = "The service's slug")),
    request_body = ReliabilityRequest,
    responses((status = 200, description = "The stored figures", body = services::Reliability))
)]
pub async fn put_reliability(
    State(state): State<AppState>,
    _: PlatformTeam,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<services::Reliability>> {
    let now = state.clock.now();
    let body: ReliabilityRequest = request::read(body)?;
    let mut problems = Problems::default();
    let number = "must be a number";
    let draft = ReliabilityDraft {
        period: body.period.text("period", &mut problems),
        slo_attainment: body
            .slo_attainment
            .value("slo_attainment", number, &mut problems),
        error_budget_remaining: body.error_budget_remaining.value(
            "error_budget_remaining",
            number,
            &mut problems,
        ),
        incidents: body.incidents.value(
            "incidents",
            "must be a whole number, 0 or more",
            &mut problems,
        ),
    };
    // Fields of the wrong type and values out of range, all in one answer.
    let report = problems.together_with(ReliabilityReport::parse(&draft))?;
    let stored = state
        .db
        .write(move |connection| services::upsert_reliability(connection, &slug, &report, now))
        .await?;
    Ok(Json(stored))
}

#[utoipa::path(
    get,
    path = "/api/v1/services/{slug}/reliability",
    operation_id = "get_reliability",
    tag = "services",
    params(("slug" = String, Path, description = "The service's slug")),
    responses((status = 200, description = "Reliability figures pushed for the service", body = serde_json::Value))
)]
pub async fn get_reliability(
    State(state): State<AppState>,
    _: SignedIn,
    Path(slug): Path<String>,
) -> Result<Json<Value>> {
    let history = state
        .db
        .read(move |connection| {
            let service = services::service_by_slug(connection, &slug)?.ok_or(Error::NotFound)?;
            services::reliability_history(connection, service.id, 36)
        })
        .await?;
    Ok(Json(json!({ "items": history })))
}
