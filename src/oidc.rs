//! Signing in with an OpenID Connect provider: the only module that speaks
//! `openidconnect`. Authorization code flow with PKCE; the provider is
//! found by discovery (read at the first sign-in and kept); each sign-in
//! carries a random state (bound to the browser by a cookie, one use, ten
//! minutes) and a nonce, and the ID token's signature, issuer, audience,
//! expiry and nonce are checked by the crate before anything is believed.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use tokio::sync::RwLock;

use crate::config::OidcSettings;
use crate::domain::Email;
use crate::domain::identity::{ExternalIdentity, split_groups};
use crate::domain::text::single_line;
use crate::error::{Error, Result};

/// Sign-ins started and not finished that are remembered at most.
const MAX_PENDING: usize = 10_000;
/// How long a started sign-in may take at the provider.
const PENDING_LIFETIME: Duration = Duration::from_secs(600);

struct Pending {
    nonce: Nonce,
    verifier: PkceCodeVerifier,
    next: String,
    started: Instant,
}

/// The provider, its metadata once discovered, and sign-ins under way.
pub struct OidcProvider {
    settings: OidcSettings,
    redirect_url: String,
    http: openidconnect::reqwest::Client,
    metadata: RwLock<Option<CoreProviderMetadata>>,
    pending: Mutex<HashMap<String, Pending>>,
}

/// Where to send the browser, and the state to bind to it.
pub struct Started {
    pub authorize_url: String,
    pub state: String,
}

/// Who signed in, and where they were going.
pub struct Finished {
    pub identity: ExternalIdentity,
    pub next: String,
}

fn refused(detail: impl Into<String>) -> Error {
    Error::Rejected {
        status: axum::http::StatusCode::FORBIDDEN,
        detail: detail.into(),
    }
}

impl OidcProvider {
    pub fn new(settings: OidcSettings, public_url: &str) -> Result<OidcProvider> {
        let http = openidconnect::reqwest::ClientBuilder::new()
            // Following redirects would let a provider point Earshot anywhere.
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|error| Error::Internal(format!("cannot build the OpenID client: {error}")))?;
        Ok(OidcProvider {
            settings,
            redirect_url: format!("{}/auth/oidc/callback", public_url.trim_end_matches('/')),
            http,
            metadata: RwLock::new(None),
            pending: Mutex::new(HashMap::new()),
        })
    }

    async fn client(
        &self,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
    > {
        let known = self.metadata.read().await.clone();
        let metadata = match known {
            Some(metadata) => metadata,
            None => {
                let issuer = IssuerUrl::new(self.settings.issuer.clone()).map_err(|error| {
                    Error::Internal(format!("the OpenID issuer URL is not a URL: {error}"))
                })?;
                let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
                    .await
                    .map_err(|error| {
                        tracing::error!(%error, "OpenID Connect discovery failed");
                        Error::Rejected {
                            status: axum::http::StatusCode::BAD_GATEWAY,
                            detail: "the company sign-in cannot be reached right now; try again in a minute".into(),
                        }
                    })?;
                *self.metadata.write().await = Some(metadata.clone());
                metadata
            }
        };
        let redirect = RedirectUrl::new(self.redirect_url.clone()).map_err(|error| {
            Error::Internal(format!("the sign-in return URL is not a URL: {error}"))
        })?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            self.settings
                .client_secret
                .as_ref()
                .map(|secret| ClientSecret::new(secret.0.clone())),
        )
        .set_redirect_uri(redirect))
    }

    /// Starts a sign-in that returns to `next`.
    pub async fn start(&self, next: &str) -> Result<Started> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in &self.settings.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        let now = Instant::now();
        let mut pending = self
            .pending
            .lock()
            .map_err(|_| Error::Internal("the pending sign-ins are poisoned".into()))?;
        pending.retain(|_, started| now.duration_since(started.started) < PENDING_LIFETIME);
        if pending.len() >= MAX_PENDING {
            return Err(Error::Rejected {
                status: axum::http::StatusCode::SERVICE_UNAVAILABLE,
                detail: "too many sign-ins are under way; try again in a minute".into(),
            });
        }
        pending.insert(
            state.secret().clone(),
            Pending {
                nonce,
                verifier,
                next: next.to_owned(),
                started: now,
            },
        );
        Ok(Started {
            authorize_url: url.to_string(),
            state: state.secret().clone(),
        })
    }

    /// Finishes the sign-in `state` (the browser's own, checked by the
    /// caller against its cookie) with the provider's `code`.
    pub async fn finish(&self, state: &str, code: &str) -> Result<Finished> {
        let pending = self
            .pending
            .lock()
            .map_err(|_| Error::Internal("the pending sign-ins are poisoned".into()))?
            .remove(state)
            .filter(|pending| pending.started.elapsed() < PENDING_LIFETIME)
            .ok_or_else(|| refused("this sign-in has expired or was already used; start again"))?;
        let client = self.client().await?;
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|error| {
                Error::Internal(format!("the provider has no token endpoint: {error}"))
            })?
            .set_pkce_verifier(pending.verifier)
            .request_async(&self.http)
            .await
            .map_err(|error| {
                tracing::warn!(error = %error, "the OpenID provider refused the sign-in code");
                refused("the company sign-in did not accept this sign-in; start again")
            })?;
        let id_token = response
            .id_token()
            .ok_or_else(|| refused("the company sign-in sent no ID token"))?;
        let verifier = client.id_token_verifier();
        let claims = id_token
            .claims(&verifier, &pending.nonce)
            .map_err(|error| {
                tracing::warn!(error = %error, "an ID token failed validation");
                refused("the company sign-in's answer could not be verified")
            })?;
        let email = claims
            .email()
            .map(|email| email.as_str().to_owned())
            .ok_or_else(|| {
                refused("the company sign-in did not say which email this person has")
            })?;
        let email = Email::parse(&email)
            .map_err(|message| refused(format!("the email claim {message}")))?;
        let name = claims
            .name()
            .and_then(|names| names.get(None))
            .map(|name| name.as_str().to_owned())
            .or_else(|| {
                claims
                    .preferred_username()
                    .map(|name| name.as_str().to_owned())
            })
            .and_then(|name| single_line(&name, 100).ok())
            .unwrap_or_else(|| email.as_str().split('@').next().unwrap_or("").to_owned());
        let groups = groups_claim(&id_token.to_string(), &self.settings.groups_claim);
        Ok(Finished {
            identity: ExternalIdentity {
                subject: Some(format!(
                    "{} {}",
                    claims.issuer().as_str(),
                    claims.subject().as_str()
                )),
                email,
                name,
                groups,
            },
            next: pending.next,
        })
    }
}

/// The groups in a (verified) ID token's `claim`: a list of strings or one
/// string of them. The crate's typed claims know only the standard ones.
fn groups_claim(jwt: &str, claim: &str) -> Vec<String> {
    let payload = jwt
        .split('.')
        .nth(1)
        .and_then(|part| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(part)
                .ok()
        })
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok());
    match payload.as_ref().and_then(|payload| payload.get(claim)) {
        Some(serde_json::Value::Array(groups)) => groups
            .iter()
            .filter_map(serde_json::Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(serde_json::Value::String(groups)) => split_groups(groups),
        _ => Vec::new(),
    }
}
