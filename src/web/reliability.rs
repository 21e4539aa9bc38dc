//! Reliability figures by hand and from Prometheus (platform team only):
//! a month typed on a service's page, months pasted or posted as CSV, the
//! service's PromQL and the team's template, and pulling now. The
//! scheduled pull is `jobs::reliability`; pushing a month as JSON stays
//! `PUT /api/v1/services/{slug}/reliability`.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::access::PlatformTeam;
use super::auth::{CsrfToken, VerifiedForm};
use super::extract::Path;
use super::routes::Routes;
use crate::app::AppState;
use crate::db::reliability::{self, PullTarget};
use crate::db::services;
use crate::domain::reliability::{MonthDraft, ReliabilityQueries, parse_csv};
use crate::domain::service::Reliability;
use crate::domain::{FieldErrors, ReliabilityReport};
use crate::error::{Error, Result};
use crate::jobs;
use crate::views::{self, Chrome};

/// Reliability by hand and from Prometheus, for the platform team.
pub fn routes() -> Routes {
    Routes::default()
        .team_page("/reliability", get(template_page).post(save_template))
        .team_page("/services/{slug}/reliability", post(enter_month))
        .team_page("/services/{slug}/reliability/import", post(import_form))
        .team_page("/services/{slug}/reliability/queries", post(save_queries))
        .team_page("/services/{slug}/reliability/pull", post(pull_now))
        .team_api("/api/v1/services/{slug}/reliability.csv", post(import_api))
}

fn back_to(slug: &str) -> Redirect {
    Redirect::to(&format!("/services/{slug}#reliability"))
}

async fn store(state: &AppState, slug: String, reports: Vec<ReliabilityReport>) -> Result<usize> {
    let now = state.clock.now();
    state
        .db
        .write(move |connection| {
            for report in &reports {
                services::upsert_reliability(connection, &slug, report, now)?;
            }
            Ok(reports.len())
        })
        .await
}

#[derive(Deserialize, Default)]
struct MonthForm {
    #[serde(default)]
    period: String,
    #[serde(default)]
    slo_attainment_percent: String,
    #[serde(default)]
    error_budget_remaining_percent: String,
    #[serde(default)]
    incidents: String,
}

async fn enter_month(
    State(state): State<AppState>,
    PlatformTeam(_): PlatformTeam,
    Path(slug): Path<String>,
    VerifiedForm(form): VerifiedForm<MonthForm>,
) -> Result<Redirect> {
    let report = MonthDraft {
        period: form.period,
        slo_attainment_percent: form.slo_attainment_percent,
        error_budget_remaining_percent: form.error_budget_remaining_percent,
        incidents: form.incidents,
    }
    .parse()?;
    store(&state, slug.clone(), vec![report]).await?;
    Ok(back_to(&slug))
}

/// Checks a pasted or posted CSV: all its months, or every problem.
fn months_of(csv: &str) -> Result<Vec<ReliabilityReport>> {
    parse_csv(csv).map_err(|problems| {
        let mut errors = FieldErrors::default();
        for problem in problems {
            errors.add("csv", problem);
        }
        Error::Invalid(errors)
    })
}

#[derive(Deserialize, Default)]
struct ImportForm {
    #[serde(default)]
    csv: String,
}

async fn import_form(
    State(state): State<AppState>,
    PlatformTeam(_): PlatformTeam,
    Path(slug): Path<String>,
    VerifiedForm(form): VerifiedForm<ImportForm>,
) -> Result<Redirect> {
    let reports = months_of(&form.csv)?;
    store(&state, slug.clone(), reports).await?;
    Ok(back_to(&slug))
}

/// `POST /api/v1/services/{slug}/reliability.csv` with a CSV body: the
/// months stored, newest first.
#[utoipa::path(
    post,
    path = "/api/v1/services/{slug}/reliability.csv",
    operation_id = "import_reliability",
    tag = "services",
    params(("slug" = String, Path, description = "The service's slug")),
    request_body(content = String, content_type = "text/csv", description = "One month a row"),
    responses((status = 200, description = "The months stored, newest first", body = [Reliability]))
)]
async fn import_api(
    State(state): State<AppState>,
    PlatformTeam(_): PlatformTeam,
    Path(slug): Path<String>,
    body: String,
) -> Result<Json<Vec<Reliability>>> {
    let reports = months_of(&body)?;
    let months = reports.len();
    let service = slug.clone();
    store(&state, slug, reports).await?;
    let history = state
        .db
        .read(move |connection| {
            let found = services::service_by_slug(connection, &service)?.ok_or(Error::NotFound)?;
            services::reliability_history(connection, found.id, months as u32)
        })
        .await?;
    Ok(Json(history))
}

async fn save_queries(
    State(state): State<AppState>,
    PlatformTeam(_): PlatformTeam,
    Path(slug): Path<String>,
    VerifiedForm(form): VerifiedForm<ReliabilityQueries>,
) -> Result<Redirect> {
    let queries = ReliabilityQueries::parse(&form)?;
    let now = state.clock.now();
    let service = slug.clone();
    state
        .db
        .write(move |connection| {
            let found = services::service_by_slug(connection, &service)?.ok_or(Error::NotFound)?;
            reliability::set_queries(connection, found.id, &queries, now)
        })
        .await?;
    Ok(back_to(&slug))
}

/// Pulls this service from Prometheus now; the outcome shows on its page.
async fn pull_now(
    State(state): State<AppState>,
    PlatformTeam(_): PlatformTeam,
    Path(slug): Path<String>,
    VerifiedForm(_): VerifiedForm<super::pages::EmptyForm>,
) -> Result<Redirect> {
    let Some(prometheus) = &state.prometheus else {
        return Err(Error::Conflict(
            "no Prometheus is configured: start Earshot with --prometheus-url".into(),
        ));
    };
    let service = slug.clone();
    let target: Option<PullTarget> = state
        .db
        .read(move |connection| {
            services::service_by_slug(connection, &service)?.ok_or(Error::NotFound)?;
            Ok(reliability::targets(connection)?
                .into_iter()
                .find(|target| target.slug == service))
        })
        .await?;
    let target = target.ok_or_else(|| {
        Error::Conflict(format!(
            "{slug} has no PromQL to pull, and the team's template has none either; set them on its page or on /reliability"
        ))
    })?;
    // A failed pull is recorded and shown on the page it goes back to.
    let _failed =
        jobs::reliability::pull_service(&state.db, prometheus, &target, state.clock.now()).await?;
    Ok(back_to(&slug))
}

async fn template_page(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    PlatformTeam(viewer): PlatformTeam,
) -> Result<Response> {
    let template = state.db.read(reliability::template).await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    let prometheus = state.prometheus.as_ref().map(|prometheus| prometheus.url());
    Ok(views::reliability::template_page(&chrome, &template, prometheus).into_response())
}

async fn save_template(
    State(state): State<AppState>,
    PlatformTeam(_): PlatformTeam,
    VerifiedForm(form): VerifiedForm<ReliabilityQueries>,
) -> Result<Redirect> {
    let template = ReliabilityQueries::parse(&form)?;
    state
        .db
        .write(move |connection| reliability::set_template(connection, &template))
        .await?;
    Ok(Redirect::to("/reliability"))
}
