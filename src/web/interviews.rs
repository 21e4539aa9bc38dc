//! Interview snapshots (team only): record, read, highlight, and use
//! highlights as evidence.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::api::{ApiJson, Fields, PageQuery, created, object};
use super::auth::{CsrfToken, VerifiedForm, Viewer};
use super::parse_id;
use crate::app::AppState;
use crate::db::interviews::{self, Interview};
use crate::db::pain_points;
use crate::domain::interview::{InterviewDraft, NewInterview, parse_highlight};
use crate::domain::labels::split_list;
use crate::error::{Error, Result};
use crate::views::{self, Chrome};

async fn load(state: &AppState, id: i64) -> Result<Interview> {
    state
        .db
        .read(move |connection| interviews::by_id(connection, id))
        .await?
        .ok_or(Error::NotFound)
}

pub async fn list_page(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfToken(csrf): CsrfToken,
) -> Result<maud::Markup> {
    let now = state.clock.now();
    viewer.require_platform_team()?;
    let list = state.db.read(interviews::list).await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::interviews::list(
        &chrome,
        &list,
        &now.date_naive().to_string(),
    ))
}

#[derive(Deserialize)]
pub struct InterviewForm {
    #[serde(default)]
    participant_name: String,
    #[serde(default)]
    participant_team: String,
    #[serde(default)]
    participant_role: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    quote: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    opportunities: String,
    #[serde(default)]
    insights: String,
    #[serde(default)]
    services: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    interviewers: String,
}

impl InterviewForm {
    fn draft(self) -> InterviewDraft {
        InterviewDraft {
            participant_name: self.participant_name,
            participant_team: self.participant_team,
            participant_role: self.participant_role,
            held_on: self.held_on,
            quote: self.quote,
            notes: self.notes,
            opportunities: self.opportunities,
            insights: self.insights,
            services: split_list(&self.services),
            tags: split_list(&self.tags),
            interviewers: split_list(&self.interviewers),
        }
    }
}

/// The stored interview as a draft, for editing it.
fn draft_of(interview: &Interview) -> InterviewDraft {
    InterviewDraft {
        participant_name: interview.participant_name.clone(),
        participant_team: interview.participant_team.clone().unwrap_or_default(),
        participant_role: interview.participant_role.clone(),
        held_on: interview.held_on.to_string(),
        quote: interview.quote.clone(),
        notes: interview.notes.clone(),
        opportunities: interview.opportunities.clone(),
        insights: interview.insights.clone(),
        services: interview.services.clone(),
        tags: interview.tags.clone(),
        interviewers: interview
            .interviewers
            .iter()
            .map(|person| person.email.clone())
            .collect(),
    }
}

async fn store(state: &AppState, viewer: &Viewer, draft: InterviewDraft) -> Result<i64> {
    let now = state.clock.now();
    let interview = NewInterview::parse(&draft)?;
    let interviewer = viewer.user.id;
    state
        .db
        .write(move |connection| interviews::insert(connection, &interview, interviewer, now))
        .await
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    VerifiedForm(form): VerifiedForm<InterviewForm>,
) -> Result<Redirect> {
    viewer.require_platform_team()?;
    let id = store(&state, &viewer, form.draft()).await?;
    Ok(Redirect::to(&format!("/interviews/{id}")))
}

async fn save(state: &AppState, viewer: &Viewer, id: i64, draft: InterviewDraft) -> Result<()> {
    let now = state.clock.now();
    let interview = NewInterview::parse(&draft)?;
    let editor = viewer.user.id;
    state
        .db
        .write(move |connection| interviews::update(connection, id, &interview, editor, now))
        .await
}

pub async fn edit_page(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
) -> Result<maud::Markup> {
    viewer.require_platform_team()?;
    let interview = load(&state, parse_id(&id)?).await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::interviews::edit(
        &chrome,
        interview.id,
        &draft_of(&interview),
    ))
}

pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    VerifiedForm(form): VerifiedForm<InterviewForm>,
) -> Result<Redirect> {
    viewer.require_platform_team()?;
    let id = parse_id(&id)?;
    load(&state, id).await?;
    save(&state, &viewer, id, form.draft()).await?;
    Ok(Redirect::to(&format!("/interviews/{id}")))
}

pub async fn detail(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
) -> Result<maud::Markup> {
    viewer.require_platform_team()?;
    let interview = load(&state, parse_id(&id)?).await?;
    let choices = state.db.read(pain_points::choices).await?;
    let notes = interview.notes.clone();
    // CPU work on text someone wrote: never on the async threads.
    let notes = tokio::task::spawn_blocking(move || views::markdown::render(&notes))
        .await
        .map_err(|error| Error::Internal(format!("rendering notes failed: {error}")))?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::interviews::detail(
        &chrome, &interview, notes, &choices,
    ))
}

#[derive(Deserialize)]
pub struct HighlightForm {
    #[serde(default)]
    quote: String,
}

async fn highlight(state: &AppState, viewer: &Viewer, id: i64, quote: &str) -> Result<i64> {
    let now = state.clock.now();
    let interview = load(state, id).await?;
    let quote = parse_highlight(&interview.notes, quote)?;
    let by = viewer.user.id;
    state
        .db
        .write(move |connection| interviews::add_highlight(connection, id, &quote, by, now))
        .await
}

pub async fn add_highlight(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    VerifiedForm(form): VerifiedForm<HighlightForm>,
) -> Result<Redirect> {
    viewer.require_platform_team()?;
    let id = parse_id(&id)?;
    highlight(&state, &viewer, id, &form.quote).await?;
    Ok(Redirect::to(&format!("/interviews/{id}")))
}

#[derive(Deserialize)]
pub struct HighlightEvidenceForm {
    #[serde(default)]
    pain_point: String,
    #[serde(default)]
    highlight: String,
}

pub async fn link_highlight(
    State(state): State<AppState>,
    viewer: Viewer,
    VerifiedForm(form): VerifiedForm<HighlightEvidenceForm>,
) -> Result<Redirect> {
    let now = state.clock.now();
    viewer.require_platform_team()?;
    let pain_point = parse_id(&form.pain_point)
        .map_err(|_| Error::invalid("pain_point", "choose a pain point"))?;
    let highlight = parse_id(&form.highlight)?;
    let by = viewer.user.id;
    state
        .db
        .write(move |connection| {
            pain_points::add_highlight_evidence(connection, pain_point, highlight, by, now)
        })
        .await?;
    Ok(Redirect::to(&format!("/pain-points/{pain_point}")))
}

pub async fn list_api(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(page): Query<PageQuery>,
) -> Result<Json<Value>> {
    viewer.require_platform_team()?;
    page.page(state.db.read(interviews::list).await?)
}

pub async fn create_api(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response> {
    viewer.require_platform_team()?;
    let body = object(body)?;
    let mut fields = Fields::new(&body);
    let draft = InterviewDraft {
        participant_name: fields.string("participant_name"),
        participant_team: fields.string("participant_team"),
        participant_role: fields.string("participant_role"),
        held_on: fields.string("held_on"),
        quote: fields.string("quote"),
        notes: fields.string("notes"),
        opportunities: fields.string("opportunities"),
        insights: fields.string("insights"),
        services: fields.strings("services"),
        tags: fields.strings("tags"),
        interviewers: fields.strings("interviewers"),
    };
    fields.check()?;
    let id = store(&state, &viewer, draft).await?;
    let stored = load(&state, id).await?;
    Ok(created(format!("/api/v1/interviews/{id}"), stored))
}

pub async fn get_api(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<Interview>> {
    viewer.require_platform_team()?;
    Ok(Json(load(&state, parse_id(&id)?).await?))
}

/// `PATCH /api/v1/interviews/{id}`: any of the fields of a new interview;
/// absent fields keep their value, and a field of the wrong type is named.
pub async fn update_api(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Interview>> {
    viewer.require_platform_team()?;
    let id = parse_id(&id)?;
    let body = object(body)?;
    let current = draft_of(&load(&state, id).await?);
    let mut fields = Fields::new(&body);
    let draft = InterviewDraft {
        participant_name: fields
            .optional_string("participant_name")
            .unwrap_or(current.participant_name),
        participant_team: fields
            .optional_string("participant_team")
            .unwrap_or(current.participant_team),
        participant_role: fields
            .optional_string("participant_role")
            .unwrap_or(current.participant_role),
        held_on: fields.optional_string("held_on").unwrap_or(current.held_on),
        quote: fields.optional_string("quote").unwrap_or(current.quote),
        notes: fields.optional_string("notes").unwrap_or(current.notes),
        opportunities: fields
            .optional_string("opportunities")
            .unwrap_or(current.opportunities),
        insights: fields
            .optional_string("insights")
            .unwrap_or(current.insights),
        services: fields
            .optional_strings("services")
            .unwrap_or(current.services),
        tags: fields.optional_strings("tags").unwrap_or(current.tags),
        interviewers: fields
            .optional_strings("interviewers")
            .unwrap_or(current.interviewers),
    };
    fields.check()?;
    save(&state, &viewer, id, draft).await?;
    Ok(Json(load(&state, id).await?))
}

/// `{"quote": "..."}`: a passage of the notes.
pub async fn highlight_api(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response> {
    viewer.require_platform_team()?;
    let id = parse_id(&id)?;
    let quote = object(body)?
        .get("quote")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let highlight = highlight(&state, &viewer, id, &quote).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": highlight}))).into_response())
}
