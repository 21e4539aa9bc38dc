//! Who is asking, and whether a form really came from Earshot.
//!
//! - [`Viewer`] is the signed-in person, from an `Authorization: Bearer`
//!   API token, the SSO proxy's identity headers (`web::proxy`) or the
//!   session cookie. Sessions end after `session_idle` unused and at
//!   `session_lifetime` at the latest; tokens at their expiry; both at once
//!   when the person is deactivated. A missing or expired session is
//!   [`Error::Unauthenticated`]: a redirect to the login page for people, a
//!   401 problem for API clients.
//! - CSRF: every page gets a random `earshot_csrf` cookie (HttpOnly,
//!   SameSite=Lax) from [`csrf_cookie`]; every form repeats it in a hidden
//!   `csrf` field, checked by [`VerifiedForm`]. API calls that ride on the
//!   session cookie must repeat it in an `X-CSRF-Token` header; calls with a
//!   bearer token need nothing, as no browser sends those by itself.

use axum::extract::{FromRequest, FromRequestParts, OptionalFromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use bytes::Bytes;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::app::AppState;
use crate::auth::{constant_time_eq, hash_token, new_token};
use crate::db::credentials;
use crate::domain::people::User;
use crate::error::{Error, Result};

pub const SESSION_COOKIE: &str = "earshot_session";
pub const CSRF_COOKIE: &str = "earshot_csrf";

/// How the viewer proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    Session,
    ApiToken,
    /// Identity headers from the trusted SSO proxy (sent by the browser's
    /// requests, so treated like a session for CSRF).
    Proxy,
}

/// The signed-in person making the request.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: User,
    pub credential: Credential,
}

impl Viewer {
    pub fn is_platform_team(&self) -> bool {
        self.user.role.is_platform_team()
    }

    pub fn is_admin(&self) -> bool {
        self.user.role == crate::domain::Role::Admin
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Viewer> {
        if let Some(viewer) = parts.extensions.get::<Viewer>() {
            return Ok(viewer.clone());
        }
        let viewer = authenticate(parts, state)
            .await?
            .ok_or(Error::Unauthenticated)?;
        let is_unsafe = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if viewer.credential != Credential::ApiToken
            && is_unsafe
            && parts.uri.path().starts_with("/api/")
        {
            let header = parts
                .headers
                .get("x-csrf-token")
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default();
            let cookie = CookieJar::from_headers(&parts.headers);
            let expected = cookie
                .get(CSRF_COOKIE)
                .map(Cookie::value)
                .unwrap_or_default();
            if expected.is_empty() || !constant_time_eq(header, expected) {
                return Err(Error::CsrfRejected);
            }
        }
        parts.extensions.insert(viewer.clone());
        Ok(viewer)
    }
}

impl OptionalFromRequestParts<AppState> for Viewer {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Viewer>> {
        match <Viewer as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(viewer) => Ok(Some(viewer)),
            Err(Error::Unauthenticated) => Ok(None),
            Err(error) => Err(error),
        }
    }
}

async fn authenticate(parts: &Parts, state: &AppState) -> Result<Option<Viewer>> {
    let now = state.clock.now();
    if let Some(authorization) = parts.headers.get(AUTHORIZATION) {
        let token = authorization
            .to_str()
            .ok()
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(Error::Unauthenticated)?;
        let token_hash = hash_token(token);
        let live = state
            .db
            .read(move |connection| credentials::user_by_api_token(connection, &token_hash, now))
            .await?;
        let Some(live) = live else { return Ok(None) };
        // "Last used" to the minute is enough, and spares a write per call.
        if live
            .last_used_at
            .is_none_or(|last| now - last > chrono::Duration::minutes(1))
        {
            let token_id = live.token_id;
            state
                .db
                .write(move |connection| credentials::mark_token_used(connection, token_id, now))
                .await?;
        }
        return Ok(Some(Viewer {
            user: live.user,
            credential: Credential::ApiToken,
        }));
    }
    if let Some(viewer) = super::proxy::identify(parts, state).await? {
        return Ok(Some(viewer));
    }
    let jar = CookieJar::from_headers(&parts.headers);
    let Some(session) = jar.get(SESSION_COOKIE) else {
        return Ok(None);
    };
    let token_hash = hash_token(session.value());
    let lookup = token_hash.clone();
    let live = state
        .db
        .read(move |connection| credentials::user_by_session(connection, &lookup, now))
        .await?;
    let Some(live) = live else { return Ok(None) };
    let idle = state.config.session_idle;
    // Moving the idle end once a minute is enough, and spares a write per page.
    if live.idle_expires_at - now < idle - chrono::Duration::minutes(1) {
        state
            .db
            .write(move |connection| {
                credentials::touch_session(connection, &token_hash, now + idle)
            })
            .await?;
    }
    Ok(Some(Viewer {
        user: live.user,
        credential: Credential::Session,
    }))
}

/// The CSRF token of this browser, for the hidden field of every form.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

/// Middleware for pages: makes sure the browser has a CSRF cookie and puts
/// its value in the request for views to embed.
pub async fn csrf_cookie(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let jar = CookieJar::from_headers(request.headers());
    let existing = jar
        .get(CSRF_COOKIE)
        .map(|cookie| cookie.value().to_owned())
        .filter(|value| value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()));
    let (token, fresh) = match existing {
        Some(token) => (token, false),
        None => (new_token(""), true),
    };
    request.extensions_mut().insert(CsrfToken(token.clone()));
    let mut response = next.run(request).await;
    if fresh {
        let cookie = build_cookie(CSRF_COOKIE, token, state.config.secure_cookies);
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<CsrfToken> {
        parts
            .extensions
            .get::<CsrfToken>()
            .cloned()
            .ok_or_else(|| Error::Internal("the CSRF middleware did not run for this route".into()))
    }
}

/// A cookie with Earshot's settings: HttpOnly, SameSite=Lax, whole site,
/// Secure when configured.
pub fn build_cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .build()
}

/// A form body whose hidden `csrf` field matches the browser's CSRF cookie.
/// Anything else is refused with 403 before the handler runs.
pub struct VerifiedForm<T>(pub T);

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned> FromRequest<AppState> for VerifiedForm<T> {
    type Rejection = Error;

    async fn from_request(request: Request, state: &AppState) -> Result<VerifiedForm<T>> {
        let expected = request
            .extensions()
            .get::<CsrfToken>()
            .cloned()
            .ok_or_else(|| {
                Error::Internal("the CSRF middleware did not run for this route".into())
            })?;
        let is_form = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(Error::Rejected {
                status: axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                detail: "send this form as application/x-www-form-urlencoded".into(),
            });
        }
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| Error::Rejected {
                status: rejection.status(),
                detail: rejection.body_text(),
            })?;
        let sent: CsrfField =
            serde_html_form::from_bytes(&body).map_err(|_| Error::CsrfRejected)?;
        if sent.csrf.is_empty() || !constant_time_eq(&sent.csrf, &expected.0) {
            return Err(Error::CsrfRejected);
        }
        let form = serde_html_form::from_bytes(&body).map_err(|error| Error::Rejected {
            status: axum::http::StatusCode::BAD_REQUEST,
            detail: format!("the form could not be read: {error}"),
        })?;
        Ok(VerifiedForm(form))
    }
}
