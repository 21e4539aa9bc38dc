//! One pain point's page and its forms (edit, evidence, status, tree
//! placement, merge): each choice is made in a picker, and a mistake shows
//! the page again with the problem next to its field.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::StatusForm;
use super::access::PlatformTeam;
use super::auth::{CsrfToken, VerifiedForm, Viewer};
use super::extract::Path;
use super::pain_points::PainPointForm;
use crate::app::AppState;
use crate::db::{feedback, pain_points, roadmap, tree};
use crate::domain::FieldErrors;
use crate::domain::Id;
use crate::domain::feedback::Feedback;
use crate::domain::interview::Highlight;
use crate::domain::outcome::Outcome;
use crate::domain::pain_point::{NewPainPoint, PainPoint, PainPointDraft, PainPointStatus};
use crate::error::{Error, Result};
use crate::views::{self, Chrome};

/// How many recent feedback items the feedback picker lists without
/// JavaScript (with it, any item is found by searching).
const FEEDBACK_CHOICES: u32 = 100;

pub async fn detail_page(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<PainPoint>>,
) -> Result<Response> {
    render(
        &state,
        &viewer,
        &csrf,
        id.get(),
        FieldErrors::default(),
        None,
    )
    .await
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    csrf: &str,
    id: i64,
    errors: FieldErrors,
    edit: Option<PainPointDraft>,
) -> Result<Response> {
    let now = state.clock.now();
    let found = state
        .db
        .read(move |connection| {
            let Some(pain_point) = pain_points::by_id(connection, id, now)? else {
                return Ok(None);
            };
            let outcomes = tree::outcomes(connection)?
                .into_iter()
                .map(|outcome| (outcome.id, outcome.title))
                .collect::<Vec<_>>();
            Ok(Some((
                pain_point,
                pain_points::evidence(connection, id)?,
                pain_points::highlight_evidence(connection, id)?,
                pain_points::affected(connection, id)?,
                roadmap::for_pain_point(connection, id)?,
                pain_points::choices(connection)?,
                feedback::recent_choices(connection, FEEDBACK_CHOICES)?,
                outcomes,
            )))
        })
        .await?;
    let (pain_point, evidence, quotes, affected, answers, choices, recent, outcomes) =
        found.ok_or(Error::NotFound)?;
    // A merged pain point's address leads to where its evidence went.
    if let Some(into) = pain_point.merged_into {
        return Ok(Redirect::permanent(&format!("/pain-points/{into}")).into_response());
    }
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf,
    };
    let page = views::pain_points::DetailPage {
        pain_point: &pain_point,
        evidence: &evidence,
        quotes: &quotes,
        affected: &affected,
        roadmap: &answers,
        pain_points: &choices,
        feedback: &recent,
        outcomes: &outcomes,
        errors: &errors,
        edit: edit.as_ref(),
    };
    Ok((
        super::form_status(&errors),
        views::pain_points::detail(&chrome, &page),
    )
        .into_response())
}

/// Back to the pain point after a change, or its page again with the
/// problem named.
async fn back(
    state: &AppState,
    viewer: &Viewer,
    csrf: &str,
    id: i64,
    outcome: Result<()>,
    edit: Option<PainPointDraft>,
) -> Result<Response> {
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/pain-points/{id}")).into_response()),
        Err(Error::Invalid(errors)) => render(state, viewer, csrf, id, errors, edit).await,
        Err(error) => Err(error),
    }
}

/// Changes the title, description, services and tags from the pain point's page.
pub async fn edit(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<PainPoint>>,
    VerifiedForm(form): VerifiedForm<PainPointForm>,
) -> Result<Response> {
    let now = state.clock.now();
    let id = id.get();
    let draft = form.draft();
    let outcome = match NewPainPoint::parse(&draft) {
        Ok(pain_point) => {
            state
                .db
                .write(move |connection| pain_points::update(connection, id, &pain_point, now))
                .await
        }
        Err(errors) => Err(Error::Invalid(errors)),
    };
    back(&state, &viewer, &csrf, id, outcome, Some(draft)).await
}

/// Evidence from a form: feedback chosen in pickers or ticked in a list
/// (`feedback_ids`), and highlight checkboxes (`highlight_ids`, from search
/// results); `return_to` is the page to go back to (the search results),
/// else the pain point.
#[derive(Deserialize)]
pub struct EvidenceForm {
    #[serde(default)]
    pain_point: String,
    #[serde(default)]
    feedback_ids: Vec<String>,
    #[serde(default)]
    highlight_ids: Vec<String>,
    #[serde(default)]
    return_to: String,
}

/// The ids of the `T`s chosen in `field`.
fn ids<T>(raw: &[String], field: &'static str) -> Result<Vec<i64>> {
    raw.iter()
        .filter(|value| !value.trim().is_empty())
        .map(|value| value.parse::<Id<T>>().map(Id::get))
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| Error::invalid(field, "choose from the list"))
}

/// Links feedback and highlights to a pain point, from search results
/// (several at once) or the pain point's page. Linking something already
/// linked changes nothing.
pub async fn add_evidence(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    VerifiedForm(form): VerifiedForm<EvidenceForm>,
) -> Result<Response> {
    let now = state.clock.now();
    let id = form
        .pain_point
        .parse::<Id<PainPoint>>()
        .map(Id::get)
        .map_err(|_| Error::invalid("pain_point", "choose a pain point"))?;
    let added_by = viewer.user.id;
    let chosen = ids::<Feedback>(&form.feedback_ids, "feedback_ids").and_then(|feedback| {
        Ok((
            feedback,
            ids::<Highlight>(&form.highlight_ids, "highlight_ids")?,
        ))
    });
    let outcome = match chosen {
        Ok((feedback, highlights)) if feedback.is_empty() && highlights.is_empty() => {
            Err(Error::invalid(
                "feedback_ids",
                "choose at least one feedback item or highlight",
            ))
        }
        Ok((feedback, highlights)) => {
            state
                .db
                .write(move |connection| {
                    pain_points::add_evidence(connection, id, &feedback, added_by, now)?;
                    for highlight in highlights {
                        pain_points::add_highlight_evidence(
                            connection, id, highlight, added_by, now,
                        )?;
                    }
                    Ok(())
                })
                .await
        }
        Err(error) => Err(error),
    };
    if outcome.is_ok()
        && form.return_to.starts_with("/search")
        && views::is_local_path(&form.return_to)
    {
        return Ok(Redirect::to(&form.return_to).into_response());
    }
    back(&state, &viewer, &csrf, id, outcome, None).await
}

#[derive(Deserialize)]
pub struct RemoveEvidenceForm {
    #[serde(default)]
    feedback_id: String,
}

pub async fn remove_evidence(
    State(state): State<AppState>,
    _: PlatformTeam,
    Path(id): Path<Id<PainPoint>>,
    VerifiedForm(form): VerifiedForm<RemoveEvidenceForm>,
) -> Result<Redirect> {
    let id = id.get();
    let feedback_id = form
        .feedback_id
        .parse::<i64>()
        .map_err(|_| Error::NotFound)?;
    state
        .db
        .write(move |connection| pain_points::remove_evidence(connection, id, feedback_id))
        .await?;
    Ok(Redirect::to(&format!("/pain-points/{id}")))
}

pub async fn set_status(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<PainPoint>>,
    VerifiedForm(form): VerifiedForm<StatusForm>,
) -> Result<Response> {
    let now = state.clock.now();
    let id = id.get();
    let outcome = match PainPointStatus::parse_as("status", &form.status) {
        Ok(status) => {
            state
                .db
                .write(move |connection| pain_points::set_status(connection, id, status, now))
                .await?;
            super::audit::record(
                &state,
                &viewer,
                crate::domain::audit::AuditAction::StatusChanged,
                format!("pain_point:{id}"),
                status.as_str().to_owned(),
            )
            .await
        }
        Err(errors) => Err(Error::Invalid(errors)),
    };
    back(&state, &viewer, &csrf, id, outcome, None).await
}

#[derive(Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    into: String,
    /// "yes" once the person saw what merging moves.
    #[serde(default)]
    confirm: String,
}

/// Merges into a pain point chosen in the picker, after a page that says
/// what moves.
pub async fn merge(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<PainPoint>>,
    VerifiedForm(form): VerifiedForm<MergeForm>,
) -> Result<Response> {
    let now = state.clock.now();
    let from = id.get();
    let Ok(into) = form.into.parse::<Id<PainPoint>>().map(Id::get) else {
        let errors = FieldErrors::one("into", "choose the pain point to merge into");
        return render(&state, &viewer, &csrf, from, errors, None).await;
    };
    if form.confirm != "yes" {
        let found = state
            .db
            .read(move |connection| {
                Ok((
                    pain_points::by_id(connection, from, now)?,
                    pain_points::by_id(connection, into, now)?,
                    roadmap::for_pain_point(connection, from)?.len(),
                ))
            })
            .await?;
        return match found {
            (Some(from), Some(into), roadmap) if from.id != into.id => {
                let chrome = Chrome {
                    viewer: Some(&viewer.user),
                    csrf: &csrf,
                };
                let evidence = from.parts.evidence;
                Ok(
                    views::pain_points::confirm_merge(&chrome, &from, &into, evidence, roadmap)
                        .into_response(),
                )
            }
            (Some(_), _, _) => {
                let errors = FieldErrors::one("into", "choose another pain point to merge into");
                render(&state, &viewer, &csrf, from, errors, None).await
            }
            (None, _, _) => Err(Error::NotFound),
        };
    }
    let outcome = state
        .db
        .write(move |connection| pain_points::merge(connection, from, into, now))
        .await;
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/pain-points/{into}")).into_response()),
        Err(Error::Invalid(errors)) => render(&state, &viewer, &csrf, from, errors, None).await,
        Err(error) => Err(error),
    }
}

#[derive(Deserialize)]
pub struct PlacementForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    parent: String,
}

/// An empty choice means "none".
fn chosen<T>(raw: &str, field: &'static str) -> Result<Option<i64>> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    raw.parse::<Id<T>>()
        .map(|id| Some(id.get()))
        .map_err(|_| Error::invalid(field, "choose from the list, or leave it empty"))
}

/// Places the pain point in the opportunity solution tree.
pub async fn place(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<PainPoint>>,
    VerifiedForm(form): VerifiedForm<PlacementForm>,
) -> Result<Response> {
    let id = id.get();
    let outcome = match (
        chosen::<Outcome>(&form.outcome, "outcome"),
        chosen::<PainPoint>(&form.parent, "parent"),
    ) {
        (Ok(outcome), Ok(parent)) => {
            state
                .db
                .write(move |connection| tree::place_pain_point(connection, id, outcome, parent))
                .await
        }
        (Err(error), _) | (_, Err(error)) => Err(error),
    };
    back(&state, &viewer, &csrf, id, outcome, None).await
}
