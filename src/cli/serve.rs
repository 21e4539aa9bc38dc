//! `earshot serve` (the default) and `earshot seed`: serving until Ctrl-C or
//! SIGTERM, and the demo organisation with its logins.

use std::net::SocketAddr;
use std::path::Path;

use clap::Args;

use super::open_data_dir;
use crate::app::Application;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::{self, people};
use crate::error::{Error, Result};
use crate::seed;

#[derive(Debug, Args)]
pub(super) struct ServeArgs {
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

/// `public_url_given`: whether `--public-url` was set; if not, links point
/// at the address Earshot listens on, so they work on the machine it runs on.
pub(super) fn serve(config: Config, args: ServeArgs, public_url_given: bool) -> Result<()> {
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

pub(super) fn seed_database(data_dir: &Path, clock: &Clock) -> Result<()> {
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
