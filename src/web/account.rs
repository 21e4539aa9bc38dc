//! A person's own account: their password, their API tokens, signing out
//! everywhere. Reset links are in `web::password_reset`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{delete, get, post};
use axum_extra::extract::cookie::CookieJar;
use serde::{Deserialize, Serialize};

use super::access::SignedIn;
use super::auth::{CsrfToken, VerifiedForm};
use super::extract::{Path, Query};
use super::routes::Routes;
use super::sign_in::{end_browser_session, start_session};
use crate::app::AppState;
use crate::auth::{hash_password, hash_token, new_token, verify_password};
use crate::db::audit::{self, Actor};
use crate::db::credentials::{self, NewApiToken};
use crate::domain::FieldErrors;
use crate::domain::Id;
use crate::domain::audit::AuditAction;
use crate::domain::password::Password;
use crate::domain::people::ApiTokenInfo;
use crate::domain::text::single_line;
use crate::error::{Error, Result};
use crate::views::Chrome;
use crate::views::account::{self as page, AccountPage, NewToken};

/// One's own account and API tokens, for everyone signed in.
pub fn routes() -> Routes {
    Routes::default()
        .page("/account", get(account_page))
        .page("/account/password", post(change_password))
        .page("/account/tokens", post(create_token_form))
        .page("/account/tokens/{id}/revoke", post(revoke_token_form))
        .page("/account/sign-out-everywhere", post(sign_out_everywhere))
        .api(
            "/api/v1/tokens",
            get(list_tokens_api).post(create_token_api),
        )
        .api("/api/v1/tokens/{id}", delete(revoke_token_api))
}

async fn render(
    state: &AppState,
    viewer: &super::auth::Viewer,
    csrf: &str,
    errors: FieldErrors,
    new_token: Option<NewToken>,
    notice: Option<&str>,
) -> Result<Response> {
    let user_id = viewer.user.id;
    let (tokens, has_password) = state
        .db
        .read(move |connection| {
            Ok((
                credentials::list_api_tokens(connection, Some(user_id))?,
                credentials::password_hash(connection, user_id)?.is_some(),
            ))
        })
        .await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf,
    };
    let status = super::form_status(&errors);
    let markup = page::account_page(
        &chrome,
        &AccountPage {
            tokens: &tokens,
            can_change_password: has_password && state.config.local_accounts,
            errors: &errors,
            new_token,
            notice,
            now: state.clock.now(),
        },
    );
    Ok((status, markup).into_response())
}

#[derive(Deserialize)]
struct ChangedQuery {
    #[serde(default)]
    changed: String,
}

async fn account_page(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    SignedIn(viewer): SignedIn,
    Query(query): Query<ChangedQuery>,
) -> Result<Response> {
    let notice = (query.changed == "password")
        .then_some("Your password was changed; you were signed out everywhere else.");
    render(&state, &viewer, &csrf, FieldErrors::default(), None, notice).await
}

#[derive(Deserialize)]
pub(super) struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    pub(super) new: String,
    #[serde(default)]
    pub(super) confirm: String,
}

/// The new password, checked against the policy and its confirmation.
pub(super) fn new_password(new: &str, confirm: &str) -> std::result::Result<Password, FieldErrors> {
    let password = Password::parse(new).map_err(|message| FieldErrors::one("new", message))?;
    if new != confirm {
        return Err(FieldErrors::one(
            "confirm",
            "does not match the new password",
        ));
    }
    Ok(password)
}

async fn change_password(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    SignedIn(viewer): SignedIn,
    jar: CookieJar,
    VerifiedForm(form): VerifiedForm<PasswordForm>,
) -> Result<Response> {
    if !state.config.local_accounts {
        return Err(Error::NotFound);
    }
    let user_id = viewer.user.id;
    let stored = state
        .db
        .read(move |connection| credentials::password_hash(connection, user_id))
        .await?
        .ok_or(Error::NotFound)?;
    let password = match new_password(&form.new, &form.confirm) {
        Ok(password) => password,
        Err(errors) => return render(&state, &viewer, &csrf, errors, None, None).await,
    };
    let current = form.current.clone();
    let new = password.as_str().to_owned();
    let hash = state
        .passwords
        .run(move || {
            verify_password(&current, &stored)
                .then(|| hash_password(&new))
                .transpose()
        })
        .await??;
    let Some(hash) = hash else {
        let errors = FieldErrors::one("current", "is not your current password");
        return render(&state, &viewer, &csrf, errors, None, None).await;
    };
    let now = state.clock.now();
    let actor = Actor::person(user_id, &viewer.user.email);
    state
        .db
        .write(move |connection| {
            credentials::set_password_hash(connection, user_id, &hash)?;
            // Whoever knew the old password is signed out everywhere.
            credentials::end_sessions(connection, user_id)?;
            audit::record(
                connection,
                &actor,
                AuditAction::PasswordChanged,
                &format!("person:{user_id}"),
                "",
                now,
            )
        })
        .await?;
    let jar = start_session(&state, jar, &viewer.user, "password change").await?;
    Ok((jar, Redirect::to("/account?changed=password")).into_response())
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    label: String,
    /// Days until it expires; empty: never.
    #[serde(default)]
    expires_in_days: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
struct TokenJson {
    #[serde(default)]
    label: String,
    expires_in_days: Option<u32>,
}

/// A checked label and expiry for a new token.
fn token_request(
    label: &str,
    days: Option<&str>,
) -> std::result::Result<(String, Option<i64>), FieldErrors> {
    let mut errors = FieldErrors::default();
    let label = single_line(label, 100)
        .map_err(|message| errors.add("label", message))
        .ok();
    let days = match days.map(str::trim).filter(|days| !days.is_empty()) {
        None => None,
        Some(days) => match days.parse::<i64>() {
            Ok(days) if (1..=730).contains(&days) => Some(days),
            _ => {
                errors.add(
                    "expires_in_days",
                    "must be a number of days from 1 to 730, or empty for never",
                );
                None
            }
        },
    };
    errors.into_result(|| (label.unwrap_or_default(), days))
}

/// Stores a new token for `viewer` and returns it (shown once).
async fn create_token(
    state: &AppState,
    viewer: &super::auth::Viewer,
    label: String,
    days: Option<i64>,
) -> Result<(String, ApiTokenInfo)> {
    let token = new_token("esk_");
    let token_hash = hash_token(&token);
    let now = state.clock.now();
    let expires_at = days.map(|days| now + chrono::Duration::days(days));
    let user_id = viewer.user.id;
    let actor = Actor::person(user_id, &viewer.user.email);
    let info = state
        .db
        .write(move |connection| {
            let id = credentials::insert_api_token(
                connection,
                &NewApiToken {
                    user_id,
                    token_hash: &token_hash,
                    label: &label,
                    expires_at,
                },
                now,
            )?;
            audit::record(
                connection,
                &actor,
                AuditAction::TokenCreated,
                &format!("token:{id}"),
                &label,
                now,
            )?;
            credentials::api_token(connection, id)?
                .ok_or_else(|| Error::Internal("a new token vanished".into()))
        })
        .await?;
    Ok((token, info))
}

async fn create_token_form(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    SignedIn(viewer): SignedIn,
    VerifiedForm(form): VerifiedForm<TokenForm>,
) -> Result<Response> {
    let (label, days) = match token_request(&form.label, Some(&form.expires_in_days)) {
        Ok(request) => request,
        Err(errors) => return render(&state, &viewer, &csrf, errors, None, None).await,
    };
    let (token, info) = create_token(&state, &viewer, label, days).await?;
    let shown = NewToken {
        label: info.label,
        token,
    };
    render(
        &state,
        &viewer,
        &csrf,
        FieldErrors::default(),
        Some(shown),
        None,
    )
    .await
}

/// Revokes token `id` if `viewer` owns it or is an admin; anyone else
/// learns nothing (404).
pub async fn revoke(state: &AppState, viewer: &super::auth::Viewer, id: i64) -> Result<()> {
    let now = state.clock.now();
    let actor = Actor::person(viewer.user.id, &viewer.user.email);
    let (user_id, is_admin) = (viewer.user.id, viewer.is_admin());
    state
        .db
        .write(move |connection| {
            let token = credentials::api_token(connection, id)?
                .filter(|token| token.owner_id == user_id || is_admin)
                .ok_or(Error::NotFound)?;
            if credentials::revoke_api_token(connection, id, now)? {
                audit::record(
                    connection,
                    &actor,
                    AuditAction::TokenRevoked,
                    &format!("token:{id}"),
                    &format!("{} of {}", token.label, token.owner),
                    now,
                )?;
            }
            Ok(())
        })
        .await
}

async fn revoke_token_form(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path(id): Path<Id<ApiTokenInfo>>,
    VerifiedForm(super::sign_in::EmptyForm {}): VerifiedForm<super::sign_in::EmptyForm>,
) -> Result<Redirect> {
    revoke(&state, &viewer, id.get()).await?;
    Ok(Redirect::to(if viewer.is_admin() {
        "/admin/tokens"
    } else {
        "/account"
    }))
}

async fn sign_out_everywhere(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    jar: CookieJar,
    VerifiedForm(super::sign_in::EmptyForm {}): VerifiedForm<super::sign_in::EmptyForm>,
) -> Result<(CookieJar, Redirect)> {
    let now = state.clock.now();
    let user_id = viewer.user.id;
    let actor = Actor::person(user_id, &viewer.user.email);
    state
        .db
        .write(move |connection| {
            let ended = credentials::end_sessions(connection, user_id)?;
            audit::record(
                connection,
                &actor,
                AuditAction::SignOutEverywhere,
                &format!("person:{user_id}"),
                &format!("{ended} sessions"),
                now,
            )
        })
        .await?;
    Ok((end_browser_session(&state, jar), Redirect::to("/login")))
}

#[derive(Deserialize)]
struct AllQuery {
    #[serde(default)]
    all: bool,
}

#[utoipa::path(
    get,
    path = "/api/v1/tokens",
    operation_id = "list_tokens",
    tag = "tokens",
    params(("all" = Option<bool>, Query, description = "Admins: every person's tokens")),
    responses((status = 200, description = "The caller's API tokens (never the secrets)", body = [ApiTokenInfo]))
)]
async fn list_tokens_api(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Query(query): Query<AllQuery>,
) -> Result<Json<Vec<ApiTokenInfo>>> {
    let owner = if query.all && viewer.is_admin() {
        None
    } else {
        Some(viewer.user.id)
    };
    Ok(Json(
        state
            .db
            .read(move |connection| credentials::list_api_tokens(connection, owner))
            .await?,
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
struct CreatedToken {
    token: String,
    #[serde(flatten)]
    info: ApiTokenInfo,
}

#[utoipa::path(
    post,
    path = "/api/v1/tokens",
    operation_id = "create_token",
    tag = "tokens",
    request_body = TokenJson,
    responses((status = 201, description = "The new token; its secret is shown only here", body = CreatedToken))
)]
async fn create_token_api(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    body: std::result::Result<Json<TokenJson>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<CreatedToken>)> {
    let Json(body) = body?;
    let days = body.expires_in_days.map(|days| days.to_string());
    let (label, days) = token_request(&body.label, days.as_deref())?;
    let (token, info) = create_token(&state, &viewer, label, days).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { token, info })))
}

#[utoipa::path(
    delete,
    path = "/api/v1/tokens/{id}",
    operation_id = "revoke_token",
    tag = "tokens",
    params(("id" = i64, Path, description = "The token's id")),
    responses((status = 204, description = "Revoked"))
)]
async fn revoke_token_api(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Path(id): Path<Id<ApiTokenInfo>>,
) -> Result<StatusCode> {
    revoke(&state, &viewer, id.get()).await?;
    Ok(StatusCode::NO_CONTENT)
}
