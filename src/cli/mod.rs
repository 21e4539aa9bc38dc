//! The command line: parsing it and running the command named. `serve`
//! (the default) and `seed` are in `serve`; `backup`, `restore`, `check` and
//! `reindex` in `operations`; `digest` in `digest`; `user add` and
//! `token create|list|revoke` in `accounts`. The flags every command shares:
//! mail and links in `mail`, identity and hardening settings in `identity`.
//!
//! Every flag can also come from an `EARSHOT_*` variable. Bad arguments
//! print one line on stderr and exit non-zero.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand, error::ErrorKind};

use crate::clock::Clock;
use crate::config::{self, Config, Secret};
use crate::error::{Error, Result};
use crate::telemetry::{self, LogFormat};

mod accounts;
mod digest;
mod identity;
mod mail;
mod operations;
mod reliability;
mod serve;

use accounts::{TokenCommand, UserCommand};
use digest::DigestCommand;
use identity::IdentityArgs;
use mail::MailArgs;
use reliability::PrometheusArgs;
use serve::ServeArgs;

#[derive(Debug, Parser)]
#[command(
    name = "earshot",
    version,
    about = "Feedback and continuous discovery for internal platform teams"
)]
struct Cli {
    /// Where the database (and later the index and mail) live.
    #[arg(
        long,
        env = "EARSHOT_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    data_dir: PathBuf,
    /// Log line format.
    #[arg(
        long,
        env = "EARSHOT_LOG_FORMAT",
        value_enum,
        default_value = "human",
        global = true
    )]
    log_format: LogFormat,
    /// Run as if it were this instant (RFC 3339, like 2026-11-30T00:30:00Z),
    /// with time passing from there: for demos and tests of another day.
    /// Unset: the machine's clock.
    #[arg(long, env = "EARSHOT_CLOCK", value_parser = parse_instant, global = true)]
    clock: Option<DateTime<Utc>>,
    #[command(flatten)]
    mail: MailArgs,
    #[command(flatten)]
    identity: IdentityArgs,
    #[command(flatten)]
    prometheus: PrometheusArgs,
    #[command(subcommand)]
    command: Option<Command>,
    /// `serve`'s flags, for running without naming the subcommand
    /// (`earshot --demo`); after `serve`, its own flags apply.
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web interface and API (the default).
    Serve(ServeArgs),
    /// Load the demo organisation into an empty database.
    Seed,
    /// Rebuild the search index from the database (stop the server first;
    /// a running server rebuilds a damaged index by itself).
    Reindex,
    /// Copy the database to a new file while Earshot runs.
    Backup {
        /// The file to write (it must not exist).
        destination: PathBuf,
    },
    /// Put a backup in place of the database (stop the server first); the
    /// search index is rebuilt at the next start.
    Restore {
        /// A file written by `earshot backup`.
        source: PathBuf,
    },
    /// Verify the database, the search index and the outbox; exits
    /// non-zero when anything differs.
    Check,
    /// Satisfaction summaries by email.
    #[command(subcommand)]
    Digest(DigestCommand),
    /// Manage people.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

fn parse_instant(raw: &str) -> std::result::Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| {
            "give an instant like 2026-11-30T00:30:00Z or 2027-03-01T00:05:00+01:00".into()
        })
}

/// Runs the command line and returns the process's exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error)
            if matches!(
                error.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) =>
        {
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            let rendered = error.render().to_string();
            eprintln!(
                "{}",
                rendered.lines().next().unwrap_or("error: bad arguments")
            );
            return ExitCode::from(2);
        }
    };
    telemetry::init(cli.log_format);
    // The one clock of this run, chosen here and passed down.
    let clock = cli.clock.map_or_else(Clock::system, Clock::starting_at);
    let config = Config {
        public_url: cli
            .mail
            .public_url
            .clone()
            .unwrap_or_else(|| Config::new(&cli.data_dir).public_url),
        smtp_url: cli.mail.smtp_url.clone().map(Secret),
        mail_from: cli.mail.mail_from.clone(),
        mail_retry: std::time::Duration::from_secs(cli.mail.mail_retry_seconds),
        mail_lease: std::time::Duration::from_secs(cli.mail.mail_lease_seconds),
        mail_in_flight: cli.mail.mail_in_flight,
        mail_poll: std::time::Duration::from_secs(cli.mail.mail_poll_seconds),
        clock: clock.clone(),
        ..Config::new(&cli.data_dir)
    };
    let config = match cli
        .identity
        .apply(config)
        .and_then(|config| cli.prometheus.apply(config))
    {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {}", describe(&error));
            return ExitCode::from(2);
        }
    };
    let outcome = match cli.command {
        None => serve::serve(config, cli.serve, cli.mail.public_url.is_some()),
        Some(Command::Serve(args)) => serve::serve(config, args, cli.mail.public_url.is_some()),
        Some(Command::Digest(command)) => {
            digest::digest(config, command, cli.mail.public_url.is_some())
        }
        Some(Command::Seed) => serve::seed_database(&cli.data_dir, &clock),
        Some(Command::Reindex) => operations::reindex(&cli.data_dir),
        Some(Command::Backup { destination }) => operations::backup(&cli.data_dir, &destination),
        Some(Command::Restore { source }) => operations::restore(&cli.data_dir, &source),
        Some(Command::Check) => operations::check(&cli.data_dir, clock.now()),
        Some(Command::User(UserCommand::Add(args))) => accounts::add_user(
            &cli.data_dir,
            args,
            cli.identity.has_company_sign_in(),
            &clock,
        ),
        Some(Command::Token(command)) => accounts::token(&cli.data_dir, command, &clock),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", describe(&error));
            ExitCode::FAILURE
        }
    }
}

/// One line saying what went wrong, field errors included.
fn describe(error: &Error) -> String {
    match error {
        Error::Invalid(errors) => errors
            .iter()
            .map(|error| format!("{}: {}", error.field, error.message))
            .collect::<Vec<_>>()
            .join("; "),
        Error::Database(error) => format!("database: {error}"),
        other => other.to_string(),
    }
}

pub(crate) fn open_data_dir(data_dir: &Path) -> Result<PathBuf> {
    crate::data_dir::prepare(data_dir)?;
    Ok(config::database_path(data_dir))
}
