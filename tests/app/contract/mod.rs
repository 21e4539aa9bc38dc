//! The API contract: the OpenAPI document at `/api/v1/openapi.json` against
//! the routes the code registers, the list endpoints it showed missing, and
//! Schemathesis run against the served document.

mod lists;
mod requests;
mod routes;
mod schemathesis;
