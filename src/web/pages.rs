//! The front door: home, and what is kept private. Signing in and out is
//! `web::sign_in`.

use super::routes::Routes;
use axum::response::Redirect;
use axum::routing::get;

use super::auth::{CsrfToken, Viewer};
use crate::views::{self, Chrome};

pub fn routes() -> Routes {
    Routes::default()
        .page("/", get(home))
        .page("/privacy", get(privacy))
}

/// Sends each person where they start their work.
pub async fn home(viewer: Option<Viewer>) -> Redirect {
    match viewer {
        None => Redirect::to("/login"),
        Some(viewer) if viewer.is_platform_team() => Redirect::to("/dashboard"),
        Some(_) => Redirect::to("/feedback/new"),
    }
}

/// What is stored for anonymous feedback and surveys, and who sees what;
/// for everyone, signed in or not (people answer surveys without signing in).
pub async fn privacy(viewer: Option<Viewer>, CsrfToken(csrf): CsrfToken) -> maud::Markup {
    let chrome = Chrome {
        viewer: viewer.as_ref().map(|viewer| &viewer.user),
        csrf: &csrf,
    };
    views::privacy::privacy(&chrome)
}

pub use super::sign_in::EmptyForm;
