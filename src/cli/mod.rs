//! The command line: `serve` (the default), `seed`, `reindex`, `digest`,
//! `user add`, `token create|list|revoke` (in `accounts`); identity and
//! hardening settings are in `identity`.
//!
//! Every flag can also come from an `EARSHOT_*` variable. Bad arguments
//! print one line on stderr and exit non-zero.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, error::ErrorKind};
use indicatif::{ProgressBar, ProgressStyle};

use crate::app::Application;
use crate::clock::Clock;
use crate::config::{self, Config, Secret};
use crate::db::{self, people};
use crate::jobs::digest_command::DigestRunner;

use crate::error::{Error, Result};
use crate::seed;
use crate::storage::DataDirLock;
use crate::telemetry::{self, LogFormat};

mod accounts;
mod identity;
mod operations;
mod reliability;

use accounts::{TokenCommand, UserCommand};
use identity::IdentityArgs;
use reliability::PrometheusArgs;

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

/// Where mail goes and what links in it point to.
#[derive(Debug, Args)]
struct MailArgs {
    /// How people reach this Earshot, for links in emails and survey
    /// invitations [default: http://<listen address> when serving,
    /// http://127.0.0.1:3000 otherwise].
    #[arg(long, env = "EARSHOT_PUBLIC_URL", global = true)]
    public_url: Option<String>,
    /// SMTP server: smtp://user:password@mail.example.com:587?tls=required (STARTTLS),
    /// smtps://user:password@mail.example.com (TLS) or smtp://localhost:25 (plain);
    /// unset: .eml files under <data>/mail.
    #[arg(long, env = "EARSHOT_SMTP_URL", global = true, hide_env_values = true)]
    smtp_url: Option<String>,
    /// The From address of every message.
    #[arg(
        long,
        env = "EARSHOT_MAIL_FROM",
        default_value = "Earshot <earshot@localhost>",
        global = true
    )]
    mail_from: String,
    /// Seconds before the first retry of a failed message (doubling after).
    #[arg(
        long,
        env = "EARSHOT_MAIL_RETRY_SECONDS",
        default_value_t = 30,
        global = true
    )]
    mail_retry_seconds: u64,
    /// Seconds a sender's claim on a message lasts: a message whose sender
    /// died is sent by another after this (the SMTP timeout stays under half).
    #[arg(
        long,
        env = "EARSHOT_MAIL_LEASE_SECONDS",
        default_value_t = 300,
        value_parser = clap::value_parser!(u64).range(2..),
        global = true
    )]
    mail_lease_seconds: u64,
    /// Messages one sender sends at once.
    #[arg(
        long,
        env = "EARSHOT_MAIL_IN_FLIGHT",
        default_value_t = crate::mail::IN_FLIGHT,
        value_parser = clap::builder::TypedValueParser::map(
            clap::value_parser!(u16).range(1..=256),
            usize::from
        ),
        global = true
    )]
    mail_in_flight: usize,
    /// Seconds between the server's looks for due summaries and mail (mail
    /// it enqueues itself is sent at once).
    #[arg(
        long,
        env = "EARSHOT_MAIL_POLL_SECONDS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..),
        global = true
    )]
    mail_poll_seconds: u64,
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

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "EARSHOT_LISTEN", default_value = "127.0.0.1:3000")]
    listen: SocketAddr,
    /// Load the demo organisation into an empty database and print the demo logins.
    #[arg(long, env = "EARSHOT_DEMO")]
    demo: bool,
    /// Mark cookies Secure (set this when Earshot is served over https).
    #[arg(long, env = "EARSHOT_SECURE_COOKIES")]
    secure_cookies: bool,
}

#[derive(Debug, Subcommand)]
enum DigestCommand {
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
        None => serve(config, cli.serve, cli.mail.public_url.is_some()),
        Some(Command::Serve(args)) => serve(config, args, cli.mail.public_url.is_some()),
        Some(Command::Digest(command)) => digest(config, command, cli.mail.public_url.is_some()),
        Some(Command::Seed) => seed_database(&cli.data_dir, &clock),
        Some(Command::Reindex) => reindex(&cli.data_dir),
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

/// `public_url_given`: whether `--public-url` was set; if not, links point
/// at the address Earshot listens on, so they work on the machine it runs on.
fn serve(config: Config, args: ServeArgs, public_url_given: bool) -> Result<()> {
    // Empty: the application points links at the address it listens on.
    let public_url = if public_url_given {
        config.public_url.clone()
    } else {
        String::new()
    };
    let config = Config {
        listen: args.listen,
        secure_cookies: args.secure_cookies,
        public_url,
        ..config
    };
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|error| Error::Internal(format!("cannot start the runtime: {error}")))?;
    runtime.block_on(async {
        let application = Application::build(config).await?;
        if args.demo {
            let loaded = application.load_demo().await?;
            print_demo_logins(loaded);
        }
        tracing::info!(address = %application.local_addr(), "Earshot is listening");
        application.run_until(shutdown_signal()).await
    })
}

/// Runs a digest command against the database, without serving; without
/// `--public-url` (`public_url_given`), links use the URL `serve` recorded.
fn digest(config: Config, command: DigestCommand, public_url_given: bool) -> Result<()> {
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

fn print_demo_logins(loaded: bool) {
    if loaded {
        println!("Loaded the demo organisation (Halcyon).");
    } else {
        println!("The database already has data; the demo organisation was not loaded again.");
    }
    println!("Demo logins (password: {}):", seed::DEMO_PASSWORD);
    for (email, role) in seed::DEMO_LOGINS {
        println!("  {role:<12} {email}");
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

pub(crate) fn open_data_dir(data_dir: &Path) -> Result<PathBuf> {
    crate::data_dir::prepare(data_dir)?;
    Ok(config::database_path(data_dir))
}

fn seed_database(data_dir: &Path, clock: &Clock) -> Result<()> {
    let path = open_data_dir(data_dir)?;
    let now = clock.now();
    let summary = db::with_connection(&path, |connection| {
        if !people::database_is_empty(connection)? {
            return Err(Error::Conflict(
                "the database already has data; `earshot seed` only loads into an empty database \
                 (use a new --data-dir)"
                    .into(),
            ));
        }
        seed::load(connection, now)
    })?;
    println!("{summary}");
    print_demo_logins(true);
    Ok(())
}

fn reindex(data_dir: &Path) -> Result<()> {
    let _lock = DataDirLock::acquire(
        data_dir,
        "stop it first (a running Earshot checks its index at start and whenever a search \
         fails, and rebuilds it by itself)",
    )?;
    let path = open_data_dir(data_dir)?;
    // Opening through `Database` applies migrations; the rebuild reads
    // through its own read-only connection.
    let (db, writer) = db::Database::open(&path)?;
    let connection = db.dedicated_reader()?;
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} documents, {per_sec}, eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    crate::search::indexer::rebuild(data_dir, &connection, &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
        Ok(())
    })?;
    bar.finish();
    drop(connection);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|error| Error::Internal(format!("cannot start the runtime: {error}")))?;
    runtime.block_on(db.stop_writer());
    writer.join();
    println!(
        "Rebuilt the search index in {:.1} s.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
