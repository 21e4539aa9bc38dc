//! The API contract: an OpenAPI 3.1 document generated from the handlers'
//! `#[utoipa::path]` attributes and the types they take and answer, served
//! at `/api/v1/openapi.json`.
//!
//! The document is public: it describes the shape of the API (which the
//! source shows too) and holds no data, so a client generator or a
//! contract test can read it without a token. Every operation also lists
//! the problem responses (RFC 9457, `application/problem+json`) that any
//! call can meet: unreadable input, no credentials, not found (which is also
//! what someone who may not see a thing gets), and a data directory that
//! cannot take writes.
//!
//! A new `/api/v1` route must be listed in [`ApiDoc`]'s `paths(...)`:
//! `tests/app/openapi.rs` compares the routes registered in `src/web` with
//! the served document, both ways.

use axum::Json;
use axum::routing::get;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr};
use utoipa::{Modify, OpenApi};

use super::routes::Routes;
use crate::error::Problem;

/// The document itself. Paths are listed by feature, as in `app::router`.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Earshot API",
        description = "Feedback, discovery and surveys for teams that run an internal platform. \
            Authenticate with a bearer token (`earshot token create`, or the account page), \
            or with the session cookie plus its CSRF token repeated in `X-CSRF-Token`.",
        version = "1"
    ),
    paths(
        super::account::list_tokens_api,
        super::account::create_token_api,
        super::account::revoke_token_api,
        super::feedback_api::list_feedback,
        super::feedback_api::create_feedback,
        super::feedback_api::get_feedback,
        super::feedback_api::delete_feedback,
        super::search::search_api,
        super::search::similar_api,
        super::api::list_services,
        super::api::create_service,
        super::api::get_service,
        super::services::edit_api,
        super::services::delete_api,
        super::api::get_reliability,
        super::api::put_reliability,
        super::reliability::import_api,
        super::pain_points_api::list_api,
        super::pain_points_api::create_api,
        super::pain_points_api::get_api,
        super::pain_points_api::update_api,
        super::pain_points_api::add_evidence_api,
        super::interviews_api::list_api,
        super::interviews_api::create_api,
        super::interviews_api::get_api,
        super::interviews_api::update_api,
        super::interviews_api::highlight_api,
        super::roadmap_api::list_api,
        super::roadmap_api::create_api,
        super::roadmap_api::get_api,
        super::roadmap_api::update_api,
        super::roadmap_api::link_api,
        super::roadmap_api::ship_api,
        super::tree::list_outcomes_api,
        super::tree::create_outcome_api,
        super::tree::get_outcome_api,
        super::tree::update_outcome_api,
        super::surveys::list_surveys,
        super::surveys::create_survey,
        super::surveys::get_survey,
        super::surveys::open_survey,
        super::surveys::close_survey,
        super::survey_invitations::invite,
        super::survey_results::results,
        super::survey_results::results_csv_export,
        super::surveys::open_link,
        super::survey_import::import_api,
        super::surveys::respond,
        super::series::list_api,
        super::series::create_api,
        super::series::headline_api,
        super::series::assign_api,
        super::digests::list_subscriptions_api,
        super::people::list_people_api,
        super::people::get_person_api,
        super::people::change_person_api,
        super::teams::list_teams_api,
        super::teams::get_team_api,
        super::teams::create_team_api,
        super::teams::change_team_api,
        super::audit::export,
        openapi_json,
    ),
    components(schemas(Problem)),
    modifiers(&Authentication, &ProblemResponses),
    security(("bearer" = []), ("session" = [], "csrf" = [])),
)]
pub struct ApiDoc;

/// The route that serves the document.
pub fn routes() -> Routes {
    Routes::default().api("/api/v1/openapi.json", get(openapi_json))
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "contract",
    security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document", body = serde_json::Value))
)]
async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// Bearer tokens, and the session cookie with its CSRF header.
struct Authentication;

impl Modify for Authentication {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token: `earshot token create`, or the account page",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                super::auth::SESSION_COOKIE,
                "The session of a person signed in with the browser",
            ))),
        );
        components.add_security_scheme(
            "csrf",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-CSRF-Token",
                "With the session cookie: the value of the `earshot_csrf` cookie",
            ))),
        );
    }
}

/// The problems any operation can answer, added to every operation so that
/// each handler's attribute lists only what is particular to it.
struct ProblemResponses;

impl Modify for ProblemResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                (&mut item.get, false),
                (&mut item.delete, true),
                (&mut item.post, true),
                (&mut item.put, true),
                (&mut item.patch, true),
            ];
            for (operation, writes) in operations {
                if let Some(operation) = operation.as_mut() {
                    add_problems(operation, writes);
                }
            }
        }
    }
}

fn add_problems(operation: &mut Operation, writes: bool) {
    let public = operation
        .security
        .as_ref()
        .is_some_and(|requirements| requirements.len() == 1);
    let mut problems = vec![
        ("400", "The query or body could not be read"),
        ("404", "No such thing, or not one the caller may see"),
        ("422", "Some fields need fixing; `errors` names each"),
        (
            "503",
            "Earshot cannot answer now (shutting down, busy, disk full or read-only, search index being rebuilt)",
        ),
    ];
    if !public {
        problems.push(("401", "No valid token or session"));
        problems.push((
            "403",
            "Not allowed, or a session call without its `X-CSRF-Token`",
        ));
    }
    if writes || operation.request_body.is_some() {
        problems.push(("409", "The change conflicts with what is stored"));
        problems.push(("413", "The body is too large"));
        problems.push(("415", "The body is not of the declared content type"));
    }
    for (status, description) in problems {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::T(problem_response(description)));
    }
}

fn problem_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            Content::new(Some(Ref::from_schema_name("Problem"))),
        )
        .build()
}
