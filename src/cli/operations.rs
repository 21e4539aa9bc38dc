//! `earshot backup`, `restore`, `check` and `reindex`: what they print; the
//! work is in `maintenance` (and the rebuild in `search::indexer`).

use std::path::Path;

use chrono::{DateTime, Utc};

use indicatif::{ProgressBar, ProgressStyle};

use super::open_data_dir;
use crate::db;
use crate::error::{Error, Result};
use crate::maintenance;
use crate::storage::DataDirLock;

pub fn backup(data_dir: &Path, destination: &Path) -> Result<()> {
    let copied = maintenance::backup(data_dir, destination)?;
    println!(
        "Backed up the database (schema version {}, {:.1} MB) to {} in {:.1} s. The search index \
         is not copied: it is rebuilt from the database after a restore.",
        copied.schema_version,
        copied.bytes as f64 / 1e6,
        destination.display(),
        copied.elapsed.as_secs_f64()
    );
    Ok(())
}

pub fn restore(data_dir: &Path, source: &Path) -> Result<()> {
    let copied = maintenance::restore(data_dir, source)?;
    println!(
        "Restored the database (schema version {}, {:.1} MB) from {} in {:.1} s. The search index \
         is rebuilt at the next start; searches answer 503 until it is ready.",
        copied.schema_version,
        copied.bytes as f64 / 1e6,
        source.display(),
        copied.elapsed.as_secs_f64()
    );
    Ok(())
}

/// Prints every check; fails (exit code 1) when one found a difference.
pub fn check(data_dir: &Path, now: DateTime<Utc>) -> Result<()> {
    let report = maintenance::check(data_dir, now)?;
    print!("{report}");
    match report.differences() {
        0 => Ok(()),
        differences => Err(Error::Conflict(format!(
            "{differences} checks found differences"
        ))),
    }
}

/// Rebuilds the search index from the database, showing progress.
pub fn reindex(data_dir: &Path) -> Result<()> {
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
