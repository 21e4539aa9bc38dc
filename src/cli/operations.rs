//! `earshot backup`, `restore` and `check`: what they print; the work is in
//! `maintenance`.

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::maintenance;

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
