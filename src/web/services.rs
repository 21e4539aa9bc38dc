//! The services catalog and each service's page: what users say about it
//! beside how reliable it has been.

use super::routes::Routes;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, patch, post, put};
use chrono::Duration;

use super::access::{CatalogAdmin, PlatformTeam, SignedIn};
use super::api::{ApiJson, object};
use super::auth::{CsrfToken, VerifiedForm, Viewer};
use super::extract::Path;
use crate::app::AppState;
use crate::db::feedback as stored;
use crate::db::{pain_points, reliability, roadmap, series, services};
use crate::domain::pain_point::impact;
use crate::domain::roadmap::RoadmapStatus;
use crate::domain::service::Service;
use crate::domain::{FieldErrors, satisfaction};
use crate::domain::{NewService, Operations, ServiceDraft, ServiceOperationsDraft};
use crate::error::{Error, Result};
use crate::views::reliability::ReliabilitySection;
use crate::views::services::ServiceEdit;
use crate::views::{self, Chrome};

/// The catalog and each service's page for everyone signed in; edited by
/// the team; services created and deleted by admins. The API's reads and
/// creation are in `web::api`.
pub fn routes() -> Routes {
    use super::api;
    Routes::default()
        .page("/services", get(catalog))
        .page("/services/{slug}", get(service_page))
        .team_page("/services/{slug}", post(edit))
        .page("/services/{slug}/delete", post(delete))
        .api(
            "/api/v1/services",
            get(api::list_services).post(api::create_service),
        )
        .api(
            "/api/v1/services/{slug}",
            get(api::get_service).delete(delete_api),
        )
        .team_api("/api/v1/services/{slug}", patch(edit_api))
        .api(
            "/api/v1/services/{slug}/reliability",
            get(api::get_reliability),
        )
        .team_api(
            "/api/v1/services/{slug}/reliability",
            put(api::put_reliability),
        )
}

pub async fn catalog(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    CsrfToken(csrf): CsrfToken,
) -> Result<maud::Markup> {
    let catalog = state.db.read(services::list_services).await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::services::catalog(&chrome, &catalog))
}

pub async fn service_page(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    CsrfToken(csrf): CsrfToken,
    Path(slug): Path<String>,
) -> Result<Response> {
    render(&state, &viewer, &csrf, slug, FieldErrors::default(), None).await
}

/// A service's page; `errors` and `typed` when its edit or delete form came back.
async fn render(
    state: &AppState,
    viewer: &Viewer,
    csrf: &str,
    slug: String,
    errors: FieldErrors,
    typed: Option<ServiceEdit>,
) -> Result<Response> {
    // Aggregates are for everyone, under the disclosure rules; individual
    // items follow the usual rule.
    let own_only = (!viewer.is_platform_team()).then_some(viewer.user.id);
    let now = state.clock.now();
    let prometheus = state
        .prometheus
        .as_ref()
        .map(|prometheus| prometheus.url().to_owned());
    let page = state
        .db
        .read(move |connection| {
            let service = services::service_by_slug(connection, &slug)?.ok_or(Error::NotFound)?;
            let reliability = services::reliability_history(connection, service.id, 12)?;
            let reliability_section = ReliabilitySection {
                slug: service.slug.clone(),
                pull: reliability::pull_status(connection, service.id)?,
                prometheus: prometheus.clone(),
                queries: reliability::queries(connection, service.id)?,
                template: reliability::template(connection)?,
                can_edit: own_only.is_none(),
            };
            let this_month = now.format("%Y-%m").to_string();
            let months =
                services::monthly_feedback(connection, service.id, now - Duration::days(365))?
                    .into_iter()
                    .map(|month| month.publishable(&this_month))
                    .collect();
            let recent = stored::recent_for_service(connection, service.id, own_only, 10)?;
            // Pain points and roadmap items in the making are the team's;
            // contributors see what shipped.
            let ids = pain_points::ids_for_service(connection, &service.slug)?;
            let mut top = Vec::new();
            if own_only.is_none() && !ids.is_empty() {
                top = pain_points::list_among(connection, &ids, now)?;
                top.sort_by(|a, b| impact(&b.parts).total_cmp(&impact(&a.parts)));
                top.truncate(10);
            }
            let mut roadmap = roadmap::for_service(connection, &service.slug, &ids)?;
            if own_only.is_some() {
                roadmap.retain(|item| item.status == RoadmapStatus::Shipped);
            }
            let (headline, waves) = series::headline_waves(connection)?;
            let satisfaction = satisfaction::summarise(&waves)
                .services
                .into_iter()
                .find(|row| row.service == service.slug)
                .zip(headline)
                .map(|(row, headline)| {
                    (
                        headline.name,
                        waves
                            .iter()
                            .map(|wave| (wave.label.clone(), wave.opened))
                            .collect(),
                        row.csat,
                    )
                });
            Ok(views::services::ServicePage {
                now,
                service,
                reliability,
                reliability_section,
                months,
                recent,
                top_pain_points: top,
                roadmap,
                satisfaction,
                can_edit: own_only.is_none(),
                can_delete: false,
                errors: FieldErrors::default(),
                typed: None,
            })
        })
        .await?;
    let status = super::form_status(&errors);
    let page = views::services::ServicePage {
        can_delete: viewer.user.role == crate::domain::Role::Admin,
        errors,
        typed,
        ..page
    };
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf,
    };
    Ok((status, views::services::service_page(&chrome, &page)).into_response())
}

#[derive(serde::Deserialize)]
pub struct ServiceForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    owner_team: String,
    #[serde(default)]
    tier: String,
    #[serde(default)]
    slo_percent: String,
    #[serde(default)]
    slo_window_days: String,
    #[serde(default)]
    runbook_url: String,
    #[serde(default)]
    dashboard_url: String,
}

/// Checks a whole edit of the catalog entry `slug` (which does not change).
fn parse_edit(slug: &str, form: &ServiceForm) -> Result<(NewService, Operations)> {
    let service = NewService::parse(&ServiceDraft {
        slug: slug.to_owned(),
        name: form.name.clone(),
        description: form.description.clone(),
        owner_team: form.owner_team.clone(),
        // Anything but 1, 2 or 3 is refused; empty keeps the default.
        tier: match form.tier.trim() {
            "" => None,
            raw => raw.parse().ok().or(Some(0)),
        },
    });
    let operations = Operations::parse(&ServiceOperationsDraft {
        slo_percent: form.slo_percent.clone(),
        slo_window_days: form.slo_window_days.clone(),
        runbook_url: form.runbook_url.clone(),
        dashboard_url: form.dashboard_url.clone(),
    });
    match (service, operations) {
        (Ok(service), Ok(operations)) => Ok((service, operations)),
        (service, operations) => {
            let mut errors = service.err().unwrap_or_default();
            errors.extend(operations.err().unwrap_or_default());
            Err(Error::Invalid(errors))
        }
    }
}

impl ServiceForm {
    fn typed(&self) -> ServiceEdit {
        ServiceEdit {
            name: self.name.clone(),
            description: self.description.clone(),
            owner_team: self.owner_team.clone(),
            tier: self.tier.clone(),
            slo_percent: self.slo_percent.clone(),
            slo_window_days: self.slo_window_days.clone(),
            runbook_url: self.runbook_url.clone(),
            dashboard_url: self.dashboard_url.clone(),
        }
    }
}

/// The team edits the catalog; a mistake shows the page again with what
/// was typed and the problems next to their fields.
pub async fn edit(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Path(slug): Path<String>,
    VerifiedForm(form): VerifiedForm<ServiceForm>,
) -> Result<Response> {
    let target = slug.clone();
    let outcome = match parse_edit(&slug, &form) {
        Ok((service, operations)) => {
            state
                .db
                .write(move |connection| {
                    services::update_service(connection, &target, &service, &operations)
                })
                .await
        }
        Err(error) => Err(error),
    };
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/services/{slug}")).into_response()),
        Err(Error::Invalid(errors)) => {
            render(&state, &viewer, &csrf, slug, errors, Some(form.typed())).await
        }
        Err(error) => Err(error),
    }
}

/// Admins delete services nobody has said anything about; a service with
/// history stays, and its page says why.
pub async fn delete(
    State(state): State<AppState>,
    CatalogAdmin(viewer): CatalogAdmin,
    CsrfToken(csrf): CsrfToken,
    Path(slug): Path<String>,
    VerifiedForm(_): VerifiedForm<super::pages::EmptyForm>,
) -> Result<Response> {
    let target = slug.clone();
    let outcome = state
        .db
        .write(move |connection| services::delete_service(connection, &target))
        .await;
    match outcome {
        Ok(()) => {
            super::audit::record(
                &state,
                &viewer,
                crate::domain::audit::AuditAction::Deleted,
                format!("service:{slug}"),
                String::new(),
            )
            .await?;
            Ok(Redirect::to("/services").into_response())
        }
        Err(Error::Conflict(message)) => {
            let errors = FieldErrors::one("delete", message);
            render(&state, &viewer, &csrf, slug, errors, None).await
        }
        Err(error) => Err(error),
    }
}

/// `PATCH /api/v1/services/{slug}`: every field of the edit form, as JSON
/// (`slo_target` as a share, like 0.999).
#[utoipa::path(
    patch,
    path = "/api/v1/services/{slug}",
    operation_id = "update_service",
    tag = "services",
    params(("slug" = String, Path, description = "The service's slug")),
    request_body = serde_json::Value,
    responses((status = 200, description = "The service as changed", body = Service))
)]
pub async fn edit_api(
    State(state): State<AppState>,
    _: PlatformTeam,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<axum::Json<Service>> {
    let body = object(body)?;
    let text = |name: &str| match body.get(name) {
        Some(serde_json::Value::String(text)) => text.clone(),
        Some(serde_json::Value::Number(number)) => number.to_string(),
        _ => String::new(),
    };
    let slo_percent = body
        .get("slo_target")
        .and_then(serde_json::Value::as_f64)
        .map(|share| (share * 100.0).to_string())
        .unwrap_or_default();
    let form = ServiceForm {
        name: text("name"),
        description: text("description"),
        owner_team: text("owner_team"),
        tier: text("tier"),
        slo_percent,
        slo_window_days: text("slo_window_days"),
        runbook_url: text("runbook_url"),
        dashboard_url: text("dashboard_url"),
    };
    let (service, operations) = parse_edit(&slug, &form)?;
    let stored = state
        .db
        .write(move |connection| services::update_service(connection, &slug, &service, &operations))
        .await?;
    Ok(axum::Json(stored))
}

#[utoipa::path(
    delete,
    path = "/api/v1/services/{slug}",
    operation_id = "delete_service",
    tag = "services",
    params(("slug" = String, Path, description = "The service's slug")),
    responses((status = 204, description = "Deleted"))
)]
pub async fn delete_api(
    State(state): State<AppState>,
    CatalogAdmin(viewer): CatalogAdmin,
    Path(slug): Path<String>,
) -> Result<axum::http::StatusCode> {
    let deleted_slug = slug.clone();
    state
        .db
        .write(move |connection| services::delete_service(connection, &slug))
        .await?;
    super::audit::record(
        &state,
        &viewer,
        crate::domain::audit::AuditAction::Deleted,
        format!("service:{deleted_slug}"),
        String::new(),
    )
    .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
