//! HTTP handlers, grouped by what they serve. The route table is in
//! `app::router`; handlers parse input into domain values, call `db`, and
//! render a view or JSON.

pub mod api;
pub mod auth;
pub mod digests;
pub mod feedback;
pub mod interviews;
pub mod operations;
pub mod pages;
pub mod pain_points;
pub mod respond;
pub mod roadmap;
pub mod search;
pub mod services;
pub mod surveys;
