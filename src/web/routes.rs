//! [`Routes`]: one feature's routes, sorted by who may call them. Each
//! feature exposes `routes() -> Routes`; `app::router` merges them and
//! [`Routes::into_router`] puts every team-only route behind one team-only
//! layer and every admin-only route behind one admin-only layer, so a route
//! added there cannot forget the check (its handler also takes
//! `PlatformTeam` or `Admin`, so the signature says it too).
//!
//! Pages get the CSRF cookie their forms repeat; the API does not (its
//! callers send a bearer token, or the `X-CSRF-Token` header with a session).

use axum::Router;
use axum::middleware;
use axum::routing::MethodRouter;

use super::access;
use super::auth;
use crate::app::AppState;

/// One feature's routes: pages and API calls, for anyone (the handler's
/// extractors decide), for the platform team only, or for admins only.
#[derive(Default)]
pub struct Routes {
    pages: Router<AppState>,
    team_pages: Router<AppState>,
    admin_pages: Router<AppState>,
    api: Router<AppState>,
    team_api: Router<AppState>,
    admin_api: Router<AppState>,
}

impl Routes {
    /// A page whose handler says who may see it (`Option<Viewer>`,
    /// `SignedIn`, a token in the path).
    pub fn page(mut self, path: &str, method_router: MethodRouter<AppState>) -> Routes {
        self.pages = self.pages.route(path, method_router);
        self
    }

    /// A page for the platform team: everyone else gets 404.
    pub fn team_page(mut self, path: &str, method_router: MethodRouter<AppState>) -> Routes {
        self.team_pages = self.team_pages.route(path, method_router);
        self
    }

    /// A page for admins: contributors get 404, the team 403.
    pub fn admin_page(mut self, path: &str, method_router: MethodRouter<AppState>) -> Routes {
        self.admin_pages = self.admin_pages.route(path, method_router);
        self
    }

    /// An API call whose handler says who may make it.
    pub fn api(mut self, path: &str, method_router: MethodRouter<AppState>) -> Routes {
        self.api = self.api.route(path, method_router);
        self
    }

    /// An API call for the platform team: everyone else gets 404.
    pub fn team_api(mut self, path: &str, method_router: MethodRouter<AppState>) -> Routes {
        self.team_api = self.team_api.route(path, method_router);
        self
    }

    /// An API call for admins: contributors get 404, the team 403.
    pub fn admin_api(mut self, path: &str, method_router: MethodRouter<AppState>) -> Routes {
        self.admin_api = self.admin_api.route(path, method_router);
        self
    }

    /// Both features' routes.
    pub fn merge(self, other: Routes) -> Routes {
        Routes {
            pages: self.pages.merge(other.pages),
            team_pages: self.team_pages.merge(other.team_pages),
            admin_pages: self.admin_pages.merge(other.admin_pages),
            api: self.api.merge(other.api),
            team_api: self.team_api.merge(other.team_api),
            admin_api: self.admin_api.merge(other.admin_api),
        }
    }

    /// One router: the team-only and admin-only routes behind their layers,
    /// pages with their CSRF cookie.
    pub fn into_router(self, state: &AppState) -> Router<AppState> {
        let team_only = || middleware::from_fn_with_state(state.clone(), access::team_only);
        let admin_only = || middleware::from_fn_with_state(state.clone(), access::admin_only);
        let pages = self
            .pages
            .merge(guarded(self.team_pages, team_only()))
            .merge(guarded(self.admin_pages, admin_only()))
            .layer(middleware::from_fn_with_state(
                state.clone(),
                auth::csrf_cookie,
            ));
        let api = self
            .api
            .merge(guarded(self.team_api, team_only()))
            .merge(guarded(self.admin_api, admin_only()));
        pages.merge(api)
    }
}

/// `router` behind `layer`, which (as a route layer) runs only for its own
/// routes; an empty router stays empty (axum refuses a layer over nothing).
fn guarded<L>(router: Router<AppState>, layer: L) -> Router<AppState>
where
    L: tower::Layer<axum::routing::Route> + Clone + Send + Sync + 'static,
    L::Service: tower::Service<axum::extract::Request> + Clone + Send + Sync + 'static,
    <L::Service as tower::Service<axum::extract::Request>>::Response:
        axum::response::IntoResponse + 'static,
    <L::Service as tower::Service<axum::extract::Request>>::Error:
        Into<std::convert::Infallible> + 'static,
    <L::Service as tower::Service<axum::extract::Request>>::Future: Send + 'static,
{
    if router.has_routes() {
        router.route_layer(layer)
    } else {
        router
    }
}
