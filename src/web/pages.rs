//! The front door: home. Signing in and out is `web::sign_in`.

use axum::response::Redirect;

use super::auth::Viewer;

/// Sends each person where they start their work.
pub async fn home(viewer: Option<Viewer>) -> Redirect {
    match viewer {
        None => Redirect::to("/login"),
        Some(viewer) if viewer.is_platform_team() => Redirect::to("/dashboard"),
        Some(_) => Redirect::to("/feedback/new"),
    }
}

pub use super::sign_in::EmptyForm;
