//! Who may call a handler, in its signature: [`SignedIn`], [`PlatformTeam`],
//! [`Admin`] and [`CatalogAdmin`] are extractors, so a handler that forgets
//! its check does not compile rather than leaks; [`team_only`] and
//! [`admin_only`] are the same checks as layers, over the team-only and
//! admin-only routers (`web::routes`). And [`ClientAddress`], the address a
//! request came from (for throttling), seen through a trusted proxy.
//!
//! Team-only places answer everyone else 404, as if they did not exist;
//! admin-only places answer contributors 404 too, and the platform team 403
//! (they know admin pages exist). Admin-only changes to what everyone may
//! read (the service catalog) answer 403 to anyone else: the thing is no secret.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;

use super::auth::Viewer;
use crate::app::AppState;
use crate::domain::Role;
use crate::error::{Error, Result};

/// Any signed-in, active person.
pub struct SignedIn(pub Viewer);

/// A member of the platform team (team or admin); everyone else gets 404.
pub struct PlatformTeam(pub Viewer);

/// An admin; contributors get 404 and the team 403.
pub struct Admin(pub Viewer);

/// An admin changing what everyone may read (the service catalog); anyone
/// else gets 403.
pub struct CatalogAdmin(pub Viewer);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<SignedIn> {
        Ok(SignedIn(Viewer::from_request_parts(parts, state).await?))
    }
}

impl FromRequestParts<AppState> for PlatformTeam {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<PlatformTeam> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        if !viewer.is_platform_team() {
            return Err(Error::NotFound);
        }
        Ok(PlatformTeam(viewer))
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Admin> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        match viewer.user.role {
            Role::Admin => Ok(Admin(viewer)),
            Role::Team => Err(Error::Forbidden("Only an admin can do this.")),
            Role::Contributor => Err(Error::NotFound),
        }
    }
}

impl FromRequestParts<AppState> for CatalogAdmin {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<CatalogAdmin> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        if viewer.user.role != Role::Admin {
            return Err(Error::Forbidden("Only an admin can do this."));
        }
        Ok(CatalogAdmin(viewer))
    }
}

/// The layer over every team-only route: anyone else is refused (404)
/// before the handler runs.
pub async fn team_only(_: PlatformTeam, request: Request, next: Next) -> Response {
    next.run(request).await
}

/// The layer over every admin-only route.
pub async fn admin_only(_: Admin, request: Request, next: Next) -> Response {
    next.run(request).await
}

/// The address a request came from: the connection's peer, or, when the
/// peer is a trusted proxy, the last address it appended to `X-Forwarded-For`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// The connection's peer address (unspecified where no listener recorded one).
pub fn peer_address(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// Whether `address` is one of the configured SSO proxies.
pub fn is_trusted_proxy(state: &AppState, address: IpAddr) -> bool {
    state
        .config
        .proxy
        .as_ref()
        .is_some_and(|proxy| proxy.trusted.iter().any(|net| net.contains(&address)))
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress
where
    AppState: axum::extract::FromRef<S>,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<ClientAddress> {
        let state = <AppState as axum::extract::FromRef<S>>::from_ref(state);
        let peer = peer_address(parts);
        if !is_trusted_proxy(&state, peer) {
            return Ok(ClientAddress(peer));
        }
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .filter_map(|address| address.trim().parse::<IpAddr>().ok())
            .next_back();
        Ok(ClientAddress(forwarded.unwrap_or(peer)))
    }
}
