//! Where reliability figures are pulled from: a Prometheus server, its
//! bearer token, and how often `serve` pulls.

use clap::Args;

use crate::config::{Config, PrometheusSettings, Secret};
use crate::error::{Error, Result};

#[derive(Debug, Args)]
pub struct PrometheusArgs {
    /// Prometheus base URL (like http://prometheus:9090) to pull each
    /// service's monthly SLO attainment, error budget and incidents from;
    /// unset: figures come only from the API, the browser and CSV.
    #[arg(long, env = "EARSHOT_PROMETHEUS_URL", global = true)]
    prometheus_url: Option<String>,
    /// Sent to Prometheus as `Authorization: Bearer …`.
    #[arg(
        long,
        env = "EARSHOT_PROMETHEUS_BEARER_TOKEN",
        global = true,
        hide_env_values = true
    )]
    prometheus_bearer_token: Option<String>,
    /// Seconds a query may take before the pull counts as failed.
    #[arg(
        long,
        env = "EARSHOT_PROMETHEUS_TIMEOUT_SECONDS",
        default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(1..=300),
        global = true
    )]
    prometheus_timeout_seconds: u64,
    /// Minutes between pulls (the first is when the server starts).
    #[arg(
        long,
        env = "EARSHOT_RELIABILITY_PULL_MINUTES",
        default_value_t = 15,
        value_parser = clap::value_parser!(u64).range(1..=1440),
        global = true
    )]
    reliability_pull_minutes: u64,
}

impl PrometheusArgs {
    /// Fills these settings into `config`; a URL that is not http(s) is refused.
    pub fn apply(&self, config: Config) -> Result<Config> {
        let Some(url) = &self.prometheus_url else {
            return Ok(config);
        };
        let parsed = url::Url::parse(url.trim()).ok().filter(|parsed| {
            matches!(parsed.scheme(), "http" | "https") && parsed.host().is_some()
        });
        if parsed.is_none() {
            return Err(Error::invalid(
                "prometheus-url",
                "must be an http or https URL, like http://prometheus:9090",
            ));
        }
        Ok(Config {
            prometheus: Some(PrometheusSettings {
                url: url.trim().to_owned(),
                bearer_token: self.prometheus_bearer_token.clone().map(Secret),
                timeout: std::time::Duration::from_secs(self.prometheus_timeout_seconds),
                every: std::time::Duration::from_secs(self.reliability_pull_minutes * 60),
            }),
            ..config
        })
    }
}
