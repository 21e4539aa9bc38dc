//! SSO behind a reverse proxy (oauth2-proxy, Pomerium, an OIDC ingress,
//! Cloudflare Access): the proxy signs people in and sends who they are in
//! request headers. Those headers are believed only from the configured
//! proxy addresses, and with the shared secret when one is configured;
//! from anywhere else they are refused with 403 and logged, since anyone
//! can type a header.
//!
//! Each request is the proxy's word, so a changed group or name is applied
//! at once; the database is written only when something changed.

use axum::http::request::Parts;

use super::access::{is_trusted_proxy, peer_address};
use super::auth::{Credential, Viewer};
use super::sign_in::{SignInSource, record_provisioning};
use crate::app::AppState;
use crate::auth::constant_time_eq;
use crate::db::directory;
use crate::domain::Email;
use crate::domain::identity::{ExternalIdentity, split_groups};
use crate::domain::people::User;
use crate::domain::text::single_line;
use crate::error::{Error, Result};

const UNTRUSTED: &str = "Identity headers are accepted only from the configured SSO proxy; \
    sign in through it rather than sending them yourself.";

/// The person the proxy's headers name, if the request carries them.
pub async fn identify(parts: &Parts, state: &AppState) -> Result<Option<Viewer>> {
    let Some(proxy) = &state.config.proxy else {
        return Ok(None);
    };
    let Some(email) = parts.headers.get(proxy.email_header.as_str()) else {
        return Ok(None);
    };
    let peer = peer_address(parts);
    if !is_trusted_proxy(state, peer) {
        tracing::warn!(%peer, "identity headers from an address that is not a trusted proxy were refused");
        return Err(Error::Forbidden(UNTRUSTED));
    }
    if let Some(secret) = &proxy.secret {
        let sent = parts
            .headers
            .get(proxy.secret_header.as_str())
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        if !constant_time_eq(sent, &secret.0) {
            tracing::warn!(%peer, "identity headers without the proxy's shared secret were refused");
            return Err(Error::Forbidden(UNTRUSTED));
        }
    }
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let email = Email::parse(email.to_str().unwrap_or_default()).map_err(|message| {
        Error::invalid("email", format!("the proxy's email header {message}"))
    })?;
    let name = single_line(&header(&proxy.name_header), 100)
        .unwrap_or_else(|_| email.as_str().split('@').next().unwrap_or("").to_owned());
    let identity = ExternalIdentity {
        subject: None,
        email,
        name,
        groups: split_groups(&header(&proxy.groups_header)),
    };
    let user = current_or_provision(state, identity).await?;
    Ok(Some(Viewer {
        user,
        credential: Credential::Proxy,
    }))
}

/// The person as the directory has them when nothing changed; otherwise
/// created or updated (and audited) first.
async fn current_or_provision(state: &AppState, identity: ExternalIdentity) -> Result<User> {
    let mapping = &state.config.groups;
    let role = mapping.role(&identity.groups);
    let team = mapping.team(&identity.groups).map(str::to_owned);
    let email = identity.email.clone();
    let known = state
        .db
        .read(move |connection| directory::person_by_email(connection, &email))
        .await?;
    if let Some(person) = known {
        if person.deactivated_at.is_some() {
            return Err(Error::Forbidden(
                "This account has been deactivated; ask an admin.",
            ));
        }
        if person.name == identity.name && person.role == role && person.team == team {
            return Ok(User {
                id: person.id,
                email: person.email,
                name: person.name,
                role: person.role,
                team: person.team,
            });
        }
    }
    let now = state.clock.now();
    let mapping = mapping.clone();
    state
        .db
        .write(move |connection| {
            let provisioned = directory::provision(connection, &identity, &mapping, now)?.ok_or(
                Error::Forbidden("This account has been deactivated; ask an admin."),
            )?;
            let sign_in = SignInSource {
                first: "through the SSO proxy",
                groups: "groups from the SSO proxy",
            };
            record_provisioning(connection, &provisioned, &sign_in, now)?;
            Ok(provisioned.user)
        })
        .await
}
