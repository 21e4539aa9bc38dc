//! Axum's extractors with Earshot's rejections: [`Path`], whose parameters
//! that do not parse (an id that is not a number) are simply not found, and
//! [`Query`], whose bad parameters are a 400 problem or page like any other
//! error rather than axum's plain text.

use axum::extract::FromRequestParts;

use crate::error::Error;

/// `axum::extract::Path`; a path that does not parse answers 404.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Error))]
pub struct Path<T>(pub T);

/// `axum::extract::Query`; a query that does not parse answers 400.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Error))]
pub struct Query<T>(pub T);
