//! The only module that speaks SQL.
//!
//! [`Database`] owns one writing connection behind the `Writer` thread
//! (group commit) and a small pool of read-only connections used through
//! `spawn_blocking`, so rusqlite never runs on an async worker thread. Each
//! submodule holds the queries of one part of the product as plain functions
//! over a `&Connection`, callable from a write or a read.

pub mod audit;
pub mod backup;
pub mod credentials;
pub mod digest_reports;
pub mod digests;
pub mod directory;
pub mod feedback;
pub mod interviews;
mod links;
pub mod migrations;
pub mod outbox;
pub mod pain_points;
pub mod people;
pub mod reliability;
pub mod replies;
pub mod roadmap;
pub mod search;
pub mod search_changes;
pub mod series;
pub mod services;
pub mod settings;
pub mod survey_publication;
pub mod survey_responses;
pub mod survey_results;
pub mod surveys;
pub mod tree;
pub mod triage;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The connection type that reads and writes are handed.
pub use rusqlite::Connection;
use rusqlite::config::DbConfig;
use rusqlite::{OpenFlags, TransactionBehavior};
use tokio::sync::Semaphore;

use writer::Writer;
pub use writer::{CommitSignal, WriterStats, WriterThread};

use crate::error::{Error, Result};

/// Read connections, and so reads running at once. Reads beyond this wait
/// for a connection (asynchronously) rather than opening new ones: opening a
/// connection parses the schema, which costs more than most queries.
const READERS: usize = 8;

/// The database: one writer, many readers.
#[derive(Clone)]
pub struct Database {
    writer: Writer,
    readers: Arc<Readers>,
    settings: Arc<StorageSettings>,
}

/// How the writing connection keeps the file, read back from it once
/// configured: what the server really runs with (for `/metrics`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageSettings {
    pub journal_mode: String,
    /// `full` when every commit is fsynced.
    pub synchronous: String,
    pub foreign_keys: bool,
}

struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
}

impl Database {
    /// Opens (creating if needed) the SQLite file at `path`, applies pending
    /// migrations and starts the writer thread.
    pub fn open(path: &Path) -> Result<(Database, WriterThread)> {
        let mut connection = Connection::open(path)?;
        configure(&connection)?;
        migrations::apply(&mut connection)?;
        // What migrations rewrote (coarser times, keys removed) leaves no
        // older copy in the log.
        writer::truncate_log(&connection)?;
        let settings = Arc::new(storage_settings(&connection)?);
        let (writer, thread) = Writer::start(connection, path)
            .map_err(|error| Error::Internal(format!("cannot start the writer thread: {error}")))?;
        let readers = Arc::new(Readers {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
            permits: Semaphore::new(READERS),
        });
        Ok((
            Database {
                writer,
                readers,
                settings,
            },
            thread,
        ))
    }

    /// [`Database::write`] from a plain thread (not an async task).
    pub fn write_blocking<T, F>(&self, write: F) -> Result<T>
    where
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.writer.write_blocking(write)
    }

    /// How the writing connection keeps the file.
    pub fn storage_settings(&self) -> &StorageSettings {
        &self.settings
    }

    /// Fails with the reason when the database file is no longer the one
    /// opened (its directory was deleted, moved or unmounted).
    pub fn in_place(&self) -> Result<()> {
        self.writer.in_place()
    }

    /// Runs `write` in the writer's next batch; returns once it is durable.
    pub async fn write<T, F>(&self, write: F) -> Result<T>
    where
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.writer.write(write).await
    }

    /// Runs `read` on a read-only connection on the blocking thread pool.
    pub async fn read<T, F>(&self, read: F) -> Result<T>
    where
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let _permit = self
            .readers
            .permits
            .acquire()
            .await
            .map_err(|_| Error::ShuttingDown)?;
        let readers = Arc::clone(&self.readers);
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            let connection = readers.take()?;
            let result = read(&connection);
            readers.give_back(connection);
            result
        })
        .await
        .map_err(|error| Error::Internal(format!("a read task failed: {error}")))?
    }

    /// Checkpoints the write-ahead log into the database file and empties
    /// it (after wiping values that must leave no trace).
    pub async fn checkpoint(&self) -> Result<()> {
        self.writer.checkpoint().await
    }

    /// Counters of the writer's work.
    pub fn writer_stats(&self) -> &WriterStats {
        self.writer.stats()
    }

    /// A read-only connection of its own, for a thread that reads a lot
    /// (the search indexer) and must not hold a pooled one.
    pub fn dedicated_reader(&self) -> Result<Connection> {
        self.readers.open()
    }

    /// The path of the database file.
    pub fn path(&self) -> &Path {
        &self.readers.path
    }

    /// Commits everything queued so far and stops the writer; join the
    /// [`WriterThread`] afterwards to wait for it.
    pub async fn stop_writer(&self) {
        self.writer.stop().await;
    }
}

impl Readers {
    fn take(&self) -> Result<Connection> {
        if let Some(connection) = self.idle.lock().expect("reader pool poisoned").pop() {
            return Ok(connection);
        }
        self.open()
    }

    fn open(&self) -> Result<Connection> {
        let connection = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        configure_session(&connection)?;
        Ok(connection)
    }

    fn give_back(&self, connection: Connection) {
        let mut idle = self.idle.lock().expect("reader pool poisoned");
        if idle.len() < READERS {
            idle.push(connection);
        }
    }
}

/// Settings of the database file, made by the writing connection.
fn configure(connection: &Connection) -> Result<()> {
    configure_session(connection)?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    // FULL: every commit is fsynced, so an acknowledged write survives a
    // power cut. Group commit, not a weaker setting, pays for it.
    connection.pragma_update(None, "synchronous", "FULL")?;
    // Deleted and overwritten values are zeroed, not left in free space:
    // a wiped survey link or an old precise time must not be recoverable
    // from the file (with a checkpoint, not from the log either).
    connection.pragma_update(None, "secure_delete", true)?;
    Ok(())
}

fn storage_settings(connection: &Connection) -> Result<StorageSettings> {
    let synchronous: i64 = connection.pragma_query_value(None, "synchronous", |row| row.get(0))?;
    Ok(StorageSettings {
        journal_mode: connection.pragma_query_value(None, "journal_mode", |row| row.get(0))?,
        synchronous: match synchronous {
            0 => "off",
            1 => "normal",
            2 => "full",
            _ => "extra",
        }
        .to_owned(),
        foreign_keys: connection.pragma_query_value(None, "foreign_keys", |row| row.get(0))?,
    })
}

/// Settings every connection needs.
fn configure_session(connection: &Connection) -> Result<()> {
    connection.busy_timeout(Duration::from_secs(5))?;
    connection.pragma_update(None, "foreign_keys", true)?;
    // The query planner stability guarantee: plans do not depend on bound
    // values. Without it, the bundled SQLite (built with STAT4) re-prepares
    // statements that mix a LEFT JOIN with a bound parameter on every
    // execution, which cost more than the queries themselves.
    connection.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

/// Runs `f` in a transaction on a connection opened just for it: for the
/// command line, which runs before (or without) the server.
pub fn with_connection<T>(path: &Path, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
    let mut connection = Connection::open(path)?;
    configure(&connection)?;
    migrations::apply(&mut connection)?;
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let result = f(&transaction)?;
    transaction.commit()?;
    Ok(result)
}

/// Whether the database can answer a query (for `/readyz`).
pub fn ping(connection: &Connection) -> Result<()> {
    connection.query_row("SELECT 1", [], |_| Ok(()))?;
    Ok(())
}

/// Turns a UNIQUE violation into a friendly error on `field`.
fn unique_violation_as(error: rusqlite::Error, field: &'static str, message: &str) -> Error {
    match error.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) if error.to_string().contains("UNIQUE") => {
            Error::invalid(field, message)
        }
        _ => Error::Database(error),
    }
}
