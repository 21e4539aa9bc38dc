//! The opportunity solution tree and what hangs in it: outcomes, where pain
//! points sit, and assumption tests.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{Redirect, Response};
use serde::Deserialize;
use serde_json::Value;

use super::api::{ApiJson, Fields, PageQuery, created, object};
use super::auth::{CsrfToken, VerifiedForm, Viewer};
use super::parse_id;
use crate::app::AppState;
use crate::db::tree::{self, Outcome};
use crate::domain::outcome::{NewOutcome, TestStatus, parse_assumption};
use crate::error::{Error, Result};
use crate::views::{self, Chrome};

pub async fn tree_page(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfToken(csrf): CsrfToken,
) -> Result<maud::Markup> {
    viewer.require_platform_team()?;
    let rows = state.db.read(tree::tree).await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::tree::tree(&chrome, &rows))
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

pub async fn create_outcome(
    State(state): State<AppState>,
    viewer: Viewer,
    VerifiedForm(form): VerifiedForm<OutcomeForm>,
) -> Result<Redirect> {
    viewer.require_platform_team()?;
    store_outcome(
        &state,
        NewOutcome::parse(&form.title, &form.metric, &form.target)?,
    )
    .await?;
    Ok(Redirect::to("/tree"))
}

#[derive(Deserialize)]
pub struct TestForm {
    #[serde(default)]
    assumption: String,
    #[serde(default)]
    method: String,
}

pub async fn add_test(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    VerifiedForm(form): VerifiedForm<TestForm>,
) -> Result<Redirect> {
    let now = state.clock.now();
    viewer.require_platform_team()?;
    let id = parse_id(&id)?;
    let (assumption, method) = parse_assumption(&form.assumption, &form.method)?;
    state
        .db
        .write(move |connection| {
            tree::insert_assumption_test(connection, id, &assumption, &method, now)
        })
        .await?;
    Ok(Redirect::to(&format!("/roadmap/{id}")))
}

#[derive(Deserialize)]
pub struct ResultForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    result: String,
}

pub async fn record_result(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    VerifiedForm(form): VerifiedForm<ResultForm>,
) -> Result<Redirect> {
    viewer.require_platform_team()?;
    let id = parse_id(&id)?;
    let status = TestStatus::parse_as("status", &form.status)?;
    let result = crate::domain::text::optional_text(&form.result, 2_000)
        .map_err(|message| Error::invalid("result", message))?
        .unwrap_or_default();
    let item = state
        .db
        .write(move |connection| tree::record_result(connection, id, status.as_str(), &result))
        .await?;
    Ok(Redirect::to(&format!("/roadmap/{item}")))
}

pub async fn list_outcomes_api(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(page): Query<PageQuery>,
) -> Result<Json<Value>> {
    viewer.require_platform_team()?;
    page.page(state.db.read(tree::outcomes).await?)
}

pub async fn create_outcome_api(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response> {
    viewer.require_platform_team()?;
    let body = object(body)?;
    let mut fields = Fields::new(&body);
    let (title, metric, target) = (
        fields.string("title"),
        fields.string("metric"),
        fields.string("target"),
    );
    fields.check()?;
    let id = store_outcome(&state, NewOutcome::parse(&title, &metric, &target)?).await?;
    let outcome = state
        .db
        .read(move |connection| tree::outcome_by_id(connection, id))
        .await?
        .ok_or(Error::NotFound)?;
    Ok(created(format!("/api/v1/outcomes/{id}"), outcome))
}

pub async fn get_outcome_api(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<Outcome>> {
    viewer.require_platform_team()?;
    let id = parse_id(&id)?;
    Ok(Json(
        state
            .db
            .read(move |connection| tree::outcome_by_id(connection, id))
            .await?
            .ok_or(Error::NotFound)?,
    ))
}

/// `PATCH /api/v1/outcomes/{id}`: any of `title`, `metric`, `target`;
/// absent fields keep their value, and a field of the wrong type is named.
pub async fn update_outcome_api(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Outcome>> {
    viewer.require_platform_team()?;
    let id = parse_id(&id)?;
    let body = object(body)?;
    let current = state
        .db
        .read(move |connection| tree::outcome_by_id(connection, id))
        .await?
        .ok_or(Error::NotFound)?;
    let mut fields = Fields::new(&body);
    let title = fields.optional_string("title").unwrap_or(current.title);
    let metric = fields.optional_string("metric").unwrap_or(current.metric);
    let target = fields.optional_string("target").unwrap_or(current.target);
    fields.check()?;
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
