//! Logging with `tracing`: human-readable lines by default, JSON lines for
//! log shippers. The filter comes from `EARSHOT_LOG` (`RUST_LOG` syntax).
//!
//! What is never logged: passwords, tokens, cookies, message bodies, and for
//! anonymous feedback anything that could identify the person (requests are
//! logged with their route template, never their address, agent or query).

use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

/// Installs the global subscriber; call once, from `main`.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_env("EARSHOT_LOG")
        .unwrap_or_else(|_| EnvFilter::new("earshot=info,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Human => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}
