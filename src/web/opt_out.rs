//! Opting out of "you said, we did" mail from the link in one, and undoing
//! it from the page it lands on.

use axum::extract::State;
use axum::routing::{get, post};

use super::auth::CsrfToken;
use super::extract::Path;
use super::routes::Routes;
use crate::app::AppState;
use crate::auth::constant_time_eq;
use crate::db::roadmap;
use crate::domain::Id;
use crate::domain::people::User;
use crate::error::{Error, Result};
use crate::views::{self, Chrome};

/// The link in a message is the credential: no sign-in.
pub fn routes() -> Routes {
    Routes::default()
        .page("/opt-out/{user}/{token}", get(opt_out_page).post(opt_out))
        .page("/opt-out/{user}/{token}/undo", post(opt_back_in))
}

/// The person a link names, if its token is theirs; the link's address.
fn check_opt_out(state: &AppState, user: Id<User>, token: &str) -> Result<(i64, String)> {
    let user = user.get();
    if !constant_time_eq(&state.links.opt_out_token(user), token) {
        return Err(Error::NotFound);
    }
    Ok((user, format!("/opt-out/{user}/{token}")))
}

fn chrome(csrf: &str) -> Chrome<'_> {
    Chrome { viewer: None, csrf }
}

pub async fn opt_out_page(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Path((user, token)): Path<(Id<User>, String)>,
) -> Result<maud::Markup> {
    let (_, action) = check_opt_out(&state, user, &token)?;
    Ok(views::roadmap::opt_out(&chrome(&csrf), &action, None))
}

/// Opts out (`opting_out`) or back in; the person's address.
async fn change(state: &AppState, user: i64, opting_out: bool) -> Result<String> {
    state
        .db
        .write(move |connection| {
            if opting_out {
                roadmap::opt_out(connection, user)
            } else {
                roadmap::opt_back_in(connection, user)
            }
        })
        .await?
        .ok_or(Error::NotFound)
}

pub async fn opt_out(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Path((user, token)): Path<(Id<User>, String)>,
) -> Result<maud::Markup> {
    let (user, action) = check_opt_out(&state, user, &token)?;
    let email = change(&state, user, true).await?;
    Ok(views::roadmap::opt_out(
        &chrome(&csrf),
        &action,
        Some(&email),
    ))
}

/// Undoes the opt-out, from the page that confirmed it.
pub async fn opt_back_in(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Path((user, token)): Path<(Id<User>, String)>,
) -> Result<maud::Markup> {
    let (user, action) = check_opt_out(&state, user, &token)?;
    let email = change(&state, user, false).await?;
    Ok(views::roadmap::opted_back_in(
        &chrome(&csrf),
        &action,
        &email,
    ))
}
