//! The front door: home, signing in and out.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use serde::Deserialize;

use super::auth::{CsrfToken, SESSION_COOKIE, VerifiedForm, Viewer, build_cookie};
use crate::app::AppState;
use crate::auth::{hash_token, new_token, verify_password, verify_password_against_nothing};
use crate::db::people;
use crate::domain::Email;
use crate::error::{Error, Result};
use crate::views::{self, Chrome};

/// Sends each person where they start their work.
pub async fn home(viewer: Option<Viewer>) -> Redirect {
    match viewer {
        None => Redirect::to("/login"),
        Some(viewer) if viewer.is_platform_team() => Redirect::to("/dashboard"),
        Some(_) => Redirect::to("/feedback/new"),
    }
}

#[derive(Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
}

pub async fn login_form(
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<LoginQuery>,
) -> maud::Markup {
    let chrome = Chrome {
        viewer: None,
        csrf: &csrf,
    };
    views::login::login_page(&chrome, "", &query.next, false)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn login(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    jar: CookieJar,
    VerifiedForm(form): VerifiedForm<LoginForm>,
) -> Result<Response> {
    let now = state.clock.now();
    let failed = || {
        let chrome = Chrome {
            viewer: None,
            csrf: &csrf,
        };
        (
            StatusCode::UNAUTHORIZED,
            views::login::login_page(&chrome, &form.email, &form.next, true),
        )
            .into_response()
    };
    let Ok(email) = Email::parse(&form.email) else {
        return Ok(failed());
    };
    let candidate = state
        .db
        .read(move |connection| people::login_candidate(connection, &email))
        .await?;
    let password = form.password.clone();
    let user = tokio::task::spawn_blocking(move || match candidate {
        Some((user, hash)) if verify_password(&password, &hash) => Some(user),
        Some(_) => None,
        None => {
            verify_password_against_nothing(&password);
            None
        }
    })
    .await
    .map_err(|error| Error::Internal(format!("checking a password failed: {error}")))?;
    let Some(user) = user else {
        tracing::info!("a sign-in failed");
        return Ok(failed());
    };
    let token = new_token("");
    let token_hash = hash_token(&token);
    let expires_at = now + state.config.session_lifetime;
    let user_id = user.id;
    state
        .db
        .write(move |connection| {
            people::insert_session(connection, &token_hash, user_id, now, expires_at)
        })
        .await?;
    tracing::info!(user_id, "signed in");
    let jar = jar.add(build_cookie(
        SESSION_COOKIE,
        token,
        state.config.secure_cookies,
    ));
    let destination = if views::is_local_path(&form.next) {
        form.next.as_str()
    } else {
        "/"
    };
    Ok((jar, Redirect::to(destination)).into_response())
}

#[derive(Deserialize)]
pub struct EmptyForm {}

pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    VerifiedForm(EmptyForm {}): VerifiedForm<EmptyForm>,
) -> Result<(CookieJar, Redirect)> {
    if let Some(session) = jar.get(SESSION_COOKIE) {
        let token_hash = hash_token(session.value());
        state
            .db
            .write(move |connection| people::delete_session(connection, &token_hash))
            .await?;
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok((jar, Redirect::to("/login")))
}
