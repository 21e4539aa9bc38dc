//! An item's page and the platform team's work on it: triage in one save
//! (with "save and next"), replies to the submitter, and which tags are
//! public.

use super::feedback::back_to_item;
use super::routes::Routes;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use super::access::{PlatformTeam, SignedIn};
use super::auth::{CsrfToken, VerifiedForm, Viewer};
use super::extract::{Path, Query};
use crate::app::AppState;
use crate::db::audit::{self, Actor};
use crate::db::feedback as stored;
use crate::db::{pain_points, replies, triage};
use crate::domain::FieldErrors;
use crate::domain::Id;
use crate::domain::audit::AuditAction;
use crate::domain::feedback::Feedback;
use crate::domain::triage::{Triage, TriageDraft, parse_reply};
use crate::error::{Error, Result};
use crate::jobs::notices;
use crate::views::item::{ItemPage, TeamPart};
use crate::views::{self, Chrome};

/// An item's page and the team's work on it.
pub fn routes() -> Routes {
    Routes::default()
        .page("/feedback/{id}", get(detail))
        // GET on a form's address (a reload after an error) goes back to the item.
        .page("/feedback/{id}/triage", get(back_to_item))
        .team_page("/feedback/{id}/triage", post(save))
        .page("/feedback/{id}/replies", get(back_to_item))
        .team_page("/feedback/{id}/replies", post(reply))
        .team_page("/tags", get(tags_page))
        .team_page("/tags/{name}/public", post(set_tag_public))
}

/// What was typed into an item's forms, when they come back with problems.
#[derive(Default)]
pub struct Typed {
    pub triage: Option<TriageDraft>,
    pub reply: String,
}

/// The triage form's values for an item as it is.
fn draft_of(item: &Feedback) -> TriageDraft {
    TriageDraft {
        status: item.status.as_str().to_owned(),
        tags: item.tags.join(", "),
        assignee: item
            .assignee
            .as_ref()
            .map(|(id, _)| id.to_string())
            .unwrap_or_default(),
        ..TriageDraft::default()
    }
}

/// An item's page, for its author or the platform team; anyone else gets
/// "not found", so that existence does not leak.
pub async fn render_item(
    state: &AppState,
    viewer: &Viewer,
    csrf: &str,
    id: i64,
    saved: Option<String>,
    errors: FieldErrors,
    typed: Typed,
) -> Result<Response> {
    let team = viewer.is_platform_team();
    let viewer_id = viewer.user.id;
    let loaded = state
        .db
        .read(move |connection| {
            let item = stored::feedback_by_id(connection, id)?.ok_or(Error::NotFound)?;
            let is_author = item
                .author
                .as_ref()
                .is_some_and(|author| author.id == viewer_id);
            if !team && !is_author {
                return Err(Error::NotFound);
            }
            let replies = replies::replies(connection, id)?;
            let plans = replies::plans_for(connection, id)?;
            if !team {
                let shown = replies::public_tags(connection, &item.tags)?;
                return Ok((item, replies, plans, shown, None));
            }
            let team_data = (
                stored::notes(connection, id)?,
                pain_points::choices(connection)?,
                triage::team_members(connection)?,
                stored::evidence_for(connection, id)?,
                triage::next_waiting(connection, id)?,
            );
            let shown = item.tags.clone();
            Ok((item, replies, plans, shown, Some(team_data)))
        })
        .await?;
    let (item, replies, plans, shown_tags, team_data) = loaded;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf,
    };
    let draft = typed.triage.unwrap_or_else(|| draft_of(&item));
    let team =
        team_data.as_ref().map(
            |(notes, pain_points, members, evidence_for, next)| TeamPart {
                notes,
                pain_points,
                members,
                draft: &draft,
                reply: &typed.reply,
                errors: &errors,
                next: *next,
                evidence_for,
            },
        );
    let page = ItemPage {
        item: &item,
        replies: &replies,
        shown_tags: &shown_tags,
        plans: &plans,
        saved: saved.as_deref(),
        team,
    };
    let status = super::form_status(&errors);
    Ok((status, views::item::item_page(&chrome, &page)).into_response())
}

#[derive(Deserialize)]
pub struct ItemQuery {
    /// The item whose triage was just saved, for the confirmation.
    saved: Option<String>,
    /// Set after a reply was sent.
    replied: Option<String>,
}

pub async fn detail(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<Feedback>>,
    Query(query): Query<ItemQuery>,
) -> Result<Response> {
    let id = id.get();
    let saved = match query.saved.as_deref().map(str::parse::<Id<Feedback>>) {
        Some(Ok(saved)) if viewer.is_platform_team() => {
            let item = state
                .db
                .read(move |connection| stored::feedback_by_id(connection, saved.get()))
                .await?;
            item.map(|item| saved_message(&item))
        }
        _ if query.replied.is_some() && viewer.is_platform_team() => {
            Some("Reply sent: the submitter sees it with their feedback (mailed to them if they gave their name).".to_owned())
        }
        _ => None,
    };
    render_item(
        &state,
        &viewer,
        &csrf,
        id,
        saved,
        FieldErrors::default(),
        Typed::default(),
    )
    .await
}

/// "Saved #12 “Cache misses”: triaged, 2 tags, assigned to Sam."
fn saved_message(item: &Feedback) -> String {
    let mut parts = vec![item.status.as_str().to_owned()];
    parts.push(views::count_of(item.tags.len() as u64, "tag", "tags"));
    if let Some((_, name)) = &item.assignee {
        parts.push(format!("assigned to {name}"));
    }
    format!(
        "Saved #{} “{}”: {}.",
        item.id,
        views::feedback::item_title(item),
        parts.join(", ")
    )
}

/// The triage form. A field left out keeps its value, so a script or a
/// smaller form can change one thing.
#[derive(Deserialize)]
pub struct TriageForm {
    status: Option<String>,
    tags: Option<String>,
    assignee: Option<String>,
    #[serde(default)]
    pain_points: Vec<String>,
    #[serde(default)]
    new_pain_point: String,
    #[serde(default)]
    note: String,
    /// "next" to go on to the next item waiting.
    #[serde(default)]
    then: String,
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"))
}

/// Saves an item's whole triage at once: back to the item with a
/// confirmation, or on to the next item waiting; a script asking for JSON
/// gets the confirmation without a reload.
pub async fn save(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Path(id): Path<Id<Feedback>>,
    VerifiedForm(form): VerifiedForm<TriageForm>,
) -> Result<Response> {
    let now = state.clock.now();
    let id = id.get();
    let current = state
        .db
        .read(move |connection| stored::feedback_by_id(connection, id))
        .await?
        .ok_or(Error::NotFound)?;
    let kept = draft_of(&current);
    let draft = TriageDraft {
        status: form.status.unwrap_or(kept.status),
        tags: form.tags.unwrap_or(kept.tags),
        assignee: form.assignee.unwrap_or(kept.assignee),
        pain_points: form.pain_points,
        new_pain_point: form.new_pain_point,
        note: form.note,
    };
    let by = viewer.user.id;
    let actor = Actor::person(viewer.user.id, &viewer.user.email);
    let links = state.links.clone();
    let outcome = match Triage::parse(&draft) {
        Ok(checked) => {
            state
                .db
                .write(move |connection| {
                    let saved = triage::apply(connection, id, &checked, by, now)?;
                    if saved.before.status != checked.status {
                        audit::record(
                            connection,
                            &actor,
                            AuditAction::StatusChanged,
                            &format!("feedback:{id}"),
                            checked.status.as_str(),
                            now,
                        )?;
                    }
                    notices::enqueue_status_change(
                        connection,
                        &links,
                        &saved.before,
                        checked.status,
                        now,
                    )?;
                    let next = triage::next_waiting(connection, id)?;
                    Ok((saved.describe(&checked), next))
                })
                .await
        }
        Err(errors) => Err(Error::Invalid(errors)),
    };
    let json = wants_json(&headers);
    match outcome {
        Ok((message, next)) if json => Ok(Json(json!({
            "message": message,
            "next": next.map(|next| format!("/feedback/{next}?saved={id}")),
        }))
        .into_response()),
        Ok((_, Some(next))) if form.then == "next" => {
            Ok(Redirect::to(&format!("/feedback/{next}?saved={id}")).into_response())
        }
        Ok(_) => Ok(Redirect::to(&format!("/feedback/{id}?saved={id}")).into_response()),
        Err(Error::Invalid(errors)) if json => Err(Error::Invalid(errors)),
        Err(Error::Invalid(errors)) => {
            let typed = Typed {
                triage: Some(draft),
                reply: String::new(),
            };
            render_item(&state, &viewer, &csrf, id, None, errors, typed).await
        }
        Err(error) => Err(error),
    }
}

#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    reply: String,
}

/// A reply to the submitter: shown on their item's page (or its private
/// page if anonymous) and, when they have a name, mailed through the outbox.
pub async fn reply(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<Feedback>>,
    VerifiedForm(form): VerifiedForm<ReplyForm>,
) -> Result<Response> {
    let now = state.clock.now();
    let id = id.get();
    let body = match parse_reply(&form.reply) {
        Ok(body) => body,
        Err(errors) => {
            let typed = Typed {
                triage: None,
                reply: form.reply,
            };
            return render_item(&state, &viewer, &csrf, id, None, errors, typed).await;
        }
    };
    let by = viewer.user.id;
    let links = state.links.clone();
    state
        .db
        .write(move |connection| {
            let reply = replies::add_reply(connection, id, by, &body, now)?;
            let item = stored::feedback_by_id(connection, id)?.ok_or(Error::NotFound)?;
            notices::enqueue_reply(connection, &links, &item, reply, &body, now)
        })
        .await?;
    Ok(Redirect::to(&format!("/feedback/{id}?replied=1#replies")).into_response())
}

/// Every tag, and whether submitters see it.
pub async fn tags_page(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
) -> Result<maud::Markup> {
    let tags = state.db.read(replies::tags).await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::tags::tags_page(&chrome, &tags))
}

#[derive(Deserialize)]
pub struct PublicForm {
    #[serde(default)]
    public: String,
}

/// Makes a tag public or internal.
pub async fn set_tag_public(
    State(state): State<AppState>,
    _: PlatformTeam,
    Path(name): Path<String>,
    VerifiedForm(form): VerifiedForm<PublicForm>,
) -> Result<Redirect> {
    let public = form.public == "true";
    state
        .db
        .write(move |connection| replies::set_tag_public(connection, &name, public))
        .await?;
    Ok(Redirect::to("/tags"))
}
