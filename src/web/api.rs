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

/// A JSON body that must be an object; its fields are checked one by one so
/// that every wrong field is reported, by name.
pub fn object(value: Value) -> Result<Map<String, Value>> {
    match value {
        Value::Object(fields) => Ok(fields),
        _ => Err(Error::Rejected {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            detail: "the body must be a JSON object".into(),
        }),
    }
}

/// Reads typed fields out of a JSON object, noting wrong types as field errors.
pub struct Fields<'a> {
    fields: &'a Map<String, Value>,
    errors: FieldErrors,
}

impl<'a> Fields<'a> {
    /// The fields of the wrong type, as one problem, if there were any.
    pub fn check(self) -> Result<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self.errors))
        }
    }

    /// A list of strings, or empty when missing or null.
    pub fn strings(&mut self, name: &'static str) -> Vec<String> {
        match self.fields.get(name) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect(),
            Some(_) => {
                self.errors.add(name, "must be a list of strings");
                Vec::new()
            }
        }
    }

    /// For updates: `None` when the field is absent (keep what is stored),
    /// `Some("")` when it is null.
    pub fn optional_string(&mut self, name: &'static str) -> Option<String> {
        self.fields.contains_key(name).then(|| self.string(name))
    }

    /// For updates: `None` when the field is absent, the list otherwise
    /// (null is the empty list).
    pub fn optional_strings(&mut self, name: &'static str) -> Option<Vec<String>> {
        self.fields.contains_key(name).then(|| self.strings(name))
    }

    pub fn new(fields: &'a Map<String, Value>) -> Self {
        Fields {
            fields,
            errors: FieldErrors::default(),
        }
    }

    /// A string, or "" when missing or null.
    pub fn string(&mut self, name: &'static str) -> String {
        match self.fields.get(name) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(text)) => text.clone(),
            Some(_) => {
                self.errors.add(name, "must be a string");
                String::new()
            }
        }
    }

    pub fn integer(&mut self, name: &'static str, expected: &str) -> Option<i64> {
        match self.fields.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::Number(number)) if number.as_i64().is_some() => number.as_i64(),
            Some(_) => {
                self.errors.add(name, format!("must be {expected}"));
                None
            }
        }
    }

    pub fn number(&mut self, name: &'static str) -> Option<f64> {
        match self.fields.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::Number(number)) => number.as_f64(),
            Some(_) => {
                self.errors.add(name, "must be a number");
                None
            }
        }
    }

    pub fn boolean(&mut self, name: &'static str) -> bool {
        match self.fields.get(name) {
            None | Some(Value::Null) => false,
            Some(Value::Bool(value)) => *value,
            Some(_) => {
                self.errors.add(name, "must be true or false");
                false
            }
        }
    }
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
    request_body = serde_json::Value,
    responses((status = 201, description = "The stored feedback", body = FeedbackJson, headers(("Location" = String, description = "Where it lives"))))
)]
pub async fn create_feedback(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response> {
    let now = state.clock.now();
    let body = object(body)?;
    let mut fields = Fields::new(&body);
    let draft = FeedbackDraft {
        service: fields.string("service"),
        kind: fields.string("kind"),
        rating: fields
            .integer("rating", "a whole number from 1 to 5, or null")
            .map(|rating| rating.to_string())
            .unwrap_or_default(),
        title: fields.string("title"),
        body: fields.string("body"),
        anonymous: fields.boolean("anonymous"),
        contact_ok: fields.boolean("contact_ok"),
    };
    fields.check()?;
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
    request_body = serde_json::Value,
    responses((status = 201, description = "The new service", body = Service, headers(("Location" = String, description = "Where it lives"))))
)]
pub async fn create_service(
    State(state): State<AppState>,
    _: CatalogAdmin,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response> {
    let now = state.clock.now();
    let body = object(body)?;
    let mut fields = Fields::new(&body);
    let draft = ServiceDraft {
        slug: fields.string("slug"),
        name: fields.string("name"),
        description: fields.string("description"),
        owner_team: fields.string("owner_team"),
        tier: fields.integer("tier", "1, 2 or 3"),
    };
    fields.check()?;
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
    request_body = serde_json::Value,
    responses((status = 200, description = "The stored figures", body = services::Reliability))
)]
pub async fn put_reliability(
    State(state): State<AppState>,
    _: PlatformTeam,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<services::Reliability>> {
    let now = state.clock.now();
    let body = object(body)?;
    let mut fields = Fields::new(&body);
    let draft = ReliabilityDraft {
        period: fields.string("period"),
        slo_attainment: fields.number("slo_attainment"),
        error_budget_remaining: fields.number("error_budget_remaining"),
        incidents: fields.integer("incidents", "a whole number, 0 or more"),
    };
    // Fields of the wrong type and values out of range, all in one answer.
    let report = match ReliabilityReport::parse(&draft) {
        Ok(report) if fields.errors.is_empty() => report,
        Ok(_) => return Err(Error::Invalid(fields.errors)),
        Err(mut errors) => {
            errors.extend(fields.errors);
            return Err(Error::Invalid(errors));
        }
    };
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
