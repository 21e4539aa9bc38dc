//! Interview snapshots (team only): record, read, highlight, and use
//! highlights as evidence.

use super::routes::Routes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::access::PlatformTeam;
use super::auth::{CsrfToken, VerifiedForm, Viewer};
use super::extract::{Path, Query};
use crate::app::AppState;
use crate::db::interviews;
use crate::db::pain_points;
use crate::domain::FieldErrors;
use crate::domain::Id;
use crate::domain::interview::{
    Highlight, Interview, InterviewDraft, NewInterview, parse_highlight,
};
use crate::domain::labels::split_list;
use crate::domain::pain_point::{NewPainPoint, PainPoint, PainPointDraft};
use crate::error::{Error, Result};
use crate::views::{self, Chrome};

/// Interview snapshots and their highlights, for the platform team (the
/// API in `web::interviews_api`).
pub fn routes() -> Routes {
    use super::interviews_api as api;
    Routes::default()
        .team_page("/interviews", get(list_page).post(create))
        .team_page("/interviews/{id}", get(detail))
        .team_page("/interviews/{id}/edit", get(edit_page).post(edit))
        .team_page("/interviews/{id}/highlights", post(add_highlight))
        .team_page("/pain-points/highlights", post(link_highlight))
        .team_api(
            "/api/v1/interviews",
            get(api::list_api).post(api::create_api),
        )
        .team_api(
            "/api/v1/interviews/{id}",
            get(api::get_api).patch(api::update_api),
        )
        .team_api(
            "/api/v1/interviews/{id}/highlights",
            post(api::highlight_api),
        )
}

pub(super) async fn load(state: &AppState, id: i64) -> Result<Interview> {
    state
        .db
        .read(move |connection| interviews::by_id(connection, id))
        .await?
        .ok_or(Error::NotFound)
}

pub async fn list_page(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response> {
    let today = state.clock.now().date_naive().to_string();
    let draft = InterviewDraft {
        held_on: today,
        ..InterviewDraft::default()
    };
    render_list(&state, &viewer, &csrf, &draft, FieldErrors::default()).await
}

async fn render_list(
    state: &AppState,
    viewer: &Viewer,
    csrf: &str,
    draft: &InterviewDraft,
    errors: FieldErrors,
) -> Result<Response> {
    let list = state.db.read(interviews::list).await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf,
    };
    Ok((
        super::form_status(&errors),
        views::interviews::list(&chrome, &list, draft, &errors),
    )
        .into_response())
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
pub(super) fn draft_of(interview: &Interview) -> InterviewDraft {
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

pub(super) async fn store(state: &AppState, viewer: &Viewer, draft: InterviewDraft) -> Result<i64> {
    let now = state.clock.now();
    let interview = NewInterview::parse(&draft)?;
    let interviewer = viewer.user.id;
    state
        .db
        .write(move |connection| interviews::insert(connection, &interview, interviewer, now))
        .await
}

/// Records an interview; a mistake shows the list again with what was typed.
pub async fn create(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    VerifiedForm(form): VerifiedForm<InterviewForm>,
) -> Result<Response> {
    let draft = form.draft();
    match store(&state, &viewer, draft.clone()).await {
        Ok(id) => Ok(Redirect::to(&format!("/interviews/{id}")).into_response()),
        Err(Error::Invalid(errors)) => render_list(&state, &viewer, &csrf, &draft, errors).await,
        Err(error) => Err(error),
    }
}

pub(super) async fn save(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    draft: InterviewDraft,
) -> Result<()> {
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
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<Interview>>,
) -> Result<maud::Markup> {
    let interview = load(&state, id.get()).await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::interviews::edit(
        &chrome,
        interview.id,
        &draft_of(&interview),
        &FieldErrors::default(),
    ))
}

/// Saves an edit; a mistake shows the edit page again with what was typed.
pub async fn edit(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<Interview>>,
    VerifiedForm(form): VerifiedForm<InterviewForm>,
) -> Result<Response> {
    let id = id.get();
    load(&state, id).await?;
    let draft = form.draft();
    match save(&state, &viewer, id, draft.clone()).await {
        Ok(()) => Ok(Redirect::to(&format!("/interviews/{id}")).into_response()),
        Err(Error::Invalid(errors)) => {
            let chrome = Chrome {
                viewer: Some(&viewer.user),
                csrf: &csrf,
            };
            Ok((
                super::form_status(&errors),
                views::interviews::edit(&chrome, id, &draft, &errors),
            )
                .into_response())
        }
        Err(error) => Err(error),
    }
}

pub async fn detail(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<Interview>>,
    Query(query): Query<LinkedQuery>,
) -> Result<Response> {
    let now = state.clock.now();
    // The pain point is named from the database, not from the address, so
    // a crafted link cannot put words on the page.
    let linked = match query.linked.as_deref().map(str::parse::<Id<PainPoint>>) {
        Some(Ok(pain_point)) => state
            .db
            .read(move |connection| pain_points::by_id(connection, pain_point.get(), now))
            .await?
            .map(|found| format!("Linked as evidence for “{}”.", found.title)),
        _ => None,
    };
    render_detail(&state, &viewer, &csrf, id.get(), None, linked.as_deref()).await
}

/// After a highlight was linked: the pain point's id, for the confirmation.
#[derive(Deserialize)]
pub struct LinkedQuery {
    linked: Option<String>,
}

async fn render_detail(
    state: &AppState,
    viewer: &Viewer,
    csrf: &str,
    id: i64,
    problem: Option<(i64, &FieldErrors)>,
    linked: Option<&str>,
) -> Result<Response> {
    let interview = load(state, id).await?;
    let (choices, links) = state
        .db
        .read(move |connection| {
            Ok((
                pain_points::choices(connection)?,
                interviews::highlight_links(connection, id)?,
            ))
        })
        .await?;
    let notes = interview.notes.clone();
    // CPU work on text someone wrote: never on the async threads.
    let notes = tokio::task::spawn_blocking(move || views::markdown::render(&notes))
        .await
        .map_err(|error| Error::Internal(format!("rendering notes failed: {error}")))?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf,
    };
    let status = problem.map_or(StatusCode::OK, |(_, errors)| super::form_status(errors));
    let page = views::interviews::DetailPage {
        interview: &interview,
        notes,
        pain_points: &choices,
        links: &links,
        problem,
        linked,
    };
    Ok((status, views::interviews::detail(&chrome, &page)).into_response())
}

#[derive(Deserialize)]
pub struct HighlightForm {
    #[serde(default)]
    quote: String,
}

pub(super) async fn highlight(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    quote: &str,
) -> Result<i64> {
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
    PlatformTeam(viewer): PlatformTeam,
    Path(id): Path<Id<Interview>>,
    VerifiedForm(form): VerifiedForm<HighlightForm>,
) -> Result<Redirect> {
    let id = id.get();
    highlight(&state, &viewer, id, &form.quote).await?;
    Ok(Redirect::to(&format!("/interviews/{id}")))
}

#[derive(Deserialize)]
pub struct HighlightEvidenceForm {
    #[serde(default)]
    pain_point: String,
    #[serde(default)]
    new_pain_point: String,
    #[serde(default)]
    highlight: String,
}

/// Links a highlight to a pain point chosen in the picker, or to a new one
/// made from it, and goes back to the interview with a confirmation.
pub async fn link_highlight(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    VerifiedForm(form): VerifiedForm<HighlightEvidenceForm>,
) -> Result<Response> {
    let now = state.clock.now();
    let highlight = form.highlight.parse::<Id<Highlight>>()?.get();
    let interview = state
        .db
        .read(move |connection| interviews::interview_of_highlight(connection, highlight))
        .await?
        .ok_or(Error::NotFound)?;
    let chosen = form.pain_point.parse::<Id<PainPoint>>();
    let target = match (chosen, form.new_pain_point.trim()) {
        (Ok(id), _) => Ok(Target::Existing(id.get())),
        (Err(_), "") => Err(FieldErrors::one(
            "pain_point",
            "choose a pain point, or give a title for a new one",
        )),
        (Err(_), title) => NewPainPoint::parse(&PainPointDraft {
            title: title.to_owned(),
            ..PainPointDraft::default()
        })
        .map(Target::New)
        .map_err(|errors| {
            FieldErrors::one(
                "pain_point",
                errors
                    .iter()
                    .map(|error| error.message.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        }),
    };
    let target = match target {
        Ok(target) => target,
        Err(errors) => {
            return render_detail(
                &state,
                &viewer,
                &csrf,
                interview,
                Some((highlight, &errors)),
                None,
            )
            .await;
        }
    };
    let by = viewer.user.id;
    let linked = state
        .db
        .write(move |connection| {
            let pain_point = match target {
                Target::Existing(id) => id,
                Target::New(pain_point) => pain_points::insert(connection, &pain_point, now)?,
            };
            pain_points::add_highlight_evidence(connection, pain_point, highlight, by, now)?;
            Ok(pain_point)
        })
        .await;
    match linked {
        Ok(pain_point) => Ok(Redirect::to(&format!(
            "/interviews/{interview}?linked={pain_point}#highlight-{highlight}"
        ))
        .into_response()),
        Err(error) => {
            let errors = match error {
                Error::Invalid(errors) => errors,
                Error::Conflict(message) => FieldErrors::one("pain_point", message),
                Error::NotFound => {
                    FieldErrors::one("pain_point", "choose a pain point from the list")
                }
                error => return Err(error),
            };
            render_detail(
                &state,
                &viewer,
                &csrf,
                interview,
                Some((highlight, &errors)),
                None,
            )
            .await
        }
    }
}

/// Where a highlight goes: a pain point that exists, or a new one.
enum Target {
    Existing(i64),
    New(NewPainPoint),
}
