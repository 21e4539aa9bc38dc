//! `earshot digest preview|send`: summaries from the command line (cron),
//! beside a running server or without one.

use clap::Subcommand;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::jobs::digest_command::DigestRunner;

#[derive(Debug, Subcommand)]
pub(super) enum DigestCommand {
    /// Print the next message of a subscription, as it would be sent now.
    Preview {
        #[arg(long)]
        subscription: i64,
    },
    /// Enqueue and send summaries: --due sends what is due (for cron), --now
    /// treats the current period as due (still once per subscription and period).
    #[command(group(clap::ArgGroup::new("when").required(true).args(["due", "now"])))]
    Send {
        #[arg(long)]
        due: bool,
        #[arg(long)]
        now: bool,
    },
}

/// Runs a digest command against the database, without serving; without
/// `--public-url` (`public_url_given`), links use the URL `serve` recorded.
pub(super) fn digest(config: Config, command: DigestCommand, public_url_given: bool) -> Result<()> {
    let config = if public_url_given {
        config
    } else {
        Config {
            public_url: String::new(),
            ..config
        }
    };
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|error| Error::Internal(format!("cannot start the runtime: {error}")))?;
    runtime.block_on(async {
        let runner = DigestRunner::open(config).await?;
        let outcome = match command {
            DigestCommand::Preview { subscription } => runner.preview(subscription).await,
            DigestCommand::Send { due, .. } => runner.send(due).await,
        };
        runner.close().await;
        outcome
    })
}
