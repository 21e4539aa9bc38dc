//! Settings of a running Earshot, with embedded defaults: no file or
//! variable is needed to start. The command line (and its `EARSHOT_*`
//! variables, see `cli`) fills this in.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use chrono::Duration;

use crate::clock::Clock;

/// Everything `serve` needs to know.
#[derive(Debug, Clone)]
pub struct Config {
    /// Holds `earshot.db`, and later the search index and outgoing mail.
    pub data_dir: PathBuf,
    /// Address to listen on; port 0 picks a free port (tests do this).
    pub listen: SocketAddr,
    /// Mark cookies `Secure`: set when Earshot is served over https.
    pub secure_cookies: bool,
    /// How long a browser session lasts after signing in.
    pub session_lifetime: Duration,
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
            max_body_bytes: 64 * 1024,
            public_url: "http://127.0.0.1:3000".to_owned(),
            smtp_url: None,
            mail_from: "Earshot <earshot@localhost>".to_owned(),
            mail_retry: std::time::Duration::from_secs(30),
            mail_lease: std::time::Duration::from_secs(300),
            mail_in_flight: crate::mail::IN_FLIGHT,
            mail_poll: std::time::Duration::from_secs(30),
            clock: Clock::system(),
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
