//! Satisfaction summary subscriptions: the /digests page, subscribing,
//! previews and one-click unsubscribe.

use super::routes::Routes;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::access::SignedIn;
use super::auth::{CsrfToken, VerifiedForm, Viewer};
use super::extract::Path;
use crate::app::AppState;
use crate::auth::hash_token;
use crate::db::{digests, outbox, services};
use crate::domain::FieldErrors;
use crate::domain::Id;
use crate::domain::digest::{Cadence, NewSubscription, Section, Subscription, SubscriptionDraft};
use crate::error::{Error, Result};
use crate::jobs::digests as digest_jobs;
use crate::views::{self, Chrome};

/// Summary subscriptions for everyone signed in; unsubscribing by the
/// signed link in a message, without signing in.
pub fn routes() -> Routes {
    Routes::default()
        .page("/digests", get(digests_page).post(subscribe))
        .page("/digests/{id}/preview", get(preview))
        .page("/digests/{id}/unsubscribe", post(end_subscription))
        .page(
            "/unsubscribe/{token}",
            get(unsubscribe_page).post(unsubscribe),
        )
        .page("/unsubscribe/{token}/undo", post(resubscribe))
        .api("/api/v1/subscriptions", get(list_subscriptions_api))
}

/// A summary subscription as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SubscriptionJson {
    id: i64,
    email: String,
    /// `weekly` or `monthly` (on the first of the month).
    #[schema(pattern = "^(weekly|monthly)$")]
    cadence: &'static str,
    /// For weekly summaries: `Mon` to `Sun`.
    weekday: Option<String>,
    /// When it is sent, in `timezone`.
    hour: u8,
    minute: u8,
    /// An IANA time zone, such as `Europe/Berlin`.
    timezone: String,
    /// Service slugs in scope; empty means every service.
    services: Vec<String>,
    /// Sections chosen; empty means every section.
    sections: Vec<Section>,
    created_at: DateTime<Utc>,
    /// When it ended; ended subscriptions send nothing.
    unsubscribed_at: Option<DateTime<Utc>>,
}

impl From<Subscription> for SubscriptionJson {
    fn from(subscription: Subscription) -> SubscriptionJson {
        let (cadence, weekday) = match subscription.schedule.cadence {
            Cadence::Weekly(weekday) => ("weekly", Some(weekday.to_string())),
            Cadence::Monthly => ("monthly", None),
        };
        SubscriptionJson {
            id: subscription.id,
            email: subscription.email,
            cadence,
            weekday,
            hour: subscription.schedule.hour,
            minute: subscription.schedule.minute,
            timezone: subscription.schedule.timezone.name().to_owned(),
            services: subscription.services,
            sections: subscription.sections,
            created_at: subscription.created_at,
            unsubscribed_at: subscription.unsubscribed_at,
        }
    }
}

/// The subscriptions the /digests page shows the caller: every one for the
/// platform team, one's own (by email address) for anyone else.
#[utoipa::path(
    get,
    path = "/api/v1/subscriptions",
    operation_id = "list_subscriptions",
    tag = "subscriptions",
    responses((status = 200, description = "Summary subscriptions, active ones first", body = [SubscriptionJson]))
)]
pub async fn list_subscriptions_api(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
) -> Result<Json<Vec<SubscriptionJson>>> {
    let subscriptions = state
        .db
        .read(move |connection| {
            let mut subscriptions = digests::list_subscriptions(connection)?;
            if !viewer.is_platform_team() {
                subscriptions.retain(|subscription| subscription.email == viewer.user.email);
            }
            Ok(subscriptions)
        })
        .await?;
    Ok(Json(
        subscriptions
            .into_iter()
            .map(SubscriptionJson::from)
            .collect(),
    ))
}

#[derive(Deserialize, Default)]
pub struct SubscriptionForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    cadence: String,
    #[serde(default)]
    weekday: String,
    #[serde(default)]
    hour: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    services: Vec<String>,
    #[serde(default)]
    sections: Vec<String>,
}

async fn render_page(
    state: &AppState,
    viewer: &Viewer,
    csrf: &str,
    draft: SubscriptionDraft,
    errors: FieldErrors,
) -> Result<Response> {
    let now = state.clock.now();
    let team = viewer.is_platform_team();
    let own_email = viewer.user.email.clone();
    let (subscriptions, messages, catalog) = state
        .db
        .read(move |connection| {
            let mut subscriptions = digests::list_subscriptions(connection)?;
            if !team {
                subscriptions.retain(|subscription| subscription.email == own_email);
            }
            let messages = if team {
                outbox::recent_messages(connection, None, 50)?
            } else {
                Vec::new()
            };
            Ok((
                subscriptions,
                messages,
                services::list_services(connection)?,
            ))
        })
        .await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf,
    };
    let status = super::form_status(&errors);
    let page = views::digests::digests_page(
        &chrome,
        &views::digests::DigestsPage {
            subscriptions: &subscriptions,
            messages: &messages,
            services: &catalog,
            draft: &draft,
            errors: &errors,
            can_subscribe_others: team,
            now,
        },
    );
    Ok((status, page).into_response())
}

pub async fn digests_page(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response> {
    let draft = SubscriptionDraft {
        email: viewer.user.email.clone(),
        ..SubscriptionDraft::default()
    };
    render_page(&state, &viewer, &csrf, draft, FieldErrors::default()).await
}

/// Team members subscribe any address (a person or a list); anyone else
/// subscribes themselves.
pub async fn subscribe(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    CsrfToken(csrf): CsrfToken,
    VerifiedForm(form): VerifiedForm<SubscriptionForm>,
) -> Result<Response> {
    let now = state.clock.now();
    let email = if viewer.is_platform_team() {
        form.email
    } else {
        viewer.user.email.clone()
    };
    let draft = SubscriptionDraft {
        email,
        cadence: form.cadence,
        weekday: form.weekday,
        hour: form.hour,
        timezone: form.timezone,
        services: form
            .services
            .into_iter()
            .filter(|slug| !slug.is_empty())
            .collect(),
        sections: form.sections,
    };
    let parsed = match NewSubscription::parse(&draft) {
        Ok(parsed) => parsed,
        Err(errors) => return render_page(&state, &viewer, &csrf, draft, errors).await,
    };
    let subscribed_email = parsed.email.to_string();
    let draft_email_is_own = subscribed_email.eq_ignore_ascii_case(&viewer.user.email);
    let links = state.links.clone();
    let created_by = viewer.user.id;
    let stored = state
        .db
        .write(move |connection| {
            let id = digests::insert_subscription(connection, &parsed, Some(created_by), now)?;
            digests::set_unsubscribe_hash(
                connection,
                id,
                &hash_token(&links.unsubscribe_token(id)),
            )?;
            Ok(id)
        })
        .await;
    match stored {
        Ok(id) => {
            if !draft_email_is_own {
                super::audit::record(
                    &state,
                    &viewer,
                    crate::domain::audit::AuditAction::SubscribedOther,
                    format!("subscription:{id}"),
                    subscribed_email,
                )
                .await?;
            }
            Ok(Redirect::to("/digests").into_response())
        }
        Err(Error::Invalid(errors)) => render_page(&state, &viewer, &csrf, draft, errors).await,
        Err(error) => Err(error),
    }
}

/// The next message of a subscription, as it would be sent now.
pub async fn preview(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path(id): Path<Id<Subscription>>,
) -> Result<Response> {
    let id = id.get();
    let subscription = state
        .db
        .read(move |connection| digests::subscription_by_id(connection, id))
        .await?
        .ok_or(Error::NotFound)?;
    if !viewer.is_platform_team() && subscription.email != viewer.user.email {
        return Err(Error::NotFound);
    }
    let html = match digest_jobs::preview(&state.db, &state.links, &subscription, state.clock.now()).await? {
        Some(message) => message.body_html.unwrap_or_default(),
        None => "<!DOCTYPE html><p>Nothing to report for this period yet, so nothing would be sent.</p><p><a href=\"/digests\">Back to summaries</a></p>".to_owned(),
    };
    // The message as a mail client shows it: its inline styles apply, and
    // nothing else may load or run (no script, no images, no forms).
    Ok((
        [(
            axum::http::header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; form-action 'none'",
        )],
        axum::response::Html(html),
    )
        .into_response())
}

/// Ends a subscription from the /digests page: the team ends any, anyone
/// else only their own (another's is not found).
pub async fn end_subscription(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path(id): Path<Id<Subscription>>,
    VerifiedForm(_): VerifiedForm<super::pages::EmptyForm>,
) -> Result<Response> {
    let now = state.clock.now();
    let id = id.get();
    let subscription = state
        .db
        .read(move |connection| digests::subscription_by_id(connection, id))
        .await?
        .ok_or(Error::NotFound)?;
    if !viewer.is_platform_team() && subscription.email != viewer.user.email {
        return Err(Error::NotFound);
    }
    state
        .db
        .write(move |connection| digests::unsubscribe_by_id(connection, id, now))
        .await?;
    Ok(Redirect::to("/digests").into_response())
}

/// The link in every message: a page with a button, so that link scanners
/// that follow links do not unsubscribe anyone.
pub async fn unsubscribe_page(
    CsrfToken(csrf): CsrfToken,
    Path(token): Path<String>,
) -> maud::Markup {
    let chrome = Chrome {
        viewer: None,
        csrf: &csrf,
    };
    views::digests::unsubscribe_page(&chrome, &token, None)
}

/// One-click unsubscribe (RFC 8058): mail clients POST here without a
/// session; the token itself is the proof.
pub async fn unsubscribe(
    CsrfToken(csrf): CsrfToken,
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response> {
    let now = state.clock.now();
    let hash = hash_token(&token);
    let email = state
        .db
        .write(move |connection| digests::unsubscribe(connection, &hash, now))
        .await?
        .ok_or(Error::NotFound)?;
    let chrome = Chrome {
        viewer: None,
        csrf: &csrf,
    };
    Ok(views::digests::unsubscribe_page(&chrome, &token, Some(&email)).into_response())
}

/// Undoes an unsubscribe from the page it landed on (the same token).
pub async fn resubscribe(
    CsrfToken(csrf): CsrfToken,
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response> {
    let hash = hash_token(&token);
    let email = state
        .db
        .write(move |connection| digests::resubscribe(connection, &hash))
        .await?
        .ok_or(Error::NotFound)?;
    let chrome = Chrome {
        viewer: None,
        csrf: &csrf,
    };
    Ok(views::digests::resubscribed_page(&chrome, &token, &email).into_response())
}
