//! Signing in with a local password, and signing out.
//!
//! A sign-in is refused with 429 and `Retry-After` while its account or
//! client address is throttled (`web::throttle`), before any password is
//! checked; checks run on the bounded `auth::PasswordPool`. Every sign-in
//! (local, OpenID Connect or a reset link) starts a new session through
//! [`start_session`], which ends the browser's previous session and gives it
//! a new CSRF cookie, so a token planted before sign-in is worth nothing after.
//! Single sign-on (OpenID Connect, an SSO proxy) records the people and role
//! changes it brings through [`record_provisioning`].

use std::time::Instant;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::access::ClientAddress;
use super::auth::{CSRF_COOKIE, CsrfToken, SESSION_COOKIE, VerifiedForm, build_cookie};
use super::extract::Query;
use super::routes::Routes;
use crate::app::AppState;
use crate::auth::{hash_token, new_token, verify_password, verify_password_against_nothing};
use crate::db::Connection;
use crate::db::audit;
use crate::db::credentials::{self, SessionLifetime};
use crate::db::directory::Provisioned;
use crate::db::people;
use crate::domain::Email;
use crate::domain::audit::AuditAction;
use crate::domain::people::User;
use crate::error::{Error, Result};
use crate::views::login::{LoginPage, login_page};
use crate::views::{self, Chrome};

pub fn routes() -> Routes {
    Routes::default()
        .page("/login", get(login_form).post(login))
        .page("/logout", post(logout))
}

#[derive(Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
}

/// What the sign-in page offers, from the configuration.
pub fn page<'a>(state: &'a AppState, email: &'a str, next: &'a str) -> LoginPage<'a> {
    LoginPage {
        email,
        next: safe_next(next),
        problem: None,
        local_accounts: state.config.local_accounts,
        oidc_label: state.config.oidc.as_ref().map(|oidc| oidc.label.as_str()),
    }
}

async fn login_form(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<LoginQuery>,
) -> maud::Markup {
    let chrome = Chrome {
        viewer: None,
        csrf: &csrf,
    };
    login_page(&chrome, &page(&state, "", &query.next))
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

const NO_MATCH: &str = "That email and password do not match an account. Check both and try again.";

async fn login(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    ClientAddress(address): ClientAddress,
    jar: CookieJar,
    VerifiedForm(form): VerifiedForm<LoginForm>,
) -> Result<Response> {
    if !state.config.local_accounts {
        return Err(Error::Forbidden(
            "Signing in with a password is switched off here; use your company sign-in.",
        ));
    }
    let refuse = |status: StatusCode, problem: String| {
        let chrome = Chrome {
            viewer: None,
            csrf: &csrf,
        };
        let mut page = page(&state, &form.email, &form.next);
        page.problem = Some(problem);
        (status, login_page(&chrome, &page)).into_response()
    };
    let account = form.email.trim().to_lowercase();
    if let Err(wait) = state.throttle.attempt(&account, address, Instant::now()) {
        let seconds = wait.as_secs().max(1);
        tracing::info!("a sign-in was throttled");
        let mut response = refuse(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many failed sign-ins for this account or from this network. Try again in {} minutes.",
                seconds.div_ceil(60)
            ),
        );
        if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return Ok(response);
    }
    let candidate = match Email::parse(&form.email) {
        Ok(email) => {
            state
                .db
                .read(move |connection| people::login_candidate(connection, &email))
                .await?
        }
        Err(_) => None,
    };
    let password = form.password.clone();
    let user = state
        .passwords
        .run(move || match candidate {
            Some((user, hash)) if verify_password(&password, &hash) => Some(user),
            Some(_) => None,
            None => {
                verify_password_against_nothing(&password);
                None
            }
        })
        .await?;
    let Some(user) = user else {
        tracing::info!("a sign-in failed");
        return Ok(refuse(StatusCode::UNAUTHORIZED, NO_MATCH.to_owned()));
    };
    state.throttle.succeeded(&account, address);
    let jar = start_session(&state, jar, &user, "password").await?;
    Ok((jar, Redirect::to(safe_next(&form.next).unwrap_or("/"))).into_response())
}

/// `next` if it is a path on this site that is safe to redirect to.
/// How a sign-in through a single sign-on source is named in the audit log.
pub struct SignInSource {
    /// The detail of the entry for a person created by their first sign-in.
    pub first: &'static str,
    /// Where a role change came from, after "old to new".
    pub groups: &'static str,
}

/// Records in the audit log what a single sign-on sign-in changed: a
/// person created, or a role their groups moved.
pub fn record_provisioning(
    connection: &Connection,
    provisioned: &Provisioned,
    source: &SignInSource,
    now: DateTime<Utc>,
) -> Result<()> {
    let user = &provisioned.user;
    let actor = audit::Actor::person(user.id, &user.email);
    let subject = format!("person:{}", user.id);
    if provisioned.created {
        audit::record(
            connection,
            &actor,
            AuditAction::PersonCreated,
            &subject,
            source.first,
            now,
        )?;
    }
    if let Some(previous) = provisioned.previous_role {
        let detail = format!("{previous} to {} ({})", user.role, source.groups);
        audit::record(
            connection,
            &actor,
            AuditAction::RoleChanged,
            &subject,
            &detail,
            now,
        )?;
    }
    Ok(())
}

pub fn safe_next(next: &str) -> Option<&str> {
    views::is_local_path(next).then_some(next)
}

/// Starts a new session for `user` in this browser: ends the browser's
/// previous session, sets a new session cookie and a new CSRF cookie, and
/// records the sign-in (`how`: password, oidc, reset link).
pub async fn start_session(
    state: &AppState,
    jar: CookieJar,
    user: &User,
    how: &'static str,
) -> Result<CookieJar> {
    let previous = jar
        .get(SESSION_COOKIE)
        .map(|cookie| hash_token(cookie.value()));
    let token = new_token("");
    let token_hash = hash_token(&token);
    let now = state.clock.now();
    let lifetime = SessionLifetime {
        idle: state.config.session_idle,
        absolute: state.config.session_lifetime,
    };
    let actor = audit::Actor::person(user.id, &user.email);
    let user_id = user.id;
    state
        .db
        .write(move |connection| {
            if let Some(previous) = previous {
                credentials::delete_session(connection, &previous)?;
            }
            credentials::insert_session(connection, &token_hash, user_id, now, lifetime)?;
            audit::record(
                connection,
                &actor,
                AuditAction::SignIn,
                &format!("person:{user_id}"),
                how,
                now,
            )
        })
        .await?;
    tracing::info!(user_id, how, "signed in");
    let secure = state.config.secure_cookies;
    Ok(jar
        .add(build_cookie(SESSION_COOKIE, token, secure))
        .add(build_cookie(CSRF_COOKIE, new_token(""), secure)))
}

#[derive(Deserialize)]
pub struct EmptyForm {}

async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    VerifiedForm(EmptyForm {}): VerifiedForm<EmptyForm>,
) -> Result<(CookieJar, Redirect)> {
    if let Some(session) = jar.get(SESSION_COOKIE) {
        let token_hash = hash_token(session.value());
        state
            .db
            .write(move |connection| credentials::delete_session(connection, &token_hash))
            .await?;
    }
    Ok((end_browser_session(&state, jar), Redirect::to("/login")))
}

/// Forgets the session cookie and gives the browser a new CSRF token.
pub fn end_browser_session(state: &AppState, jar: CookieJar) -> CookieJar {
    jar.remove(Cookie::build(SESSION_COOKIE).path("/"))
        .add(build_cookie(
            CSRF_COOKIE,
            new_token(""),
            state.config.secure_cookies,
        ))
}
