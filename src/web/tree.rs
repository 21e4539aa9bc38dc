//! The opportunity solution tree and what hangs in it: outcomes, where pain
//! points sit, and assumption tests.

use super::routes::Routes;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::Value;

use super::access::PlatformTeam;
use super::api::{ApiJson, Page, PageQuery, created};
use super::auth::{CsrfToken, VerifiedForm, Viewer};
use super::extract::{Path, Query};
use super::request::{self, Field, Problems};
use crate::app::AppState;
use crate::db::tree;
use crate::domain::FieldErrors;
use crate::domain::Id;
use crate::domain::outcome::{AssumptionTest, NewOutcome, Outcome, TestStatus, parse_assumption};
use crate::domain::roadmap::RoadmapItem;
use crate::error::{Error, Result};
use crate::views::tree::OutcomeDraft;
use crate::views::{self, Chrome};

/// The opportunity solution tree, for the platform team.
pub fn routes() -> Routes {
    Routes::default()
        .team_page("/tree", get(tree_page))
        .team_page("/outcomes", post(create_outcome))
        .team_page("/roadmap/{id}/tests", post(add_test))
        .team_page("/tests/{id}/result", post(record_result))
        .team_api(
            "/api/v1/outcomes",
            get(list_outcomes_api).post(create_outcome_api),
        )
        .team_api(
            "/api/v1/outcomes/{id}",
            get(get_outcome_api).patch(update_outcome_api),
        )
}

pub async fn tree_page(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response> {
    render_tree(
        &state,
        &viewer,
        &csrf,
        &OutcomeDraft::default(),
        FieldErrors::default(),
    )
    .await
}

async fn render_tree(
    state: &AppState,
    viewer: &Viewer,
    csrf: &str,
    draft: &OutcomeDraft,
    errors: FieldErrors,
) -> Result<Response> {
    let rows = state.db.read(tree::tree).await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf,
    };
    Ok((
        super::form_status(&errors),
        views::tree::tree(&chrome, &rows, draft, &errors),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct OutcomeForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    metric: String,
    #[serde(default)]
    target: String,
}

async fn store_outcome(state: &AppState, outcome: NewOutcome) -> Result<i64> {
    let now = state.clock.now();
    state
        .db
        .write(move |connection| {
            tree::insert_outcome(
                connection,
                &outcome.title,
                &outcome.metric,
                &outcome.target,
                now,
            )
        })
        .await
}

/// Adds an outcome; a mistake shows the tree again with what was typed.
pub async fn create_outcome(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    VerifiedForm(form): VerifiedForm<OutcomeForm>,
) -> Result<Response> {
    let draft = OutcomeDraft {
        title: form.title,
        metric: form.metric,
        target: form.target,
    };
    let outcome = match NewOutcome::parse(&draft.title, &draft.metric, &draft.target) {
        Ok(outcome) => store_outcome(&state, outcome).await,
        Err(errors) => Err(Error::Invalid(errors)),
    };
    match outcome {
        Ok(_) => Ok(Redirect::to("/tree").into_response()),
        Err(Error::Invalid(errors)) => render_tree(&state, &viewer, &csrf, &draft, errors).await,
        Err(error) => Err(error),
    }
}

#[derive(Deserialize)]
pub struct TestForm {
    #[serde(default)]
    assumption: String,
    #[serde(default)]
    method: String,
}

/// Adds an assumption test to a roadmap item; a mistake shows the item's
/// page again with the problem.
pub async fn add_test(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<RoadmapItem>>,
    VerifiedForm(form): VerifiedForm<TestForm>,
) -> Result<Response> {
    let now = state.clock.now();
    let id = id.get();
    let outcome = match parse_assumption(&form.assumption, &form.method) {
        Ok((assumption, method)) => {
            state
                .db
                .write(move |connection| {
                    tree::insert_assumption_test(connection, id, &assumption, &method, now)
                })
                .await
        }
        Err(errors) => Err(Error::Invalid(errors)),
    };
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/roadmap/{id}")).into_response()),
        Err(Error::Invalid(errors)) => {
            super::roadmap::show_with_problems(&state, &viewer, &csrf, id, errors).await
        }
        Err(error) => Err(error),
    }
}

#[derive(Deserialize)]
pub struct ResultForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    result: String,
}

/// Records what a test found; a mistake shows its roadmap item again.
pub async fn record_result(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<AssumptionTest>>,
    VerifiedForm(form): VerifiedForm<ResultForm>,
) -> Result<Response> {
    let id = id.get();
    let checked = TestStatus::parse_as("status", &form.status).and_then(|status| {
        crate::domain::text::optional_text(&form.result, 2_000)
            .map(|result| (status, result.unwrap_or_default()))
            .map_err(|message| FieldErrors::one("result", message))
    });
    let (status, result) = match checked {
        Ok(checked) => checked,
        Err(errors) => {
            let item = state
                .db
                .read(move |connection| tree::roadmap_item_of_test(connection, id))
                .await?
                .ok_or(Error::NotFound)?;
            return super::roadmap::show_with_problems(&state, &viewer, &csrf, item, errors).await;
        }
    };
    let item = state
        .db
        .write(move |connection| tree::record_result(connection, id, status.as_str(), &result))
        .await?;
    Ok(Redirect::to(&format!("/roadmap/{item}")).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/outcomes",
    operation_id = "list_outcomes",
    tag = "outcomes",
    params(PageQuery),
    responses((status = 200, description = "Outcomes", body = Page<Outcome>))
)]
pub async fn list_outcomes_api(
    State(state): State<AppState>,
    _: PlatformTeam,
    Query(page): Query<PageQuery>,
) -> Result<Json<Page<Outcome>>> {
    page.page(state.db.read(tree::outcomes).await?)
}

#[utoipa::path(
    post,
    path = "/api/v1/outcomes",
    operation_id = "create_outcome",
    tag = "outcomes",
    request_body = OutcomeRequest,
    responses((status = 201, description = "The new outcome", body = Outcome))
)]
pub async fn create_outcome_api(
    State(state): State<AppState>,
    _: PlatformTeam,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response> {
    let body: OutcomeRequest = request::read(body)?;
    let mut problems = Problems::default();
    let (title, metric, target) = (
        body.title.text("title", &mut problems),
        body.metric.text("metric", &mut problems),
        body.target.text("target", &mut problems),
    );
    problems.check()?;
    let id = store_outcome(&state, NewOutcome::parse(&title, &metric, &target)?).await?;
    let outcome = state
        .db
        .read(move |connection| tree::outcome_by_id(connection, id))
        .await?
        .ok_or(Error::NotFound)?;
    Ok(created(format!("/api/v1/outcomes/{id}"), outcome))
}

#[utoipa::path(
    get,
    path = "/api/v1/outcomes/{id}",
    operation_id = "get_outcome",
    tag = "outcomes",
    params(("id" = i64, Path, description = "The outcome's id")),
    responses((status = 200, description = "One outcome", body = Outcome))
)]
pub async fn get_outcome_api(
    State(state): State<AppState>,
    _: PlatformTeam,
    Path(id): Path<Id<Outcome>>,
) -> Result<Json<Outcome>> {
    let id = id.get();
    Ok(Json(
        state
            .db
            .read(move |connection| tree::outcome_by_id(connection, id))
            .await?
            .ok_or(Error::NotFound)?,
    ))
}

/// An outcome at the top of the opportunity solution tree, to create
/// (`title` required) or change (only the fields sent).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRequest {
    /// What the platform team wants to move.
    #[serde(default)]
    #[schema(value_type = String)]
    title: Field<String>,
    /// How it is measured.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    metric: Field<String>,
    /// Where it should get to.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    target: Field<String>,
}

/// `PATCH /api/v1/outcomes/{id}`: any of `title`, `metric`, `target`;
/// absent fields keep their value, and a field of the wrong type is named.
#[utoipa::path(
    patch,
    path = "/api/v1/outcomes/{id}",
    operation_id = "update_outcome",
    tag = "outcomes",
    params(("id" = i64, Path, description = "The outcome's id")),
    request_body(content = OutcomeRequest, description = "Only the fields to change"),
    responses((status = 200, description = "The outcome as changed", body = Outcome))
)]
pub async fn update_outcome_api(
    State(state): State<AppState>,
    _: PlatformTeam,
    Path(id): Path<Id<Outcome>>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Outcome>> {
    let id = id.get();
    let body: OutcomeRequest = request::read(body)?;
    let current = state
        .db
        .read(move |connection| tree::outcome_by_id(connection, id))
        .await?
        .ok_or(Error::NotFound)?;
    let mut problems = Problems::default();
    let title = body.title.change("title", &mut problems);
    let metric = body.metric.change("metric", &mut problems);
    let target = body.target.change("target", &mut problems);
    problems.check()?;
    let title = title.unwrap_or(current.title);
    let metric = metric.unwrap_or(current.metric);
    let target = target.unwrap_or(current.target);
    let outcome = NewOutcome::parse(&title, &metric, &target)?;
    let stored = state
        .db
        .write(move |connection| {
            tree::update_outcome(
                connection,
                id,
                &outcome.title,
                &outcome.metric,
                &outcome.target,
            )?;
            tree::outcome_by_id(connection, id)?.ok_or(Error::NotFound)
        })
        .await?;
    Ok(Json(stored))
}
