//! Password reset links: an admin mails one (through the outbox; it works
//! once, for `reset_link_lifetime`, and an earlier link stops working), and
//! the page it opens sets a new password and signs the person in. Only with
//! local accounts on.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;

use super::access::Admin;
use super::auth::{CsrfToken, VerifiedForm};
use super::extract::Path;
use super::routes::Routes;
use super::sign_in::start_session;
use crate::app::AppState;
use crate::auth::{hash_password, hash_token, new_token};
use crate::db::audit::{self, Actor};
use crate::db::outbox::{self, NewMessage, PASSWORD_RESET_KEY};
use crate::db::{credentials, directory};
use crate::domain::FieldErrors;
use crate::domain::Id;
use crate::domain::audit::AuditAction;
use crate::domain::people::User;
use crate::error::{Error, Result};
use crate::views::Chrome;
use crate::views::account as page;

/// Admins send reset links; the link itself needs no sign-in.
pub fn routes() -> Routes {
    Routes::default()
        .admin_page("/admin/people/{id}/reset", post(send_reset_link))
        .page("/reset/{token}", get(reset_page).post(reset_password))
}

/// Mails a one-use reset link through the outbox; earlier links stop working.
async fn send_reset_link(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Admin(viewer): Admin,
    Path(id): Path<Id<User>>,
    VerifiedForm(super::sign_in::EmptyForm {}): VerifiedForm<super::sign_in::EmptyForm>,
) -> Result<Response> {
    if !state.config.local_accounts {
        return Err(Error::NotFound);
    }
    let id = id.get();
    let token = new_token("rst_");
    let token_hash = hash_token(&token);
    let now = state.clock.now();
    let expires_at = now + state.config.reset_link_lifetime;
    let url = format!("{}/reset/{token}", state.links.public_url);
    let host = state.links.host().to_owned();
    let actor = Actor::person(viewer.user.id, &viewer.user.email);
    let hours = state.config.reset_link_lifetime.num_hours();
    state
        .db
        .write(move |connection| {
            let person = directory::person(connection, id)?
                .filter(|person| person.deactivated_at.is_none())
                .ok_or(Error::NotFound)?;
            credentials::insert_password_reset(connection, &token_hash, id, now, expires_at)?;
            outbox::enqueue(
                connection,
                &NewMessage {
                    dedupe_key: format!("{PASSWORD_RESET_KEY}{token_hash}"),
                    message_id: format!("<password-reset.{}@{host}>", &token_hash[..16]),
                    subscription_id: None,
                    period: None,
                    to_address: person.email.clone(),
                    subject: "Choose a new Earshot password".to_owned(),
                    body_text: format!(
                        "Hello {},\n\nAn Earshot admin sent you this link to choose a new password:\n\n{url}\n\n\
                         It works once, for {hours} hours. If you did not expect it, ignore this message.\n",
                        person.name
                    ),
                    body_html: None,
                },
                now,
            )?;
            audit::record(connection, &actor, AuditAction::PasswordResetSent, &format!("person:{id}"), &person.email, now)
        })
        .await?;
    super::people::person_view(
        &state,
        &viewer,
        &csrf,
        id,
        FieldErrors::default(),
        Some("A reset link is on its way by email."),
    )
    .await
}

/// The person a reset link is for, if it still works.
async fn reset_link_user(state: &AppState, token: &str) -> Result<crate::domain::people::User> {
    if !state.config.local_accounts {
        return Err(Error::NotFound);
    }
    let token_hash = hash_token(token);
    let now = state.clock.now();
    state
        .db
        .read(move |connection| credentials::reset_link_user(connection, &token_hash, now))
        .await?
        .ok_or(Error::Rejected {
            status: StatusCode::GONE,
            detail: "This reset link has expired or was already used; ask an admin for a new one."
                .into(),
        })
}

async fn reset_page(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Path(token): Path<String>,
) -> Result<Response> {
    let user = reset_link_user(&state, &token).await?;
    let chrome = Chrome {
        viewer: None,
        csrf: &csrf,
    };
    Ok(page::reset_page(&chrome, &user.email, &FieldErrors::default()).into_response())
}

async fn reset_password(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Path(token): Path<String>,
    jar: CookieJar,
    VerifiedForm(form): VerifiedForm<super::account::PasswordForm>,
) -> Result<Response> {
    let user = reset_link_user(&state, &token).await?;
    let password = match super::account::new_password(&form.new, &form.confirm) {
        Ok(password) => password,
        Err(errors) => {
            let chrome = Chrome {
                viewer: None,
                csrf: &csrf,
            };
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                page::reset_page(&chrome, &user.email, &errors),
            )
                .into_response());
        }
    };
    let new = password.as_str().to_owned();
    let hash = state.passwords.run(move || hash_password(&new)).await??;
    let token_hash = hash_token(&token);
    let now = state.clock.now();
    let actor = Actor::person(user.id, &user.email);
    let user_id = user.id;
    state
        .db
        .write(move |connection| {
            if !credentials::use_reset_link(connection, &token_hash, now)? {
                return Err(Error::Rejected {
                    status: StatusCode::GONE,
                    detail: "This reset link was already used; ask an admin for a new one.".into(),
                });
            }
            credentials::set_password_hash(connection, user_id, &hash)?;
            credentials::end_sessions(connection, user_id)?;
            audit::record(
                connection,
                &actor,
                AuditAction::PasswordReset,
                &format!("person:{user_id}"),
                "through a reset link",
                now,
            )
        })
        .await?;
    let jar = start_session(&state, jar, &user, "reset link").await?;
    Ok((jar, Redirect::to("/account?changed=password")).into_response())
}
