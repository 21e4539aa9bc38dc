//! "Sign in with `company`": the two ends of the OpenID Connect flow
//! (`crate::oidc` talks to the provider). The first sign-in creates the
//! person; later ones update their name, role and team from the groups
//! claim (`config.groups`). A changed role ends the person's other sessions.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::Deserialize;

use super::extract::Query;
use super::routes::Routes;
use super::sign_in::{SignInSource, record_provisioning, safe_next, start_session};
use crate::app::AppState;
use crate::auth::constant_time_eq;
use crate::db::{credentials, directory};
use crate::error::{Error, Result};

/// Binds a started sign-in to the browser that started it.
const STATE_COOKIE: &str = "earshot_oidc";

pub fn routes() -> Routes {
    Routes::default()
        .page("/auth/oidc/start", get(start))
        .page("/auth/oidc/callback", get(callback))
}

#[derive(Deserialize)]
struct StartQuery {
    #[serde(default)]
    next: String,
}

async fn start(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(query): Query<StartQuery>,
) -> Result<Response> {
    let provider = state.oidc.as_ref().ok_or(Error::NotFound)?;
    let started = provider
        .start(safe_next(&query.next).unwrap_or("/"))
        .await?;
    let cookie = Cookie::build((STATE_COOKIE, started.state))
        .http_only(true)
        // Lax: the provider sends the browser back with a top-level GET.
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies)
        .path("/auth/oidc")
        .build();
    Ok((jar.add(cookie), Redirect::to(&started.authorize_url)).into_response())
}

#[derive(Deserialize)]
struct CallbackQuery {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    error: String,
}

async fn callback(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(query): Query<CallbackQuery>,
) -> Result<Response> {
    let provider = state.oidc.as_ref().ok_or(Error::NotFound)?;
    let refused = |detail: &str| Error::Rejected {
        status: axum::http::StatusCode::FORBIDDEN,
        detail: detail.to_owned(),
    };
    if !query.error.is_empty() {
        return Err(refused(
            "the company sign-in did not sign you in; start again from the sign-in page",
        ));
    }
    let bound = jar
        .get(STATE_COOKIE)
        .map(|cookie| cookie.value().to_owned())
        .unwrap_or_default();
    if query.state.is_empty() || !constant_time_eq(&bound, &query.state) {
        tracing::warn!("an OpenID sign-in came back with a state this browser did not start");
        return Err(refused(
            "this sign-in was not started in this browser; start again from the sign-in page",
        ));
    }
    let finished = provider.finish(&query.state, &query.code).await?;
    let now = state.clock.now();
    let mapping = state.config.groups.clone();
    let identity = finished.identity;
    let provisioned = state
        .db
        .write(move |connection| {
            let Some(provisioned) = directory::provision(connection, &identity, &mapping, now)?
            else {
                return Ok(None);
            };
            let sign_in = SignInSource {
                first: "first OpenID Connect sign-in",
                groups: "groups from OpenID Connect",
            };
            record_provisioning(connection, &provisioned, &sign_in, now)?;
            if provisioned.previous_role.is_some() {
                // Sessions started under the old role end with it.
                credentials::end_sessions(connection, provisioned.user.id)?;
            }
            Ok(Some(provisioned.user))
        })
        .await?;
    let Some(user) = provisioned else {
        return Err(Error::Forbidden(
            "This account has been deactivated; ask an admin.",
        ));
    };
    let jar = jar.remove(Cookie::build(STATE_COOKIE).path("/auth/oidc"));
    let jar = start_session(&state, jar, &user, "oidc").await?;
    let next = safe_next(&finished.next).unwrap_or("/").to_owned();
    Ok((jar, Redirect::to(&next)).into_response())
}
