//! Opting out of "you said, we did" mail from the link in one, and undoing
//! it from the page it lands on.

use axum::extract::{Path, State};

use super::auth::CsrfToken;
use crate::app::AppState;
use crate::auth::constant_time_eq;
use crate::db::roadmap;
use crate::error::{Error, Result};
use crate::views::{self, Chrome};

fn check_opt_out(state: &AppState, user: &str, token: &str) -> Result<i64> {
    let user: i64 = user.parse().map_err(|_| Error::NotFound)?;
    if !constant_time_eq(&state.links.opt_out_token(user), token) {
        return Err(Error::NotFound);
    }
    Ok(user)
}

pub async fn opt_out_page(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Path((user, token)): Path<(String, String)>,
) -> Result<maud::Markup> {
    check_opt_out(&state, &user, &token)?;
    let chrome = Chrome {
        viewer: None,
        csrf: &csrf,
    };
    Ok(views::roadmap::opt_out(
        &chrome,
        &format!("/opt-out/{user}/{token}"),
        None,
    ))
}

pub async fn opt_out(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Path((user, token)): Path<(String, String)>,
) -> Result<maud::Markup> {
    let id = check_opt_out(&state, &user, &token)?;
    let email = state
        .db
        .write(move |connection| roadmap::opt_out(connection, id))
        .await?
        .ok_or(Error::NotFound)?;
    let chrome = Chrome {
        viewer: None,
        csrf: &csrf,
    };
    Ok(views::roadmap::opt_out(
        &chrome,
        &format!("/opt-out/{user}/{token}"),
        Some(&email),
    ))
}

/// Undoes the opt-out, from the page that confirmed it.
pub async fn opt_back_in(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Path((user, token)): Path<(String, String)>,
) -> Result<maud::Markup> {
    let id = check_opt_out(&state, &user, &token)?;
    let email = state
        .db
        .write(move |connection| roadmap::opt_back_in(connection, id))
        .await?
        .ok_or(Error::NotFound)?;
    let chrome = Chrome {
        viewer: None,
        csrf: &csrf,
    };
    Ok(views::roadmap::opted_back_in(
        &chrome,
        &format!("/opt-out/{user}/{token}"),
        &email,
    ))
}
