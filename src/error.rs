//! The one error type of the application.
//!
//! Handlers and the layers below return [`Error`]. Turning it into a
//! response happens in two steps: [`Error::into_response`] records the status
//! and stashes the error in the response's extensions, and the
//! [`render_errors`] middleware (one place for every route) logs server
//! faults and renders a JSON problem body (RFC 9457) for `/api/` or an HTML
//! page for people. Nobody ever sees a stack trace or SQL.

use std::sync::Arc;

use axum::extract::Request;
use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::domain::FieldErrors;
use crate::domain::id::NotAnId;
use crate::storage::StorageProblem;
use crate::views;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Also used when something exists but the viewer may not see it, so
    /// that existence does not leak.
    #[error("not found")]
    NotFound,
    #[error("sign in to continue")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(&'static str),
    #[error(
        "the form was not sent from this Earshot page or has expired; reload the page and try again"
    )]
    CsrfRejected,
    #[error("some fields need fixing")]
    Invalid(FieldErrors),
    /// A request the framework could not read: bad JSON, wrong content type, too large.
    #[error("{detail}")]
    Rejected { status: StatusCode, detail: String },
    #[error("{0}")]
    Conflict(String),
    #[error("Earshot is shutting down")]
    ShuttingDown,
    /// The data directory cannot take writes: the operator must act.
    #[error("{0}")]
    Storage(StorageProblem),
    /// The search index is being checked or rebuilt; try again shortly.
    #[error("{0}")]
    SearchUnavailable(String),
    #[error("database error")]
    Database(#[from] rusqlite::Error),
    #[error("{0}")]
    Internal(String),
}

impl Error {
    pub fn status(&self) -> StatusCode {
        match self {
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::Unauthenticated => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) | Error::CsrfRejected => StatusCode::FORBIDDEN,
            Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Rejected { status, .. } => *status,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::ShuttingDown | Error::Storage(_) | Error::SearchUnavailable(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Error::Database(error) if is_busy(error) || storage_problem(error).is_some() => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Error::Database(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the client may read: the message for client errors, a generic
    /// sentence for server faults.
    fn public_detail(&self) -> String {
        if self.status().is_server_error() {
            match self {
                Error::ShuttingDown | Error::Storage(_) | Error::SearchUnavailable(_) => {
                    self.to_string()
                }
                Error::Database(error) if storage_problem(error).is_some() => {
                    storage_problem(error)
                        .map(|problem| problem.to_string())
                        .unwrap_or_default()
                }
                _ => {
                    "something went wrong on our side; it has been logged, please try again".into()
                }
            }
        } else {
            self.to_string()
        }
    }

    /// Turns a field error into [`Error::Invalid`].
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Error {
        Error::Invalid(FieldErrors::one(field, message))
    }
}

/// What a SQLite error says about the disk, when it says something: a full
/// disk, a read-only file or an I/O error. (Whether the directory vanished
/// only the writer can tell, see `db::writer`.)
pub fn storage_problem(error: &rusqlite::Error) -> Option<StorageProblem> {
    match error.sqlite_error_code()? {
        rusqlite::ErrorCode::DiskFull => Some(StorageProblem::Full),
        rusqlite::ErrorCode::ReadOnly => Some(StorageProblem::ReadOnly),
        rusqlite::ErrorCode::SystemIoFailure => Some(StorageProblem::Failing),
        _ => None,
    }
}

fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

impl From<JsonRejection> for Error {
    fn from(rejection: JsonRejection) -> Self {
        Error::Rejected {
            status: rejection.status(),
            detail: rejection.body_text(),
        }
    }
}

impl From<FormRejection> for Error {
    fn from(rejection: FormRejection) -> Self {
        Error::Rejected {
            status: rejection.status(),
            detail: rejection.body_text(),
        }
    }
}

impl From<PathRejection> for Error {
    fn from(rejection: PathRejection) -> Self {
        match rejection {
            // An id that is not a number names nothing.
            PathRejection::FailedToDeserializePathParams(_) => Error::NotFound,
            other => Error::Internal(other.body_text()),
        }
    }
}

impl From<QueryRejection> for Error {
    fn from(rejection: QueryRejection) -> Self {
        Error::Rejected {
            status: rejection.status(),
            detail: rejection.body_text(),
        }
    }
}

/// A chosen id that is not one names nothing.
impl From<NotAnId> for Error {
    fn from(_: NotAnId) -> Self {
        Error::NotFound
    }
}

impl From<FieldErrors> for Error {
    fn from(errors: FieldErrors) -> Self {
        Error::Invalid(errors)
    }
}

/// Carries the error from `into_response` to [`render_errors`].
#[derive(Clone)]
struct ErrorExtension(Arc<Error>);

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        response
            .extensions_mut()
            .insert(ErrorExtension(Arc::new(self)));
        response
    }
}

/// Middleware: logs server faults once and renders every [`Error`] for its
/// audience. API paths get `application/problem+json`; pages get HTML, and
/// a person who is not signed in is sent to the login page.
pub async fn render_errors(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let wanted = request
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_else(|| "/".to_owned());
    let response = next.run(request).await;
    let Some(ErrorExtension(error)) = response.extensions().get::<ErrorExtension>().cloned() else {
        return response;
    };
    let status = error.status();
    if status.is_server_error() {
        tracing::error!(error = %error, cause = ?error, "request failed");
    }
    if is_api {
        return problem(&error);
    }
    if matches!(*error, Error::Unauthenticated) {
        return Redirect::to(&views::login_url(&wanted)).into_response();
    }
    let mut page = (
        status,
        views::error_page(status, &error.public_detail(), &error),
    )
        .into_response();
    keep_allow_header(&response, &mut page);
    add_retry_after(&error, &mut page);
    page
}

/// An RFC 9457 problem body: how every error under `/api/` is answered.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    kind: &'static str,
    /// The status's reason phrase.
    title: &'static str,
    status: u16,
    /// What went wrong, in a sentence meant for whoever fixes the call.
    detail: String,
    /// With 422: every field that needs fixing, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<FieldErrors>,
}

fn problem(error: &Error) -> Response {
    let status = error.status();
    let body = Problem {
        kind: "about:blank",
        title: status.canonical_reason().unwrap_or("Error"),
        status: status.as_u16(),
        detail: error.public_detail(),
        errors: match error {
            Error::Invalid(errors) => Some(errors.clone()),
            _ => None,
        },
    };
    let mut response = (status, axum::Json(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    add_retry_after(error, &mut response);
    response
}

/// Seconds a client should wait before asking again, for errors that pass.
const RETRY_AFTER_SECONDS: &str = "5";

fn add_retry_after(error: &Error, response: &mut Response) {
    if matches!(error, Error::SearchUnavailable(_) | Error::ShuttingDown) {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(RETRY_AFTER_SECONDS),
        );
    }
}

fn keep_allow_header(from: &Response, to: &mut Response) {
    if let Some(allow) = from.headers().get(header::ALLOW) {
        to.headers_mut().insert(header::ALLOW, allow.clone());
    }
}
