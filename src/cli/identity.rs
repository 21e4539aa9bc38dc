//! Settings for how people sign in and how the server holds up: OpenID
//! Connect, the SSO proxy, group mapping, local accounts, sessions,
//! `/metrics` and connection limits. Global, so that `user add` can say
//! how a person without a password will sign in.

use std::net::SocketAddr;

use clap::Args;

use crate::config::{Config, OidcSettings, ProxySettings, Secret};
use crate::domain::identity::GroupMapping;
use crate::error::{Error, Result};

#[derive(Debug, Args)]
pub struct IdentityArgs {
    /// OpenID Connect issuer URL (enables "Sign in with `label`").
    #[arg(long, env = "EARSHOT_OIDC_ISSUER", global = true)]
    pub oidc_issuer: Option<String>,
    #[arg(
        long,
        env = "EARSHOT_OIDC_CLIENT_ID",
        global = true,
        default_value = "earshot"
    )]
    oidc_client_id: String,
    #[arg(
        long,
        env = "EARSHOT_OIDC_CLIENT_SECRET",
        global = true,
        hide_env_values = true
    )]
    oidc_client_secret: Option<String>,
    /// Scopes asked for, besides openid.
    #[arg(
        long,
        env = "EARSHOT_OIDC_SCOPES",
        global = true,
        default_value = "email profile groups"
    )]
    oidc_scopes: String,
    /// The ID token claim listing the person's groups.
    #[arg(
        long,
        env = "EARSHOT_OIDC_GROUPS_CLAIM",
        global = true,
        default_value = "groups"
    )]
    oidc_groups_claim: String,
    /// What the sign-in button names.
    #[arg(
        long,
        env = "EARSHOT_OIDC_LABEL",
        global = true,
        default_value = "your company account"
    )]
    oidc_label: String,
    /// Addresses (CIDRs, comma-separated) of the SSO proxy whose identity headers are believed.
    #[arg(long, env = "EARSHOT_PROXY_TRUSTED", global = true)]
    pub proxy_trusted: Option<String>,
    /// A secret the proxy must also send (in --proxy-secret-header).
    #[arg(
        long,
        env = "EARSHOT_PROXY_SECRET",
        global = true,
        hide_env_values = true
    )]
    proxy_secret: Option<String>,
    #[arg(
        long,
        env = "EARSHOT_PROXY_SECRET_HEADER",
        global = true,
        default_value = "x-earshot-proxy-secret"
    )]
    proxy_secret_header: String,
    #[arg(
        long,
        env = "EARSHOT_PROXY_EMAIL_HEADER",
        global = true,
        default_value = "x-forwarded-email"
    )]
    proxy_email_header: String,
    #[arg(
        long,
        env = "EARSHOT_PROXY_NAME_HEADER",
        global = true,
        default_value = "x-forwarded-preferred-username"
    )]
    proxy_name_header: String,
    #[arg(
        long,
        env = "EARSHOT_PROXY_GROUPS_HEADER",
        global = true,
        default_value = "x-forwarded-groups"
    )]
    proxy_groups_header: String,
    /// Groups whose members are admins (comma-separated).
    #[arg(long, env = "EARSHOT_ADMIN_GROUPS", global = true, default_value = "")]
    admin_groups: String,
    /// Groups whose members are the platform team.
    #[arg(long, env = "EARSHOT_TEAM_GROUPS", global = true, default_value = "")]
    team_groups: String,
    /// group=team pairs putting people in teams (comma-separated).
    #[arg(long, env = "EARSHOT_GROUP_TEAMS", global = true, default_value = "")]
    group_teams: String,
    /// Switch off signing in with email and password.
    #[arg(long, env = "EARSHOT_NO_LOCAL_ACCOUNTS", global = true)]
    pub no_local_accounts: bool,
    /// Hours a session lasts at most.
    #[arg(long, env = "EARSHOT_SESSION_HOURS", global = true, default_value_t = 14 * 24)]
    session_hours: i64,
    /// Hours a session may go unused.
    #[arg(
        long,
        env = "EARSHOT_SESSION_IDLE_HOURS",
        global = true,
        default_value_t = 12
    )]
    session_idle_hours: i64,
    /// Serve /metrics on the main address only with this bearer token.
    #[arg(
        long,
        env = "EARSHOT_METRICS_TOKEN",
        global = true,
        hide_env_values = true
    )]
    metrics_token: Option<String>,
    /// Serve /metrics (and nothing else) on this address, without a token.
    #[arg(long, env = "EARSHOT_METRICS_LISTEN", global = true)]
    metrics_listen: Option<SocketAddr>,
    /// Connections served at once.
    #[arg(
        long,
        env = "EARSHOT_MAX_CONNECTIONS",
        global = true,
        default_value_t = 1024
    )]
    max_connections: usize,
    /// Failed sign-ins per account in 15 minutes before it must wait.
    #[arg(
        long,
        env = "EARSHOT_SIGN_IN_FAILURES_PER_ACCOUNT",
        global = true,
        default_value_t = 5
    )]
    sign_in_failures_per_account: u32,
    /// Failed sign-ins per client address in 15 minutes (raise it when
    /// many people share one address).
    #[arg(
        long,
        env = "EARSHOT_SIGN_IN_FAILURES_PER_ADDRESS",
        global = true,
        default_value_t = 30
    )]
    sign_in_failures_per_address: u32,
    /// Seconds a client has to send a request's headers.
    #[arg(
        long,
        env = "EARSHOT_HEADER_READ_TIMEOUT_SECONDS",
        global = true,
        default_value_t = 10
    )]
    header_read_timeout_seconds: u64,
}

impl IdentityArgs {
    /// Whether people can sign in without a password (OpenID Connect or a proxy).
    pub fn has_company_sign_in(&self) -> bool {
        self.oidc_issuer.is_some() || self.proxy_trusted.is_some()
    }

    /// Fills these settings into `config`.
    pub fn apply(&self, config: Config) -> Result<Config> {
        let groups = GroupMapping::parse(&self.admin_groups, &self.team_groups, &self.group_teams)
            .map_err(|message| Error::invalid("group-teams", message))?;
        let proxy = match &self.proxy_trusted {
            None => None,
            Some(list) => {
                let trusted = list
                    .split(',')
                    .map(str::trim)
                    .filter(|net| !net.is_empty())
                    .map(parse_net)
                    .collect::<Result<Vec<_>>>()?;
                Some(ProxySettings {
                    secret: self.proxy_secret.clone().map(Secret),
                    secret_header: self.proxy_secret_header.to_lowercase(),
                    email_header: self.proxy_email_header.to_lowercase(),
                    name_header: self.proxy_name_header.to_lowercase(),
                    groups_header: self.proxy_groups_header.to_lowercase(),
                    ..ProxySettings::oauth2_proxy(trusted)
                })
            }
        };
        let oidc = self.oidc_issuer.as_ref().map(|issuer| OidcSettings {
            issuer: issuer.clone(),
            client_id: self.oidc_client_id.clone(),
            client_secret: self.oidc_client_secret.clone().map(Secret),
            scopes: self
                .oidc_scopes
                .split([' ', ','])
                .filter(|scope| !scope.is_empty())
                .map(str::to_owned)
                .collect(),
            groups_claim: self.oidc_groups_claim.clone(),
            label: self.oidc_label.clone(),
        });
        if self.session_hours < 1 || self.session_idle_hours < 1 {
            return Err(Error::invalid(
                "session-hours",
                "sessions last at least an hour",
            ));
        }
        Ok(Config {
            local_accounts: !self.no_local_accounts,
            oidc,
            proxy,
            groups,
            session_lifetime: chrono::Duration::hours(self.session_hours),
            session_idle: chrono::Duration::hours(self.session_idle_hours.min(self.session_hours)),
            metrics_token: self.metrics_token.clone().map(Secret),
            metrics_listen: self.metrics_listen,
            max_connections: self.max_connections.max(1),
            header_read_timeout: std::time::Duration::from_secs(
                self.header_read_timeout_seconds.max(1),
            ),
            sign_in_limits: crate::config::SignInLimits {
                per_account: self.sign_in_failures_per_account.max(1),
                per_address: self.sign_in_failures_per_address.max(1),
                ..crate::config::SignInLimits::default()
            },
            ..config
        })
    }
}

/// A CIDR ("10.0.0.0/8") or a single address ("127.0.0.1").
fn parse_net(raw: &str) -> Result<ipnet::IpNet> {
    raw.parse::<ipnet::IpNet>()
        .or_else(|_| raw.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| {
            Error::invalid(
                "proxy-trusted",
                format!("{raw:?} is not an address or CIDR like 10.0.0.0/8"),
            )
        })
}
