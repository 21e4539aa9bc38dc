//! Copies of the database: an online backup taken while a server writes,
//! restoring one, and the checks an operator runs on either.
//!
//! Both directions use SQLite's backup API with every page copied in one
//! step, inside one read transaction of the source: the copy is the
//! database as of one commit, and in WAL mode writers go on meanwhile (a
//! step of a few pages at a time would start over whenever the server
//! commits). A backup is written beside its destination and renamed into
//! place only once complete, synced and checked.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::migrations;
use crate::error::{Error, Result};

/// What a backup or restore copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub bytes: u64,
    pub schema_version: i64,
    pub elapsed: Duration,
}

/// A connection that only reads `path`, for copying and checking.
pub fn open_read_only(path: &Path) -> Result<Connection> {
    if !path.is_file() {
        return Err(Error::invalid(
            "database",
            format!("{} is not a file", path.display()),
        ));
    }
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    connection.busy_timeout(Duration::from_secs(5))?;
    Ok(connection)
}

/// Copies the database at `source` into the new file `destination` while
/// other processes may be writing it.
pub fn backup(source: &Path, destination: &Path) -> Result<Copied> {
    let started = Instant::now();
    if destination.exists() {
        return Err(Error::invalid(
            "destination",
            format!("{} already exists; name a new file", destination.display()),
        ));
    }
    let partial = with_suffix(destination, ".partial");
    let _ = std::fs::remove_file(&partial);
    let copied = (|| -> Result<Copied> {
        let from = open_read_only(source)?;
        let mut to = Connection::open(&partial)?;
        copy(&from, &mut to)?;
        let schema_version = expect_earshot(&to)?;
        drop(to);
        sync_file(&partial)?;
        Ok(Copied {
            bytes: std::fs::metadata(&partial).map_or(0, |metadata| metadata.len()),
            schema_version,
            elapsed: Duration::ZERO,
        })
    })();
    let copied = match copied {
        Ok(copied) => copied,
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            return Err(error);
        }
    };
    std::fs::rename(&partial, destination).map_err(|error| io_error(destination, &error))?;
    if let Some(directory) = destination.parent() {
        sync_directory(directory)?;
    }
    Ok(Copied {
        elapsed: started.elapsed(),
        ..copied
    })
}

/// Replaces the database at `destination` with the copy at `source`,
/// after checking the copy. The caller holds the data directory's lock (no
/// server runs); SQLite's locks keep out any other process meanwhile.
pub fn restore(source: &Path, destination: &Path) -> Result<Copied> {
    let started = Instant::now();
    let from = open_read_only(source)?;
    let schema_version = expect_earshot(&from)?;
    let into = |destination: &Path| -> Result<Connection> {
        let mut to = Connection::open(destination)?;
        to.busy_timeout(Duration::from_secs(5))?;
        copy(&from, &mut to)?;
        Ok(to)
    };
    let to = match into(destination) {
        // A database too damaged to open is replaced as a file.
        Err(Error::Database(error))
            if matches!(
                error.sqlite_error_code(),
                Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
            ) =>
        {
            for suffix in ["", "-wal", "-shm"] {
                let path = with_suffix(destination, suffix);
                if path.exists() {
                    std::fs::remove_file(&path).map_err(|error| io_error(&path, &error))?;
                }
            }
            into(destination)?
        }
        other => other?,
    };
    // Fold the restored pages into the file itself.
    to.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    drop(to);
    Ok(Copied {
        bytes: std::fs::metadata(destination).map_or(0, |metadata| metadata.len()),
        schema_version,
        elapsed: started.elapsed(),
    })
}

/// Every page of `from` into `to`, in one step.
fn copy(from: &Connection, to: &mut Connection) -> Result<()> {
    let backup = Backup::new(from, to)?;
    let mut busy = 0;
    loop {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            StepResult::More => {}
            StepResult::Busy | StepResult::Locked if busy < 50 => {
                busy += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
            _ => {
                return Err(Error::Conflict(
                    "the database stayed locked; try again".into(),
                ));
            }
        }
    }
}

/// Checks that `connection` holds an intact Earshot database of a version
/// this Earshot knows; returns the version.
fn expect_earshot(connection: &Connection) -> Result<i64> {
    let check: String = connection.query_row("PRAGMA quick_check", [], |row| row.get(0))?;
    if check != "ok" {
        return Err(Error::Conflict(format!(
            "the copy is damaged (quick_check: {check})"
        )));
    }
    let tables: i64 = connection.query_row(
        "SELECT count(*) FROM sqlite_master
          WHERE type = 'table' AND name IN ('feedback', 'search_changes', 'email_outbox')",
        [],
        |row| row.get(0),
    )?;
    if tables != 3 {
        return Err(Error::Conflict("this is not an Earshot database".into()));
    }
    let version = migrations::version(connection)?;
    migrations::check_version(version)?;
    Ok(version)
}

/// The result of SQLite's full integrity check: "ok", or what is wrong.
pub fn integrity(connection: &Connection) -> Result<Vec<String>> {
    let mut statement = connection.prepare("PRAGMA integrity_check")?;
    let rows = statement
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Rows that break a foreign key.
pub fn foreign_key_violations(connection: &Connection) -> Result<u64> {
    let mut statement = connection.prepare("PRAGMA foreign_key_check")?;
    let mut rows = statement.query([])?;
    let mut count = 0;
    while rows.next()?.is_some() {
        count += 1;
    }
    Ok(count)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn sync_file(path: &Path) -> Result<()> {
    std::fs::File::open(path)
        .and_then(|file| file.sync_all())
        .map_err(|error| io_error(path, &error))
}

fn sync_directory(path: &Path) -> Result<()> {
    let path = if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    };
    sync_file(path)
}

fn io_error(path: &Path, error: &std::io::Error) -> Error {
    Error::Internal(format!("{}: {error}", path.display()))
}
