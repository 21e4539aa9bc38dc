//! Survey series (platform team only): the list with the headline mark,
//! a new series, and which series and period a survey is a wave of; the
//! same as JSON under `/api/v1/series` and `/api/v1/surveys/{id}/series`.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use serde::Deserialize;

use super::access::PlatformTeam;
use super::api::{ApiJson, created};
use super::auth::{CsrfToken, VerifiedForm, Viewer};
use super::extract::Path;
use super::routes::Routes;
use crate::app::AppState;
use crate::db::series;
use crate::domain::series::{NewSeries, Series, SeriesCadence, SeriesDraft, WaveOf};
use crate::domain::survey::Survey;
use crate::domain::{FieldErrors, Id};
use crate::error::{Error, Result};
use crate::views::{self, Chrome};

/// Series, for the platform team.
pub fn routes() -> Routes {
    Routes::default()
        .team_page("/surveys/series", get(series_page).post(create_form))
        .team_page("/surveys/series/{id}/headline", post(headline_form))
        .team_page("/surveys/{id}/series", post(assign_form))
        .team_api("/api/v1/series", get(list_api).post(create_api))
        .team_api("/api/v1/series/{id}/headline", post(headline_api))
        .team_api("/api/v1/surveys/{id}/series", put(assign_api))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
struct SeriesForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    #[schema(value_type = SeriesCadence)]
    cadence: String,
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    csrf: &str,
    typed: &SeriesForm,
    errors: &FieldErrors,
) -> Result<Response> {
    let list = state.db.read(series::list).await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf,
    };
    let page = views::series::series_page(&chrome, &list, (&typed.name, &typed.cadence), errors);
    Ok((super::form_status(errors), page).into_response())
}

async fn series_page(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    PlatformTeam(viewer): PlatformTeam,
) -> Result<Response> {
    let typed = SeriesForm {
        cadence: "quarterly".into(),
        ..SeriesForm::default()
    };
    render(&state, &viewer, &csrf, &typed, &FieldErrors::default()).await
}

async fn create(state: &AppState, form: &SeriesForm) -> Result<Series> {
    let new = NewSeries::parse(&SeriesDraft {
        name: form.name.clone(),
        cadence: form.cadence.clone(),
    })?;
    let now = state.clock.now();
    state
        .db
        .write(move |connection| series::insert(connection, &new, now))
        .await
}

async fn create_form(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    PlatformTeam(viewer): PlatformTeam,
    VerifiedForm(form): VerifiedForm<SeriesForm>,
) -> Result<Response> {
    match create(&state, &form).await {
        Ok(_) => Ok(Redirect::to("/surveys/series").into_response()),
        Err(Error::Invalid(errors)) => render(&state, &viewer, &csrf, &form, &errors).await,
        Err(error) => Err(error),
    }
}

async fn headline_form(
    State(state): State<AppState>,
    PlatformTeam(_): PlatformTeam,
    Path(id): Path<Id<Series>>,
    VerifiedForm(_): VerifiedForm<super::pages::EmptyForm>,
) -> Result<Redirect> {
    let id = id.get();
    state
        .db
        .write(move |connection| series::set_headline(connection, id))
        .await?;
    Ok(Redirect::to("/surveys/series"))
}

/// Which series a survey is a wave of ("" for none: ad hoc), and the
/// period it stands for ("" for the one it opens in).
#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct WaveForm {
    #[serde(default)]
    pub series: String,
    #[serde(default)]
    pub period: String,
}

/// Makes survey `survey` a wave of the series named in `form`, or ad hoc.
pub async fn assign(state: &AppState, survey: i64, form: WaveForm) -> Result<Option<WaveOf>> {
    state
        .db
        .write(move |connection| {
            let chosen = match form.series.trim() {
                "" => None,
                raw => Some(series::find(connection, raw)?.ok_or_else(|| {
                    Error::invalid("series", format!("there is no series {raw:?}"))
                })?),
            };
            series::assign(connection, survey, chosen.as_ref(), &form.period)
        })
        .await
}

async fn assign_form(
    State(state): State<AppState>,
    PlatformTeam(_): PlatformTeam,
    Path(id): Path<Id<Survey>>,
    VerifiedForm(form): VerifiedForm<WaveForm>,
) -> Result<Redirect> {
    let id = id.get();
    assign(&state, id, form).await?;
    Ok(Redirect::to(&format!("/surveys/{id}")))
}

#[utoipa::path(
    get,
    path = "/api/v1/series",
    operation_id = "list_series",
    tag = "surveys",
    responses((status = 200, description = "Survey series with their waves' count", body = [Series]))
)]
async fn list_api(
    State(state): State<AppState>,
    PlatformTeam(_): PlatformTeam,
) -> Result<Json<Vec<Series>>> {
    Ok(Json(state.db.read(series::list).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/series",
    operation_id = "create_series",
    tag = "surveys",
    request_body = SeriesForm,
    responses((status = 201, description = "The new series", body = Series))
)]
async fn create_api(
    State(state): State<AppState>,
    PlatformTeam(_): PlatformTeam,
    ApiJson(form): ApiJson<SeriesForm>,
) -> Result<Response> {
    let stored = create(&state, &form).await?;
    Ok(created(format!("/api/v1/series/{}", stored.id), stored))
}

#[utoipa::path(
    post,
    path = "/api/v1/series/{id}/headline",
    operation_id = "make_series_headline",
    tag = "surveys",
    params(("id" = i64, Path, description = "The series' id")),
    responses((status = 200, description = "Every series, this one the headline", body = [Series]))
)]
async fn headline_api(
    State(state): State<AppState>,
    PlatformTeam(_): PlatformTeam,
    Path(id): Path<Id<Series>>,
) -> Result<Json<Vec<Series>>> {
    let id = id.get();
    state
        .db
        .write(move |connection| series::set_headline(connection, id))
        .await?;
    Ok(Json(state.db.read(series::list).await?))
}

/// `PUT /api/v1/surveys/{id}/series` with `{"series": name or id, "period":
/// "2026-Q1"}`; `{"series": ""}` makes the survey ad hoc.
#[utoipa::path(
    put,
    path = "/api/v1/surveys/{id}/series",
    operation_id = "assign_survey_to_series",
    tag = "surveys",
    params(("id" = i64, Path, description = "The survey's id")),
    request_body = WaveForm,
    responses((status = 200, description = "The survey's place in its series, or null when ad hoc", body = Option<WaveOf>))
)]
async fn assign_api(
    State(state): State<AppState>,
    PlatformTeam(_): PlatformTeam,
    Path(id): Path<Id<Survey>>,
    ApiJson(form): ApiJson<WaveForm>,
) -> Result<Json<Option<WaveOf>>> {
    let id = id.get();
    Ok(Json(assign(&state, id, form).await?))
}
