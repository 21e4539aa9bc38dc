//! HTTP handlers, grouped by what they serve. Each feature's `routes()`
//! (a [`routes::Routes`]) says which of its handlers answer where, and who may
//! call them; `app::router` merges them. Handlers parse input into domain
//! values, call `db`, and render a view or JSON.

pub mod access;
pub mod account;
pub mod api;
pub mod audit;
pub mod auth;
pub mod dashboard;
pub mod digests;
pub mod extract;
pub mod feedback;
pub mod feedback_api;
pub mod inbox;
pub mod interviews;
pub mod interviews_api;
pub mod oidc;
pub mod openapi;
pub mod operations;
pub mod opt_out;
pub mod pages;
pub mod pain_point_page;
pub mod pain_points;
pub mod pain_points_api;
pub mod password_reset;
pub mod people;
pub mod proxy;
pub mod reliability;
pub mod request;
pub mod respond;
pub mod roadmap;
pub mod roadmap_api;
pub mod routes;
pub mod search;
pub mod series;
pub mod services;
pub mod sign_in;
pub mod survey_import;
pub mod survey_invitations;
pub mod survey_pages;
pub mod survey_requests;
pub mod survey_results;
pub mod surveys;
pub mod teams;
pub mod throttle;
pub mod tree;
pub mod triage;

use serde::Deserialize;

/// The status of a page that shows a form: 422 when it came back with
/// problems, so that clients and tests can tell.
pub fn form_status(errors: &crate::domain::FieldErrors) -> axum::http::StatusCode {
    if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// A form that sets a status.
#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    pub status: String,
}
