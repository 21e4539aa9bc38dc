//! The triage inbox: filters, bulk changes to selected items, and saved
//! views.

use super::routes::Routes;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;

use super::access::PlatformTeam;
use super::auth::{CsrfToken, VerifiedForm, Viewer};
use super::extract::{Path, Query};
use crate::app::AppState;
use crate::db::audit::{self, Actor};
use crate::db::feedback as stored;
use crate::db::{pain_points, replies, services, triage};
use crate::domain::Id;
use crate::domain::audit::AuditAction;
use crate::domain::feedback::{Assignee, Feedback, FeedbackFilter};
use crate::domain::pain_point::{NewPainPoint, PainPoint, PainPointDraft};
use crate::domain::triage::{BulkChange, SavedView, parse_view_name};
use crate::domain::{FeedbackKind, FeedbackStatus, FieldErrors};
use crate::error::{Error, Result};
use crate::jobs::notices;
use crate::views::inbox::InboxPage;
use crate::views::{self, Chrome};

/// The inbox, for the platform team.
pub fn routes() -> Routes {
    Routes::default()
        .team_page("/inbox", get(inbox))
        .team_page("/inbox/bulk", post(bulk))
        .team_page("/inbox/views", post(save_view))
        .team_page("/inbox/views/{id}/delete", post(delete_view))
}

/// Feedback items per inbox page.
const INBOX_PAGE_SIZE: u32 = 25;

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
    tag: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    text: String,
    /// Received lately, relative to today: "today", "week" (7 days) or
    /// "month" (30 days), so that a saved view stays current.
    #[serde(default)]
    received: String,
    #[serde(default)]
    page: String,
    /// How many items a bulk change just changed, and which change.
    #[serde(default)]
    done: String,
    #[serde(default)]
    change: String,
}

fn non_empty(raw: &str) -> Option<String> {
    Some(raw.trim().to_owned()).filter(|value| !value.is_empty())
}

impl InboxQuery {
    fn filter(&self) -> FeedbackFilter {
        let day = |raw: &str| NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok();
        FeedbackFilter {
            service: non_empty(&self.service),
            kind: FeedbackKind::parse(&self.kind),
            status: FeedbackStatus::parse(&self.status),
            from: day(&self.from),
            to: day(&self.to),
            author_id: None,
            tag: non_empty(&self.tag),
            assignee: match self.assignee.trim() {
                "nobody" => Some(Assignee::Nobody),
                raw => raw.parse().ok().map(Assignee::Person),
            },
            rating: self
                .rating
                .trim()
                .parse()
                .ok()
                .filter(|rating| (1..=5).contains(rating)),
            text: non_empty(&self.text),
        }
    }

    /// The relative window asked for, as the word the address keeps.
    fn received(&self) -> Option<&'static str> {
        ["today", "week", "month"]
            .into_iter()
            .find(|word| *word == self.received.trim())
    }

    /// The filter with the relative window turned into a first day.
    fn listed(&self, today: NaiveDate) -> FeedbackFilter {
        let mut filter = self.filter();
        let days = match self.received() {
            Some("today") => 0,
            Some("week") => 6,
            Some(_) => 29,
            None => return filter,
        };
        let first = today - chrono::Duration::days(days);
        filter.from = Some(filter.from.map_or(first, |from| from.max(first)));
        filter
    }

    /// The filters as a query string, for page links and saved views.
    fn query_string(&self) -> String {
        query_string(&self.filter(), self.received())
    }

    fn page(&self) -> u32 {
        self.page
            .trim()
            .parse::<u32>()
            .unwrap_or(1)
            .clamp(1, 100_000)
    }

    /// The confirmation of a bulk change: "3 items: status set to triaged."
    fn done(&self) -> Option<String> {
        let count: u32 = self.done.parse().ok()?;
        let change = match self.change.as_str() {
            "tags" => "tagged".to_owned(),
            "assign" => "assignee changed".to_owned(),
            "link" => "linked as evidence".to_owned(),
            status => format!("status set to {}", FeedbackStatus::parse(status)?.as_str()),
        };
        Some(format!(
            "{}: {change}.",
            views::count_of(count.into(), "item", "items")
        ))
    }
}

/// The filter (and the relative window) as a query string.
fn query_string(filter: &FeedbackFilter, received: Option<&str>) -> String {
    let pairs = [
        ("received", received.map(str::to_owned)),
        ("text", filter.text.clone()),
        ("service", filter.service.clone()),
        ("kind", filter.kind.map(|kind| kind.as_str().to_owned())),
        (
            "status",
            filter.status.map(|status| status.as_str().to_owned()),
        ),
        ("tag", filter.tag.clone()),
        (
            "assignee",
            filter.assignee.map(|assignee| match assignee {
                Assignee::Nobody => "nobody".to_owned(),
                Assignee::Person(id) => id.to_string(),
            }),
        ),
        ("rating", filter.rating.map(|rating| rating.to_string())),
        ("from", filter.from.map(|day| day.to_string())),
        ("to", filter.to.map(|day| day.to_string())),
    ];
    let pairs: Vec<(&str, String)> = pairs
        .into_iter()
        .filter_map(|(name, value)| value.map(|value| (name, value)))
        .collect();
    serde_html_form::to_string(pairs).unwrap_or_default()
}

pub async fn inbox(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<InboxQuery>,
) -> Result<Response> {
    render(&state, &viewer, &csrf, &query, FieldErrors::default()).await
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    csrf: &str,
    query: &InboxQuery,
    errors: FieldErrors,
) -> Result<Response> {
    let filter = query.filter();
    let page = query.page();
    let listed = query.listed(state.clock.now().date_naive());
    let user = viewer.user.id;
    let loaded = state
        .db
        .read(move |connection| {
            let offset = (page - 1) * INBOX_PAGE_SIZE;
            let (mut items, total) =
                stored::list_feedback(connection, &listed, INBOX_PAGE_SIZE, offset)?;
            // Past the last page: show the last page rather than nothing.
            let last_page = total.div_ceil(u64::from(INBOX_PAGE_SIZE)).max(1) as u32;
            let mut page = page;
            if page > last_page {
                page = last_page;
                let offset = (last_page - 1) * INBOX_PAGE_SIZE;
                items = stored::list_feedback(connection, &listed, INBOX_PAGE_SIZE, offset)?.0;
            }
            let tags = replies::tags(connection)?
                .into_iter()
                .map(|(name, _, _)| name)
                .collect::<Vec<_>>();
            Ok((
                services::list_services(connection)?,
                items,
                total,
                page,
                pain_points::choices(connection)?,
                triage::team_members(connection)?,
                tags,
                triage::saved_views(connection, user)?,
            ))
        })
        .await?;
    let (services, items, total, page, pain_points, members, tags, views) = loaded;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf,
    };
    let done = query.done();
    let received = query.received();
    let query = query.query_string();
    let status = super::form_status(&errors);
    Ok((
        status,
        views::inbox::inbox(
            &chrome,
            &InboxPage {
                services: &services,
                filter: &filter,
                received,
                query: &query,
                items: &items,
                total,
                page,
                page_size: INBOX_PAGE_SIZE,
                pain_points: &pain_points,
                members: &members,
                tags: &tags,
                views: &views,
                done: done.as_deref(),
                errors: &errors,
            },
        ),
    )
        .into_response())
}

/// The bulk form: selected items and one change.
#[derive(Deserialize)]
pub struct BulkForm {
    #[serde(default)]
    feedback_ids: Vec<String>,
    #[serde(default)]
    action: String,
    #[serde(default)]
    bulk_status: String,
    #[serde(default)]
    bulk_tags: String,
    #[serde(default)]
    bulk_assignee: String,
    #[serde(default)]
    pain_point: String,
    /// The title of a new pain point to make from the selection.
    #[serde(default)]
    new_pain_point: String,
    /// The inbox's filters, to go back to.
    #[serde(default)]
    back: String,
}

/// One change to every selected item; back to the same filters with a
/// confirmation, or the inbox again with the problem named.
pub async fn bulk(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    VerifiedForm(form): VerifiedForm<BulkForm>,
) -> Result<Response> {
    let now = state.clock.now();
    let back: InboxQuery = serde_html_form::from_str(&form.back).unwrap_or_default();
    let ids: Vec<i64> = form
        .feedback_ids
        .iter()
        .filter_map(|raw| raw.parse::<Id<Feedback>>().ok().map(Id::get))
        .collect();
    let by = viewer.user.id;
    let actor = Actor::person(viewer.user.id, &viewer.user.email);
    let links = state.links.clone();
    // What the confirmation names: the new status, or the kind of change.
    let change = match form.action.as_str() {
        "status" => form.bulk_status.trim().to_owned(),
        action => action.to_owned(),
    };
    let outcome = if ids.is_empty() {
        Err(Error::invalid(
            "feedback_ids",
            "select items first (tick their boxes, or press x)",
        ))
    } else if form.action == "link" {
        let chosen = form.pain_point.parse::<Id<PainPoint>>();
        let target = match (chosen, form.new_pain_point.trim()) {
            (Ok(pain_point), _) => Ok((pain_point.get(), None)),
            (Err(_), "") => Err(Error::invalid(
                "pain_point",
                "choose a pain point, or give a title for a new one",
            )),
            (Err(_), title) => NewPainPoint::parse(&PainPointDraft {
                title: title.to_owned(),
                ..PainPointDraft::default()
            })
            .map(|new| (0, Some(new)))
            .map_err(|errors| {
                let problems: Vec<&str> =
                    errors.iter().map(|error| error.message.as_str()).collect();
                Error::invalid("new_pain_point", problems.join("; "))
            }),
        };
        match target {
            Ok((pain_point, new)) => {
                let ids = ids.clone();
                state
                    .db
                    .write(move |connection| {
                        let pain_point = match new {
                            Some(new) => pain_points::insert(connection, &new, now)?,
                            None => pain_point,
                        };
                        pain_points::add_evidence(connection, pain_point, &ids, by, now)
                            .map(|_| ids.len())
                    })
                    .await
            }
            Err(error) => Err(error),
        }
    } else {
        match BulkChange::parse(
            &form.action,
            &form.bulk_status,
            &form.bulk_tags,
            &form.bulk_assignee,
        ) {
            Ok(change) => {
                let ids = ids.clone();
                state
                    .db
                    .write(move |connection| {
                        let before = triage::bulk(connection, &ids, &change, now)?;
                        if let BulkChange::Status(status) = change {
                            for item in before.iter().filter(|item| item.status != status) {
                                notices::enqueue_status_change(
                                    connection, &links, item, status, now,
                                )?;
                                audit::record(
                                    connection,
                                    &actor,
                                    AuditAction::StatusChanged,
                                    &format!("feedback:{}", item.id),
                                    status.as_str(),
                                    now,
                                )?;
                            }
                        }
                        Ok(before.len())
                    })
                    .await
            }
            Err(errors) => Err(Error::Invalid(errors)),
        }
    };
    match outcome {
        Ok(count) => {
            let done =
                serde_html_form::to_string([("done", count.to_string()), ("change", change)])
                    .unwrap_or_default();
            let back = back.query_string();
            let target = if back.is_empty() {
                format!("/inbox?{done}")
            } else {
                format!("/inbox?{back}&{done}")
            };
            Ok(Redirect::to(&target).into_response())
        }
        Err(Error::Invalid(errors)) => render(&state, &viewer, &csrf, &back, errors).await,
        Err(error) => Err(error),
    }
}

#[derive(Deserialize)]
pub struct ViewForm {
    #[serde(default)]
    view_name: String,
    #[serde(default)]
    query: String,
}

/// Saves the current filters under a name (one of the same name is replaced).
pub async fn save_view(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    VerifiedForm(form): VerifiedForm<ViewForm>,
) -> Result<Response> {
    let now = state.clock.now();
    let filters: InboxQuery = serde_html_form::from_str(&form.query).unwrap_or_default();
    let name = match parse_view_name(&form.view_name) {
        Ok(name) => name,
        Err(errors) => return render(&state, &viewer, &csrf, &filters, errors).await,
    };
    let query = filters.query_string();
    let user = viewer.user.id;
    let saved = query.clone();
    state
        .db
        .write(move |connection| triage::save_view(connection, user, &name, &saved, now))
        .await?;
    Ok(Redirect::to(&format!("/inbox?{query}")).into_response())
}

pub async fn delete_view(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    Path(id): Path<Id<SavedView>>,
    VerifiedForm(_): VerifiedForm<super::pages::EmptyForm>,
) -> Result<Redirect> {
    let id = id.get();
    let user = viewer.user.id;
    state
        .db
        .write(move |connection| triage::delete_view(connection, user, id))
        .await?;
    Ok(Redirect::to("/inbox"))
}
