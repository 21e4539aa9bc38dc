//! Settings of a running Earshot, with embedded defaults: no file or
//! variable is needed to start. The command line (and its `EARSHOT_*`
//! variables, see `cli`) fills this in.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use chrono::Duration;

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
        }
    }

    /// The SQLite file.
    pub fn database_path(&self) -> PathBuf {
        database_path(&self.data_dir)
    }
}

/// The SQLite file inside a data directory.
pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join("earshot.db")
}
