//! Settings of a running Earshot, with embedded defaults: no file or
//! variable is needed to start. The command line (and its `EARSHOT_*`
//! variables, see `cli`) fills this in.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use chrono::Duration;

use crate::clock::Clock;
use crate::domain::identity::GroupMapping;

/// Everything `serve` needs to know.
#[derive(Debug, Clone)]
pub struct Config {
    /// Holds `earshot.db`, and later the search index and outgoing mail.
    pub data_dir: PathBuf,
    /// Address to listen on; port 0 picks a free port (tests do this).
    pub listen: SocketAddr,
    /// Mark cookies `Secure`: set when Earshot is served over https.
    pub secure_cookies: bool,
    /// How long a browser session lasts after signing in, at most.
    pub session_lifetime: Duration,
    /// A session unused this long ends.
    pub session_idle: Duration,
    /// Whether people may sign in with an email and password (switch off
    /// when everyone signs in with the company's identity).
    pub local_accounts: bool,
    /// Sign-in with an OpenID Connect provider, when configured.
    pub oidc: Option<OidcSettings>,
    /// Identity headers from an SSO proxy, when configured.
    pub proxy: Option<ProxySettings>,
    /// Which groups of the company's identity make admins, team members and teams.
    pub groups: GroupMapping,
    /// `/metrics` answers only with this bearer token; `None` (and no
    /// separate metrics address) leaves it closed.
    pub metrics_token: Option<Secret>,
    /// A second address that serves only `/metrics`, without a token.
    pub metrics_listen: Option<SocketAddr>,
    /// Connections served at once; more wait in the listen queue.
    pub max_connections: usize,
    /// A client that has not sent a request's headers within this is disconnected.
    pub header_read_timeout: std::time::Duration,
    /// Failed sign-ins allowed per account and per client address in a window.
    pub sign_in_limits: SignInLimits,
    /// How long an emailed password reset link works.
    pub reset_link_lifetime: Duration,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Where links in emails point: how people reach this Earshot. Empty
    /// when serving: `http://` and the address it listens on.
    pub public_url: String,
    /// SMTP server; `None` writes mail as `.eml` files under `<data>/mail`.
    pub smtp_url: Option<Secret>,
    /// The From address of every message.
    pub mail_from: String,
    /// The first retry of a temporarily failed message waits this long;
    /// each further one twice as long, up to an hour.
    pub mail_retry: std::time::Duration,
    /// How long a sender's claim on a message lasts; a message whose
    /// sender died is sent by another once it expires. The SMTP timeout is
    /// kept under half of it.
    pub mail_lease: std::time::Duration,
    /// Messages being sent at once by one sender.
    pub mail_in_flight: usize,
    /// How often the digest scheduler and mail sender look for work (new
    /// mail from this server is sent at once anyway).
    pub mail_poll: std::time::Duration,
    /// Where "now" comes from: the wall clock, or an instant chosen by a
    /// test or `--clock`.
    pub clock: Clock,
    /// Where reliability figures are pulled from, when configured.
    pub prometheus: Option<PrometheusSettings>,
}

/// A Prometheus server to pull services' monthly reliability figures from.
#[derive(Debug, Clone)]
pub struct PrometheusSettings {
    /// Its base URL, like `http://prometheus:9090`.
    pub url: String,
    /// Sent as `Authorization: Bearer …` when set.
    pub bearer_token: Option<Secret>,
    /// A query that has not answered by then has failed.
    pub timeout: std::time::Duration,
    /// Time between pulls (the first is at start).
    pub every: std::time::Duration,
}

/// An OpenID Connect provider to sign in with (authorization code flow with PKCE).
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// The issuer URL; its `/.well-known/openid-configuration` is read at start.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<Secret>,
    /// Scopes asked for besides `openid`.
    pub scopes: Vec<String>,
    /// The ID token claim that lists the person's groups.
    pub groups_claim: String,
    /// What the sign-in button says: "Sign in with `label`".
    pub label: String,
}

/// An SSO proxy in front of Earshot (oauth2-proxy, Pomerium, an OIDC
/// ingress) that sends who the person is in request headers.
#[derive(Debug, Clone)]
pub struct ProxySettings {
    /// Only connections from these addresses may send identity headers.
    pub trusted: Vec<ipnet::IpNet>,
    /// When set, the proxy must also send this value in `secret_header`.
    pub secret: Option<Secret>,
    pub secret_header: String,
    pub email_header: String,
    pub name_header: String,
    pub groups_header: String,
}

impl ProxySettings {
    /// oauth2-proxy's header names, trusting `trusted`.
    pub fn oauth2_proxy(trusted: Vec<ipnet::IpNet>) -> ProxySettings {
        ProxySettings {
            trusted,
            secret: None,
            secret_header: "x-earshot-proxy-secret".to_owned(),
            email_header: "x-forwarded-email".to_owned(),
            name_header: "x-forwarded-preferred-username".to_owned(),
            groups_header: "x-forwarded-groups".to_owned(),
        }
    }
}

/// Failed sign-ins allowed before further attempts wait.
#[derive(Debug, Clone, Copy)]
pub struct SignInLimits {
    pub per_account: u32,
    pub per_address: u32,
    pub window: std::time::Duration,
}

impl Default for SignInLimits {
    fn default() -> SignInLimits {
        SignInLimits {
            per_account: 5,
            per_address: 30,
            window: std::time::Duration::from_secs(15 * 60),
        }
    }
}

/// A value that holds a password: never printed.
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Config {
    /// The defaults, keeping data in `data_dir`.
    pub fn new(data_dir: impl Into<PathBuf>) -> Config {
        Config {
            data_dir: data_dir.into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 3000)),
            secure_cookies: false,
            session_lifetime: Duration::days(14),
            session_idle: Duration::hours(12),
            local_accounts: true,
            oidc: None,
            proxy: None,
            groups: GroupMapping::default(),
            metrics_token: None,
            metrics_listen: None,
            max_connections: 1024,
            header_read_timeout: std::time::Duration::from_secs(10),
            sign_in_limits: SignInLimits::default(),
            reset_link_lifetime: Duration::hours(24),
            max_body_bytes: 64 * 1024,
            public_url: "http://127.0.0.1:3000".to_owned(),
            smtp_url: None,
            mail_from: "Earshot <earshot@localhost>".to_owned(),
            mail_retry: std::time::Duration::from_secs(30),
            mail_lease: std::time::Duration::from_secs(300),
            mail_in_flight: crate::mail::IN_FLIGHT,
            mail_poll: std::time::Duration::from_secs(30),
            clock: Clock::system(),
            prometheus: None,
        }
    }

    /// The SQLite file.
    pub fn database_path(&self) -> PathBuf {
        database_path(&self.data_dir)
    }
}

/// Outgoing mail written as files, when no SMTP server is configured.
pub fn mail_path(data_dir: &Path) -> PathBuf {
    data_dir.join("mail")
}

/// The SQLite file inside a data directory.
pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join("earshot.db")
}
