//! Feedback through the JSON API: give it, read it, list it, delete it.
//!
//! Access: contributors read only their own non-anonymous feedback (anything
//! else is 404, so existence does not leak); the platform team reads all,
//! with authorship and internal notes.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::access::{PlatformTeam, SignedIn};
use super::api::{ApiJson, Page, created, paging};
use super::auth::Viewer;
use super::extract::{Path, Query};
use super::request::{self, Field, Problems};
use crate::app::AppState;
use crate::db::feedback as stored;
use crate::domain::Id;
use crate::domain::feedback::{Feedback, FeedbackFilter, Note};
use crate::domain::{FeedbackDraft, FeedbackKind, FeedbackStatus, FieldErrors, NewFeedback};
use crate::error::{Error, Result};

/// `POST /api/v1/feedback`: what a person or a bot says about a service.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    /// The service's slug.
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    service: Field<String>,
    #[serde(default)]
    #[schema(value_type = FeedbackKind, required = true)]
    kind: Field<String>,
    /// Satisfaction, 1 to 5.
    #[serde(default)]
    #[schema(value_type = Option<u8>, minimum = 1, maximum = 5)]
    rating: Field<i64>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 200)]
    title: Field<String>,
    /// What they say, up to 10,000 characters.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 10000)]
    body: Field<String>,
    /// Stores no author: nobody, not even the team, can tell who wrote it.
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    anonymous: Field<bool>,
    /// Whether the team may reach out about it.
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    contact_ok: Field<bool>,
}

/// Feedback as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FeedbackJson {
    id: i64,
    url: String,
    service: String,
    kind: FeedbackKind,
    rating: Option<u8>,
    title: Option<String>,
    body: String,
    anonymous: bool,
    status: FeedbackStatus,
    tags: Vec<String>,
    /// Present only when the viewer may know who wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<AuthorJson>,
    contact_ok: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    /// Present only for the platform team.
    #[serde(skip_serializing_if = "Option::is_none")]
    internal_notes: Option<Vec<NoteJson>>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct AuthorJson {
    name: String,
    email: String,
    team: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct NoteJson {
    author: String,
    body: String,
    created_at: DateTime<Utc>,
}

impl FeedbackJson {
    fn new(item: Feedback, notes: Option<Vec<Note>>) -> FeedbackJson {
        FeedbackJson {
            id: item.id,
            url: format!("/feedback/{}", item.id),
            anonymous: item.is_anonymous(),
            service: item.service_slug,
            kind: item.kind,
            rating: item.rating,
            title: item.title,
            body: item.body,
            status: item.status,
            tags: item.tags,
            author: item.author.map(|author| AuthorJson {
                name: author.name,
                email: author.email,
                team: author.team,
            }),
            contact_ok: item.contact_ok,
            created_at: item.created_at,
            updated_at: item.updated_at,
            internal_notes: notes.map(|notes| {
                notes
                    .into_iter()
                    .map(|note| NoteJson {
                        author: note.author_name,
                        body: note.body,
                        created_at: note.created_at,
                    })
                    .collect()
            }),
        }
    }
}

/// Whether `viewer` may see `item` at all.
fn may_read(viewer: &Viewer, item: &Feedback) -> bool {
    viewer.is_platform_team()
        || item
            .author
            .as_ref()
            .is_some_and(|author| author.id == viewer.user.id)
}

#[utoipa::path(
    post,
    path = "/api/v1/feedback",
    operation_id = "create_feedback",
    tag = "feedback",
    request_body = FeedbackRequest,
    responses((status = 201, description = "The stored feedback", body = FeedbackJson, headers(("Location" = String, description = "Where it lives"))))
)]
pub async fn create_feedback(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response> {
    let now = state.clock.now();
    let body: FeedbackRequest = request::read(body)?;
    let mut problems = Problems::default();
    let draft = FeedbackDraft {
        service: body.service.text("service", &mut problems),
        kind: body.kind.text("kind", &mut problems),
        rating: body
            .rating
            .value(
                "rating",
                "must be a whole number from 1 to 5, or null",
                &mut problems,
            )
            .map(|rating| rating.to_string())
            .unwrap_or_default(),
        title: body.title.text("title", &mut problems),
        body: body.body.text("body", &mut problems),
        anonymous: body.anonymous.flag("anonymous", &mut problems),
        contact_ok: body.contact_ok.flag("contact_ok", &mut problems),
    };
    problems.check()?;
    let feedback = NewFeedback::parse(&draft)?;
    let author_id = viewer.user.id;
    let item = state
        .db
        .write(move |connection| {
            let id = stored::insert_feedback(connection, &feedback, Some(author_id), now)?;
            stored::feedback_by_id(connection, id)?.ok_or_else(|| {
                Error::Internal("feedback vanished right after it was stored".into())
            })
        })
        .await?;
    let location = format!("/api/v1/feedback/{}", item.id);
    Ok(created(location, FeedbackJson::new(item, None)))
}

#[utoipa::path(
    get,
    path = "/api/v1/feedback/{id}",
    operation_id = "get_feedback",
    tag = "feedback",
    params(("id" = i64, Path, description = "The feedback's id")),
    responses((status = 200, description = "One item", body = FeedbackJson))
)]
pub async fn get_feedback(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path(id): Path<Id<Feedback>>,
) -> Result<Json<FeedbackJson>> {
    let id = id.get();
    let with_notes = viewer.is_platform_team();
    let (item, notes) = state
        .db
        .read(move |connection| {
            let item = stored::feedback_by_id(connection, id)?.ok_or(Error::NotFound)?;
            let notes = if with_notes {
                Some(stored::notes(connection, id)?)
            } else {
                None
            };
            Ok((item, notes))
        })
        .await?;
    if !may_read(&viewer, &item) {
        return Err(Error::NotFound);
    }
    Ok(Json(FeedbackJson::new(item, notes)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteQuery {
    /// Must be `yes`: deleting cannot be undone.
    #[serde(default)]
    confirm: Option<String>,
}

/// `DELETE /api/v1/feedback/{id}` (platform team): an item that is
/// evidence for pain points is deleted only with `?confirm=true`; without
/// it the answer is 409, naming them.
#[utoipa::path(
    delete,
    path = "/api/v1/feedback/{id}",
    operation_id = "delete_feedback",
    tag = "feedback",
    params(("id" = i64, Path, description = "The feedback's id"), DeleteQuery),
    responses((status = 204, description = "Deleted"))
)]
pub async fn delete_feedback(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    Path(id): Path<Id<Feedback>>,
    Query(query): Query<DeleteQuery>,
) -> Result<StatusCode> {
    let id = id.get();
    let confirmed = query.confirm.as_deref() == Some("true");
    state
        .db
        .write(move |connection| {
            let evidence_for = stored::evidence_for(connection, id)?;
            if !evidence_for.is_empty() && !confirmed {
                let named: Vec<String> = evidence_for
                    .iter()
                    .map(|(id, title)| format!("#{id} {title:?}"))
                    .collect();
                return Err(Error::Conflict(format!(
                    "this feedback is evidence for pain points {}; send ?confirm=true to delete it anyway",
                    named.join(", ")
                )));
            }
            if stored::delete_feedback(connection, id)? {
                Ok(())
            } else {
                Err(Error::NotFound)
            }
        })
        .await?;
    super::audit::record(
        &state,
        &viewer,
        crate::domain::audit::AuditAction::Deleted,
        format!("feedback:{id}"),
        if confirmed {
            "confirmed although it was evidence".into()
        } else {
            String::new()
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only feedback on this service (its slug).
    service: Option<String>,
    /// Only feedback of this kind.
    #[param(value_type = Option<FeedbackKind>)]
    kind: Option<String>,
    /// Only feedback with this status.
    #[param(value_type = Option<FeedbackStatus>)]
    status: Option<String>,
    /// How many to answer, 1 to 100 (25 when absent).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// How many to skip.
    #[param(value_type = Option<u32>, minimum = 0)]
    offset: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/feedback",
    operation_id = "list_feedback",
    tag = "feedback",
    params(ListQuery),
    responses((status = 200, description = "Feedback the caller may read, newest first", body = Page<FeedbackJson>))
)]
pub async fn list_feedback(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Query(query): Query<ListQuery>,
) -> Result<Json<Page<FeedbackJson>>> {
    let mut errors = FieldErrors::default();
    let kind = query.kind.as_deref().and_then(|raw| {
        FeedbackKind::parse_as("kind", raw)
            .map_err(|problem| errors.extend(problem))
            .ok()
    });
    let status = query.status.as_deref().and_then(|raw| {
        FeedbackStatus::parse_as("status", raw)
            .map_err(|problem| errors.extend(problem))
            .ok()
    });
    let (limit, offset) = paging(query.limit.as_deref(), query.offset.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let filter = FeedbackFilter {
        service: query.service.filter(|slug| !slug.is_empty()),
        kind,
        status,
        author_id: (!viewer.is_platform_team()).then_some(viewer.user.id),
        ..FeedbackFilter::default()
    };
    let (items, total) = state
        .db
        .read(move |connection| stored::list_feedback(connection, &filter, limit, offset))
        .await?;
    let items: Vec<FeedbackJson> = items
        .into_iter()
        .map(|item| FeedbackJson::new(item, None))
        .collect();
    Ok(Json(Page {
        total,
        limit,
        offset,
        items,
    }))
}
