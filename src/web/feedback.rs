//! Feedback pages: the form, thanks, "my feedback", the inbox, an item's page
//! and the team's triage actions on it.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::auth::{CsrfToken, VerifiedForm, Viewer};
use super::{StatusForm, parse_id};
use crate::app::AppState;
use crate::db::feedback::{self as stored, FeedbackFilter};
use crate::db::{Connection, pain_points, services};
use crate::domain::feedback::NOTE_MAX_CHARS;
use crate::domain::text::required_text;
use crate::domain::{
    FeedbackDraft, FeedbackKind, FeedbackStatus, FieldErrors, NewFeedback, parse_tags,
};
use crate::error::{Error, Result};
use crate::views::feedback::{PainPointChoices, TypedTriage};
use crate::views::{self, Chrome};

/// Feedback items per inbox page.
const INBOX_PAGE_SIZE: u32 = 25;

/// The feedback form as posted. Checkboxes are present only when ticked.
#[derive(Deserialize)]
pub struct FeedbackForm {
    #[serde(default)]
    service: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    anonymous: Option<String>,
    contact_ok: Option<String>,
}

impl From<FeedbackForm> for FeedbackDraft {
    fn from(form: FeedbackForm) -> FeedbackDraft {
        FeedbackDraft {
            service: form.service,
            kind: form.kind,
            rating: form.rating,
            title: form.title,
            body: form.body,
            anonymous: form.anonymous.is_some(),
            contact_ok: form.contact_ok.is_some(),
        }
    }
}

/// Open pain points to link feedback to, by title.
fn pain_point_choices(connection: &Connection) -> Result<PainPointChoices> {
    pain_points::choices(connection)
}

pub async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfToken(csrf): CsrfToken,
) -> Result<maud::Markup> {
    let services = state.db.read(services::list_services).await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::feedback::feedback_form(
        &chrome,
        &services,
        &FeedbackDraft::default(),
        &FieldErrors::default(),
    ))
}

pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfToken(csrf): CsrfToken,
    VerifiedForm(form): VerifiedForm<FeedbackForm>,
) -> Result<Response> {
    let now = state.clock.now();
    let draft = FeedbackDraft::from(form);
    let stored = match NewFeedback::parse(&draft) {
        Ok(feedback) => {
            let author_id = viewer.user.id;
            let anonymous = feedback.anonymous;
            state
                .db
                .write(move |connection| {
                    stored::insert_feedback(connection, &feedback, Some(author_id), now)
                })
                .await
                .map(|id| (id, anonymous))
        }
        Err(errors) => Err(Error::Invalid(errors)),
    };
    match stored {
        Ok((_, true)) => Ok(Redirect::to("/feedback/thanks").into_response()),
        Ok((id, false)) => Ok(Redirect::to(&format!("/feedback/thanks?id={id}")).into_response()),
        Err(Error::Invalid(errors)) => {
            let services = state.db.read(services::list_services).await?;
            let chrome = Chrome {
                viewer: Some(&viewer.user),
                csrf: &csrf,
            };
            let page = views::feedback::feedback_form(&chrome, &services, &draft, &errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => Err(error),
    }
}

#[derive(Deserialize)]
pub struct ThanksQuery {
    id: Option<i64>,
}

pub async fn thanks(
    viewer: Viewer,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<ThanksQuery>,
) -> maud::Markup {
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    views::feedback::thanks(&chrome, query.id)
}

pub async fn mine(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfToken(csrf): CsrfToken,
) -> Result<maud::Markup> {
    let filter = FeedbackFilter {
        author_id: Some(viewer.user.id),
        ..FeedbackFilter::default()
    };
    let (items, _) = state
        .db
        .read(move |connection| stored::list_feedback(connection, &filter, 200, 0))
        .await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::feedback::my_feedback(&chrome, &items))
}

/// Inbox filters as typed in the address bar; values that do not parse
/// are ignored rather than refused.
#[derive(Deserialize, Default)]
pub struct InboxQuery {
    #[serde(default)]
    service: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: String,
}

impl InboxQuery {
    fn filter(&self) -> FeedbackFilter {
        let day = |raw: &str| NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok();
        FeedbackFilter {
            service: Some(self.service.trim().to_owned()).filter(|slug| !slug.is_empty()),
            kind: FeedbackKind::parse(&self.kind),
            status: FeedbackStatus::parse(&self.status),
            from: day(&self.from),
            to: day(&self.to),
            author_id: None,
        }
    }

    fn page(&self) -> u32 {
        self.page
            .trim()
            .parse::<u32>()
            .unwrap_or(1)
            .clamp(1, 100_000)
    }
}

pub async fn inbox(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<InboxQuery>,
) -> Result<maud::Markup> {
    viewer.require_platform_team()?;
    let filter = query.filter();
    let page = query.page();
    let listed = filter.clone();
    let (services, (items, total), page, pain_points) = state
        .db
        .read(move |connection| {
            let services = services::list_services(connection)?;
            let pain_points = pain_point_choices(connection)?;
            let offset = (page - 1) * INBOX_PAGE_SIZE;
            let (items, total) =
                stored::list_feedback(connection, &listed, INBOX_PAGE_SIZE, offset)?;
            // Past the last page: show the last page rather than nothing.
            let last_page = total.div_ceil(u64::from(INBOX_PAGE_SIZE)).max(1) as u32;
            if page > last_page {
                let offset = (last_page - 1) * INBOX_PAGE_SIZE;
                let last = stored::list_feedback(connection, &listed, INBOX_PAGE_SIZE, offset)?;
                return Ok((services, last, last_page, pain_points));
            }
            Ok((services, (items, total), page, pain_points))
        })
        .await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::feedback::inbox(
        &chrome,
        &views::feedback::InboxPage {
            services: &services,
            filter: &filter,
            items: &items,
            total,
            page,
            page_size: INBOX_PAGE_SIZE,
            pain_points: &pain_points,
        },
    ))
}

pub async fn detail(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    render_detail(
        &state,
        &viewer,
        &csrf,
        id,
        FieldErrors::default(),
        TypedTriage::default(),
    )
    .await
}

/// A triage form's address opened directly (a reload after an error):
/// back to the item.
pub async fn back_to_item(Path(id): Path<String>) -> Result<Redirect> {
    Ok(Redirect::to(&format!("/feedback/{}", parse_id(&id)?)))
}

/// An item's page, for its author or the platform team; anyone else gets
/// "not found", so that existence does not leak.
async fn render_detail(
    state: &AppState,
    viewer: &Viewer,
    csrf: &str,
    id: i64,
    errors: FieldErrors,
    typed: TypedTriage,
) -> Result<Response> {
    let with_notes = viewer.is_platform_team();
    let (item, notes, pain_points) = state
        .db
        .read(move |connection| {
            let item = stored::feedback_by_id(connection, id)?.ok_or(Error::NotFound)?;
            if !with_notes {
                return Ok((item, None, Vec::new()));
            }
            Ok((
                item,
                Some(stored::notes(connection, id)?),
                pain_point_choices(connection)?,
            ))
        })
        .await?;
    let is_author = item
        .author
        .as_ref()
        .is_some_and(|author| author.id == viewer.user.id);
    if !with_notes && !is_author {
        return Err(Error::NotFound);
    }
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf,
    };
    let status = super::form_status(&errors);
    Ok((
        status,
        views::feedback::detail(
            &chrome,
            &item,
            notes.as_deref(),
            &errors,
            &typed,
            &pain_points,
        ),
    )
        .into_response())
}

/// A change to an item, run by the writer.
type TriageChange = Box<dyn FnOnce(&Connection) -> Result<()> + Send>;

/// Runs a triage change and goes back to the item; a field error shows the
/// item's page again with the message.
async fn triage(
    state: AppState,
    viewer: Viewer,
    csrf: String,
    id: i64,
    change: std::result::Result<TriageChange, FieldErrors>,
    typed: TypedTriage,
) -> Result<Response> {
    viewer.require_platform_team()?;
    let outcome = match change {
        Ok(change) => state.db.write(change).await,
        Err(errors) => Err(Error::Invalid(errors)),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/feedback/{id}")).into_response()),
        Err(Error::Invalid(errors)) => {
            render_detail(&state, &viewer, &csrf, id, errors, typed).await
        }
        Err(error) => Err(error),
    }
}

pub async fn set_status(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    VerifiedForm(form): VerifiedForm<StatusForm>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let actor = crate::db::audit::Actor::person(viewer.user.id, &viewer.user.email);
    let now = state.clock.now();
    let change = FeedbackStatus::parse_as("status", &form.status).map(|status| {
        Box::new(move |connection: &Connection| {
            stored::set_status(connection, id, status, now)?;
            crate::db::audit::record(
                connection,
                &actor,
                crate::domain::audit::AuditAction::StatusChanged,
                &format!("feedback:{id}"),
                status.as_str(),
                now,
            )
        }) as _
    });
    triage(state, viewer, csrf, id, change, TypedTriage::default()).await
}

#[derive(Deserialize)]
pub struct TagsForm {
    #[serde(default)]
    tags: String,
}

pub async fn add_tags(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    VerifiedForm(form): VerifiedForm<TagsForm>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let change = parse_tags(&form.tags)
        .map(|tags| {
            Box::new(move |connection: &Connection| stored::add_tags(connection, id, &tags)) as _
        })
        .map_err(|message| FieldErrors::one("tags", message));
    let typed = TypedTriage {
        tags: form.tags.clone(),
        ..TypedTriage::default()
    };
    triage(state, viewer, csrf, id, change, typed).await
}

#[derive(Deserialize)]
pub struct RemoveTagForm {
    #[serde(default)]
    tag: String,
}

pub async fn remove_tag(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    VerifiedForm(form): VerifiedForm<RemoveTagForm>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let change = Ok(Box::new(move |connection: &Connection| {
        stored::remove_tag(connection, id, form.tag.trim())
    }) as _);
    triage(state, viewer, csrf, id, change, TypedTriage::default()).await
}

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    body: String,
}

pub async fn add_note(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    VerifiedForm(form): VerifiedForm<NoteForm>,
) -> Result<Response> {
    let now = state.clock.now();
    let id = parse_id(&id)?;
    let author_id = viewer.user.id;
    let change = required_text(&form.body, NOTE_MAX_CHARS)
        .map(|body| {
            Box::new(move |connection: &Connection| {
                stored::add_note(connection, id, author_id, &body, now)
            }) as _
        })
        .map_err(|message| FieldErrors::one("body", message));
    let typed = TypedTriage {
        note: form.body.clone(),
        ..TypedTriage::default()
    };
    triage(state, viewer, csrf, id, change, typed).await
}

/// The confirmation page before deleting an item (platform team only).
pub async fn delete_page(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
) -> Result<maud::Markup> {
    viewer.require_platform_team()?;
    let id = parse_id(&id)?;
    let (item, evidence_for) = state
        .db
        .read(move |connection| {
            let item = stored::feedback_by_id(connection, id)?.ok_or(Error::NotFound)?;
            Ok((item, stored::evidence_for(connection, id)?))
        })
        .await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::feedback::confirm_delete(
        &chrome,
        &item,
        &evidence_for,
    ))
}

/// Deletes an item once confirmed on its page.
pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    VerifiedForm(_): VerifiedForm<super::pages::EmptyForm>,
) -> Result<Redirect> {
    viewer.require_platform_team()?;
    let id = parse_id(&id)?;
    let existed = state
        .db
        .write(move |connection| stored::delete_feedback(connection, id))
        .await?;
    if !existed {
        return Err(Error::NotFound);
    }
    super::audit::record(
        &state,
        &viewer,
        crate::domain::audit::AuditAction::Deleted,
        format!("feedback:{id}"),
        String::new(),
    )
    .await?;
    Ok(Redirect::to("/inbox"))
}
