//! The operator's commands beside `serve`: `backup`, `restore` and `check`.
//!
//! `backup` copies the database online, while a server writes it
//! (`db::backup`). The search index is not copied: it is a cache of the
//! database, rebuilt from the restored copy at the next start (searches
//! answer 503 until then, everything else works). `restore` puts a backup
//! in place in a stopped data directory (it takes the lock `serve` takes)
//! and removes the index. `check` reads everything and changes nothing:
//! the database's integrity and foreign keys, its schema version, the
//! search index against the database (the database it follows, the change
//! it reached, documents of each kind, a sample compared field by field),
//! and the outbox (no lease left behind by a dead sender).

use std::fmt;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::config::database_path;
use crate::db::backup::{self, Copied};
use crate::db::{self, migrations, outbox};
use crate::error::Result;
use crate::search::check::Inspection;
use crate::storage::DataDirLock;

/// Things of each kind compared one by one with the index.
const SAMPLE_PER_KIND: u32 = 20;
/// How long `check` waits for a running server's index to catch up.
const CATCH_UP_WAIT: Duration = Duration::from_secs(10);

/// Copies the database of `data_dir` to the new file `destination`.
pub fn backup(data_dir: &Path, destination: &Path) -> Result<Copied> {
    backup::backup(&database_path(data_dir), destination)
}

/// Replaces the database of `data_dir` (no server may run on it) with the
/// backup at `source`, and removes the search index so that the next start
/// rebuilds it from the restored database.
pub fn restore(data_dir: &Path, source: &Path) -> Result<Copied> {
    let _lock = DataDirLock::acquire(data_dir, "stop it first: restore replaces its database")?;
    let copied = backup::restore(source, &database_path(data_dir))?;
    crate::search::forget(data_dir)?;
    Ok(copied)
}

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    /// Worth knowing, nothing wrong.
    Note,
    /// Something differs from what it should be.
    Differs,
}

/// One line of `earshot check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub verdict: Verdict,
    pub text: String,
}

/// Everything `earshot check` found.
#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
}

impl Report {
    fn add(&mut self, verdict: Verdict, text: impl Into<String>) {
        self.findings.push(Finding {
            verdict,
            text: text.into(),
        });
    }

    /// How many checks found a difference.
    pub fn differences(&self) -> usize {
        self.findings
            .iter()
            .filter(|finding| finding.verdict == Verdict::Differs)
            .count()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for finding in &self.findings {
            let label = match finding.verdict {
                Verdict::Ok => "ok",
                Verdict::Note => "note",
                Verdict::Differs => "DIFFERS",
            };
            writeln!(f, "{label:<8} {}", finding.text)?;
        }
        Ok(())
    }
}

/// Checks the data directory; `now` judges leases.
pub fn check(data_dir: &Path, now: DateTime<Utc>) -> Result<Report> {
    let path = database_path(data_dir);
    let connection = backup::open_read_only(&path)?;
    let mut report = Report::default();
    let server = DataDirLock::holder(data_dir);
    if let Some(pid) = server {
        report.add(
            Verdict::Note,
            format!("a server (pid {pid}) is running on this data directory"),
        );
    }
    check_database(&connection, &mut report)?;
    check_index(data_dir, &connection, server.is_some(), &mut report)?;
    check_outbox(&connection, now, &mut report)?;
    Ok(report)
}

fn check_database(connection: &db::Connection, report: &mut Report) -> Result<()> {
    let integrity = backup::integrity(connection)?;
    if integrity == ["ok"] {
        report.add(Verdict::Ok, "database integrity (integrity_check)");
    } else {
        let shown: Vec<&str> = integrity.iter().take(5).map(String::as_str).collect();
        report.add(
            Verdict::Differs,
            format!("database integrity: {}", shown.join("; ")),
        );
    }
    match backup::foreign_key_violations(connection)? {
        0 => report.add(Verdict::Ok, "no row breaks a foreign key"),
        rows => report.add(Verdict::Differs, format!("{rows} rows break a foreign key")),
    }
    let version = migrations::version(connection)?;
    let known = migrations::known_version();
    match migrations::check_version(version) {
        Err(error) => report.add(Verdict::Differs, error.to_string()),
        Ok(()) if version < known => report.add(
            Verdict::Note,
            format!("schema version {version}; this Earshot applies migrations up to {known} at its next start"),
        ),
        Ok(()) => report.add(Verdict::Ok, format!("schema version {version}")),
    }
    Ok(())
}

fn check_index(
    data_dir: &Path,
    connection: &db::Connection,
    server_running: bool,
    report: &mut Report,
) -> Result<()> {
    let deadline = Instant::now() + CATCH_UP_WAIT;
    loop {
        let inspection = match Inspection::open(data_dir) {
            Ok(inspection) => inspection,
            Err(error) if !data_dir.join("index").exists() => {
                report.add(
                    Verdict::Note,
                    format!("search index: {error}; serve builds it at start"),
                );
                return Ok(());
            }
            Err(error) => {
                report.add(
                    Verdict::Differs,
                    format!("search index: {error}; serve rebuilds it at start"),
                );
                return Ok(());
            }
        };
        // One snapshot of the database for everything compared with the index.
        let snapshot = connection.unchecked_transaction()?;
        let latest = db::search_changes::latest_change(&snapshot)?;
        let applied = inspection.applied();
        if applied < latest && server_running && Instant::now() < deadline {
            drop(snapshot);
            std::thread::sleep(Duration::from_millis(100));
            continue;
        }
        return compare_index(&inspection, &snapshot, latest, report);
    }
}

fn compare_index(
    inspection: &Inspection,
    snapshot: &db::Connection,
    latest: i64,
    report: &mut Report,
) -> Result<()> {
    let generation = inspection.generation();
    match inspection.damaged_files() {
        Ok(files) if files.is_empty() => report.add(
            Verdict::Ok,
            format!("search index {generation}: every segment file's checksum"),
        ),
        Ok(files) => report.add(
            Verdict::Differs,
            format!(
                "search index {generation}: damaged files {}",
                files.join(", ")
            ),
        ),
        Err(error) => report.add(
            Verdict::Differs,
            format!("search index {generation}: unreadable ({error})"),
        ),
    }
    let database = db::search_changes::database_id(snapshot)?;
    if inspection.database() != database {
        report.add(
            Verdict::Differs,
            format!(
                "the search index follows another database ({}), not this one ({database})",
                inspection.database()
            ),
        );
        return Ok(());
    }
    let applied = inspection.applied();
    if applied > latest {
        report.add(
            Verdict::Differs,
            format!(
                "the search index has applied change {applied}, but the database's latest is \
                 {latest}: the database is older than its index (restored?); serve rebuilds it"
            ),
        );
        return Ok(());
    }
    if applied < latest {
        let (verdict, then) = if db::search_changes::changes_kept_after(snapshot, applied)? {
            (Verdict::Note, "serve applies them")
        } else {
            (Verdict::Differs, "some were pruned, so serve rebuilds it")
        };
        report.add(
            verdict,
            format!(
                "the search index follows this database but is {} changes behind ({applied} of \
                 {latest}): {then}; documents not compared",
                latest - applied
            ),
        );
        return Ok(());
    }
    report.add(
        Verdict::Ok,
        format!(
            "the search index follows this database ({database}) up to its latest change {latest}"
        ),
    );
    let expected = db::search::document_counts(snapshot)?;
    let indexed = inspection.counts()?;
    let mut counts_differ = Vec::new();
    for ((entity, expected), (_, indexed)) in expected.iter().zip(&indexed) {
        if expected != indexed {
            counts_differ.push(format!(
                "{entity}: {indexed} in the index, {expected} in the database"
            ));
        }
    }
    let described: Vec<String> = expected
        .iter()
        .map(|(entity, count)| format!("{entity} {count}"))
        .collect();
    if counts_differ.is_empty() {
        report.add(
            Verdict::Ok,
            format!(
                "the index holds what the database has: {}",
                described.join(", ")
            ),
        );
    } else {
        report.add(
            Verdict::Differs,
            format!("documents: {}", counts_differ.join("; ")),
        );
    }
    let (compared, differences) = inspection.differences(snapshot, SAMPLE_PER_KIND)?;
    if differences.is_empty() {
        report.add(
            Verdict::Ok,
            format!("{compared} sampled things are indexed as the database has them"),
        );
    }
    for difference in differences {
        report.add(Verdict::Differs, difference);
    }
    Ok(())
}

fn check_outbox(
    connection: &db::Connection,
    now: DateTime<Utc>,
    report: &mut Report,
) -> Result<()> {
    let state = outbox::state(connection, now)?;
    let summary = format!(
        "outbox: {} pending ({} being sent now), {} sent, {} failed",
        state.pending, state.leased, state.sent, state.failed
    );
    match state.oldest_expiry {
        Some(oldest) if state.expired_leases > 0 => report.add(
            Verdict::Differs,
            format!(
                "{summary}; {} messages hold a lease that expired (the oldest at {oldest}): \
                 their sender died and no sender has taken them over since; `earshot digest \
                 send --due` or a running server retries them",
                state.expired_leases
            ),
        ),
        _ => report.add(
            Verdict::Ok,
            format!("{summary}; no lease left by a dead sender"),
        ),
    }
    Ok(())
}
