//! Feedback pages: the form, thanks, "my feedback", an anonymous item's
//! private page, and deleting an item.

use super::feedback_api as api;
use super::routes::Routes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{delete as delete_route, get, post};
use serde::Deserialize;

use super::access::{PlatformTeam, SignedIn};
use super::auth::{CsrfToken, VerifiedForm, Viewer};
use super::extract::{Path, Query};
use crate::app::AppState;
use crate::auth::{hash_token, new_token};
use crate::db::feedback as stored;
use crate::db::{replies, services};
use crate::domain::Id;
use crate::domain::feedback::{Feedback, FeedbackFilter};
use crate::domain::{FeedbackDraft, FieldErrors, NewFeedback};
use crate::error::{Error, Result};
use crate::views::feedback::MyItem;
use crate::views::{self, Chrome};

/// Giving feedback and following it; the API's feedback (in `web::feedback_api`).
pub fn routes() -> Routes {
    Routes::default()
        .page("/feedback/new", get(new_form))
        .page("/feedback", post(submit))
        .page("/feedback/thanks", get(thanks))
        .page("/feedback/mine", get(mine))
        .page("/replies/{token}", get(private_replies))
        .team_page("/feedback/{id}/delete", get(delete_page).post(delete))
        .api(
            "/api/v1/feedback",
            get(api::list_feedback).post(api::create_feedback),
        )
        .api("/api/v1/feedback/{id}", get(api::get_feedback))
        .team_api("/api/v1/feedback/{id}", delete_route(api::delete_feedback))
}

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
    notify_status: Option<String>,
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

pub async fn new_form(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
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
        false,
        &FieldErrors::default(),
    ))
}

/// Stores feedback. Anonymous feedback gets a private link to its replies,
/// shown on the page this answers with (not a redirect, so the link is in
/// no address the browser or a proxy keeps) and never stored: only the
/// token's hash is kept, on the item, tied to nobody.
pub async fn submit(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    CsrfToken(csrf): CsrfToken,
    VerifiedForm(form): VerifiedForm<FeedbackForm>,
) -> Result<Response> {
    let now = state.clock.now();
    let notify_status = form.notify_status.is_some();
    let draft = FeedbackDraft::from(form);
    let stored = match NewFeedback::parse(&draft) {
        Ok(feedback) => {
            let author_id = viewer.user.id;
            let anonymous = feedback.anonymous;
            let token = anonymous.then(|| new_token(""));
            let token_hash = token.as_deref().map(hash_token);
            state
                .db
                .write(move |connection| {
                    let id = stored::insert_feedback(connection, &feedback, Some(author_id), now)?;
                    match &token_hash {
                        Some(hash) => replies::set_reply_token_hash(connection, id, hash)?,
                        None if notify_status => {
                            replies::ask_for_status_notices(connection, id)?;
                        }
                        None => {}
                    }
                    Ok(id)
                })
                .await
                .map(|id| (id, token))
        }
        Err(errors) => Err(Error::Invalid(errors)),
    };
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    match stored {
        Ok((_, Some(token))) => {
            let path = format!("/replies/{token}");
            let link = (format!("{}{path}", state.links.public_url), path);
            Ok(views::feedback::thanks(&chrome, None, Some(&link)).into_response())
        }
        Ok((id, None)) => Ok(Redirect::to(&format!("/feedback/thanks?id={id}")).into_response()),
        Err(Error::Invalid(errors)) => {
            let services = state.db.read(services::list_services).await?;
            let page =
                views::feedback::feedback_form(&chrome, &services, &draft, notify_status, &errors);
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
    SignedIn(viewer): SignedIn,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<ThanksQuery>,
) -> maud::Markup {
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    views::feedback::thanks(&chrome, query.id, None)
}

/// A person's own feedback, with the plan each item is part of and how
/// many replies it has.
pub async fn mine(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    CsrfToken(csrf): CsrfToken,
) -> Result<maud::Markup> {
    let filter = FeedbackFilter {
        author_id: Some(viewer.user.id),
        ..FeedbackFilter::default()
    };
    let items = state
        .db
        .read(move |connection| {
            let (items, _) = stored::list_feedback(connection, &filter, 200, 0)?;
            items
                .into_iter()
                .map(|item| {
                    Ok(MyItem {
                        replies: replies::replies(connection, item.id)?.len() as u32,
                        plans: replies::plans_for(connection, item.id)?,
                        item,
                    })
                })
                .collect::<Result<Vec<_>>>()
        })
        .await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::feedback::my_feedback(&chrome, &items))
}

/// The private page of an anonymous item, reached by the link shown once
/// at submission: the item, its public tags, the plan and the replies. No
/// sign-in is asked for, so nothing ties the reader to the link.
pub async fn private_replies(
    State(state): State<AppState>,
    viewer: Option<Viewer>,
    CsrfToken(csrf): CsrfToken,
    Path(token): Path<String>,
) -> Result<maud::Markup> {
    let hash = hash_token(token.trim());
    let (item, replies, plans, tags) = state
        .db
        .read(move |connection| {
            let item = replies::by_reply_token_hash(connection, &hash)?.ok_or(Error::NotFound)?;
            let tags = replies::public_tags(connection, &item.tags)?;
            Ok((
                replies::replies(connection, item.id)?,
                replies::plans_for(connection, item.id)?,
                tags,
                item,
            ))
        })
        .await
        .map(|(replies, plans, tags, item)| (item, replies, plans, tags))?;
    let chrome = Chrome {
        viewer: viewer.as_ref().map(|viewer| &viewer.user),
        csrf: &csrf,
    };
    Ok(views::feedback::private_page(
        &chrome, &item, &tags, &plans, &replies,
    ))
}

/// The confirmation page before deleting an item (platform team only).
pub async fn delete_page(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<Feedback>>,
) -> Result<maud::Markup> {
    let id = id.get();
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
    PlatformTeam(viewer): PlatformTeam,
    Path(id): Path<Id<Feedback>>,
    VerifiedForm(_): VerifiedForm<super::pages::EmptyForm>,
) -> Result<Redirect> {
    let id = id.get();
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

/// A form's address opened directly (a reload after an error): back to the item.
pub async fn back_to_item(Path(id): Path<Id<Feedback>>) -> Result<Redirect> {
    Ok(Redirect::to(&format!("/feedback/{}", id.get())))
}
