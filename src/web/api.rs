//! The JSON API under `/api/v1`: what every resource shares (the JSON body
//! extractor, `201 Created`, paging) and the service catalog with its
//! reliability figures. Errors are RFC 9457 problem bodies (see `error`);
//! lists take `limit` (1–100, default 25) and `offset`. Feedback is in
//! `web::feedback_api`; each feature's calls are in its module.

use axum::Json;
use axum::extract::{FromRequest, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::access::{CatalogAdmin, PlatformTeam, SignedIn};
use super::extract::Path;
use super::request::{self, Field, Problems};
use crate::app::AppState;
use crate::db::services;
use crate::domain::service::{Reliability, Service};
use crate::domain::{FieldErrors, NewService, ReliabilityDraft, ReliabilityReport, ServiceDraft};
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
pub(super) fn paging(
    limit: Option<&str>,
    offset: Option<&str>,
    errors: &mut FieldErrors,
) -> (u32, u32) {
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
    responses((status = 200, description = "The stored figures", body = Reliability))
)]
pub async fn put_reliability(
    State(state): State<AppState>,
    _: PlatformTeam,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Reliability>> {
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
