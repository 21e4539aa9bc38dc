//! HTTP handlers, grouped by what they serve. The route table is in
//! `app::router`; handlers parse input into domain values, call `db`, and
//! render a view or JSON.

pub mod access;
pub mod account;
pub mod api;
pub mod audit;
pub mod auth;
pub mod dashboard;
pub mod digests;
pub mod feedback;
pub mod inbox;
pub mod interviews;
pub mod interviews_api;
pub mod oidc;
pub mod operations;
pub mod opt_out;
pub mod pages;
pub mod pain_point_page;
pub mod pain_points;
pub mod password_reset;
pub mod people;
pub mod proxy;
pub mod reliability;
pub mod respond;
pub mod roadmap;
pub mod roadmap_api;
pub mod search;
pub mod series;
pub mod services;
pub mod sign_in;
pub mod survey_import;
pub mod survey_invitations;
pub mod survey_pages;
pub mod survey_results;
pub mod surveys;
pub mod teams;
pub mod throttle;
pub mod tree;
pub mod triage;

use serde::Deserialize;

use crate::error::{Error, Result};

/// The status of a page that shows a form: 422 when it came back with
/// problems, so that clients and tests can tell.
pub fn form_status(errors: &crate::domain::FieldErrors) -> axum::http::StatusCode {
    if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// A number from the path or a form ("42" or "#42"); anything else is
/// simply not found.
pub fn parse_id(raw: &str) -> Result<i64> {
    raw.trim()
        .trim_start_matches('#')
        .parse()
        .map_err(|_| Error::NotFound)
}

/// A form that sets a status.
#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    pub status: String,
}
