//! What an SRE expects of any service: health checks, request logs,
//! security headers, and the static stylesheet.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::TraceLayer;
use tracing::{Span, field};

use crate::app::AppState;
use crate::db;
use crate::error::{Error, Result};

/// Health, metrics and the static files: no session, no cookie.
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/healthz", axum::routing::get(healthz))
        .route("/readyz", axum::routing::get(readyz))
        .route("/metrics", axum::routing::get(metrics_with_token))
        .route("/static/earshot.css", axum::routing::get(stylesheet))
        .route("/static/earshot.js", axum::routing::get(script))
}

/// The process is up.
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// The database answers queries and its file is still in place. (A search
/// index being rebuilt does not make Earshot unready: everything but
/// search works, and `/metrics` shows the index's state.)
pub async fn readyz(State(state): State<AppState>) -> Result<&'static str> {
    state.db.in_place()?;
    state.db.read(db::ping).await?;
    Ok("ready\n")
}

/// `/metrics` on the main address: only with the configured bearer token
/// (it counts sign-ins and survey answers per route); without a token
/// configured it is not served here at all (see `metrics_listen`).
pub async fn metrics_with_token(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Result<Response> {
    let Some(token) = &state.config.metrics_token else {
        return Err(Error::NotFound);
    };
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !crate::auth::constant_time_eq(sent.trim(), &token.0) {
        return Ok((
            axum::http::StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "send the metrics token as Authorization: Bearer <token>\n",
        )
            .into_response());
    }
    Ok(metrics(State(state)).await.into_response())
}

/// The separate metrics address: `/metrics` and nothing else, no token.
pub fn metrics_routes(state: AppState) -> axum::Router {
    axum::Router::new()
        .route("/metrics", axum::routing::get(metrics))
        .fallback(not_found)
        .layer(axum::middleware::from_fn(crate::error::render_errors))
        .with_state(state)
}

/// Prometheus metrics in the OpenMetrics text format.
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
}

pub async fn not_found() -> Error {
    Error::NotFound
}

const STYLESHEET: &str = include_str!("../views/earshot.css");

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
}

const SCRIPT: &str = include_str!("../views/earshot.js");

/// The little script pages may use; every page works without it.
pub async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        SCRIPT,
    )
}

type MakeSpan = fn(&Request<Body>) -> Span;
type OnResponse = fn(&Response, Duration, &Span);

/// One span per request with method, route template, status and latency.
/// The route template (`/feedback/{id}`), not the URI, is recorded: queries
/// and paths may carry tokens, and nothing identifying a person is logged.
pub fn request_trace()
-> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, MakeSpan, (), OnResponse> {
    TraceLayer::new_for_http()
        .make_span_with(request_span as MakeSpan)
        .on_request(())
        .on_response(log_response as OnResponse)
}

fn request_span(request: &Request<Body>) -> Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
        .unwrap_or("(unmatched)");
    tracing::info_span!(
        "request",
        method = %request.method(),
        route,
        status = field::Empty,
        latency_ms = field::Empty,
    )
}

fn log_response(response: &Response, latency: Duration, span: &Span) {
    span.record("status", response.status().as_u16());
    span.record("latency_ms", latency.as_secs_f64() * 1000.0);
    if response.status().is_server_error() {
        tracing::warn!("request failed");
    } else {
        tracing::debug!("request served");
    }
}

/// Headers that make pages harder to misuse: no caching of personal pages,
/// no sniffing, no framing, no scripts or styles from anywhere but Earshot.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let is_static = request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // Pages show what one person may see: never keep them in a cache (the
    // back button after signing out must not show the inbox again).
    if !is_static {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    // A handler may set a stricter policy of its own (the email preview).
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; form-action 'self'",
            ),
        );
    }
    response
}
