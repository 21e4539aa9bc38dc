//! Numbered SQL migrations embedded in the binary, applied at start.
//!
//! The schema version is SQLite's `user_version`. A database whose version
//! is newer than the last migration this binary knows was written by a newer
//! Earshot; it is refused rather than misread.
//!
//! A migration that has landed never changes: databases out there already
//! ran it. `migrations/checksums.sha256` records each one's SHA-256 when it
//! lands (`sha256sum *.sql` format) and a test compares them, so an edit
//! fails CI; change the schema with a new migration instead.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Error, Result};

/// Every migration, in order. Never edit one that has landed: add a new one.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_initial",
        include_str!("../../migrations/0001_initial.sql"),
    ),
    (
        "0002_survey_answer_counts",
        include_str!("../../migrations/0002_survey_answer_counts.sql"),
    ),
    (
        "0003_discovery",
        include_str!("../../migrations/0003_discovery.sql"),
    ),
    (
        "0004_roadmap_answers_in_search",
        include_str!("../../migrations/0004_roadmap_answers_in_search.sql"),
    ),
    (
        "0005_summary_send_minute",
        include_str!("../../migrations/0005_summary_send_minute.sql"),
    ),
    (
        "0006_identity",
        include_str!("../../migrations/0006_identity.sql"),
    ),
    (
        "0007_operations",
        include_str!("../../migrations/0007_operations.sql"),
    ),
    (
        "0008_workflow",
        include_str!("../../migrations/0008_workflow.sql"),
    ),
    (
        "0009_disclosure_control",
        include_str!("../../migrations/0009_disclosure_control.sql"),
    ),
    (
        "0010_satisfaction",
        include_str!("../../migrations/0010_satisfaction.sql"),
    ),
];

/// The schema version this Earshot brings a database to.
pub fn known_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// The schema version of the database on `connection` (`user_version`).
pub fn version(connection: &Connection) -> Result<i64> {
    Ok(connection.pragma_query_value(None, "user_version", |row| row.get(0))?)
}

/// Refuses a version outside `0..=known`: a newer Earshot's database, or
/// one whose `user_version` was set by something else.
pub fn check_version(current: i64) -> Result<()> {
    let known = known_version();
    if current > known {
        return Err(Error::Internal(format!(
            "the database has schema version {current} but this Earshot knows only up to {known}: \
             it was written by a newer Earshot; run that version or restore a backup"
        )));
    }
    if current < 0 {
        return Err(Error::Internal(format!(
            "the database has schema version {current}, which no Earshot writes: \
             its user_version was changed by something else; restore a backup"
        )));
    }
    Ok(())
}

/// Applies the migrations the database has not had yet, each in a
/// transaction that reads the version again under the write lock, so two
/// processes starting at once (`serve` and a cron `digest send`) never
/// apply one twice.
pub fn apply(connection: &mut Connection) -> Result<()> {
    let current = version(connection)?;
    check_version(current)?;
    if current == known_version() {
        return Ok(());
    }
    loop {
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = version(&transaction)?;
        check_version(current)?;
        let Some((name, sql)) = MIGRATIONS.get(current as usize) else {
            return Ok(());
        };
        transaction.execute_batch(sql)?;
        transaction.pragma_update(None, "user_version", current + 1)?;
        transaction.commit()?;
        tracing::info!(migration = name, version = current + 1, "applied migration");
    }
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    use super::MIGRATIONS;

    const CHECKSUMS: &str = include_str!("../../migrations/checksums.sha256");

    #[test]
    fn every_migration_matches_the_checksum_recorded_when_it_landed() {
        let recorded: Vec<(&str, &str)> = CHECKSUMS
            .lines()
            .filter_map(|line| line.split_once("  "))
            .collect();
        assert_eq!(
            recorded.len(),
            MIGRATIONS.len(),
            "record each new migration in migrations/checksums.sha256 (sha256sum format)"
        );
        for ((name, sql), (checksum, file)) in MIGRATIONS.iter().zip(recorded) {
            assert_eq!(file, format!("{name}.sql"), "checksums are listed in order");
            assert_eq!(
                hex::encode(Sha256::digest(sql.as_bytes())),
                checksum,
                "{file} changed after it landed: add a new migration instead"
            );
        }
    }
}
