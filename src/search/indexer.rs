//! Keeping the index in step with SQLite, and healthy.
//!
//! [`rebuild`] builds a whole new generation from a consistent snapshot of
//! SQLite. [`Indexer`] is the thread that owns the index's life in `serve`:
//! it opens the live generation and checks it (`health`), rebuilds it in
//! the background when it cannot be trusted (searches answer 503
//! meanwhile), then follows the change sequence with the only
//! `IndexWriter`: it waits for the database writer's commit signal, reads
//! the changes after the last one it applied, upserts or deletes their
//! documents, commits them in one batch with the last sequence number in
//! the payload, reloads the reader, and prunes the applied changes from
//! SQLite. A failure while following (or a search that found damage) sends
//! it back to checking. Writers never wait for it.

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::live::LiveIndex;
use super::{SearchIndex, create_generation, health, make_live, tantivy_error};
use crate::db::{self, Connection, Database};
use crate::domain::search::{EntityKind, document_key};
use crate::error::{Error, Result};

/// Changes applied per index commit, at most.
const BATCH: u32 = 20_000;
/// The pause after an index commit while writes keep coming; well within
/// the one-second freshness promise.
const COMMIT_PAUSE: Duration = Duration::from_millis(100);
/// Documents read from SQLite per query while rebuilding.
const REBUILD_PAGE: u32 = 5_000;
/// Applied changes are pruned from SQLite at most this often.
const PRUNE_EVERY: Duration = Duration::from_secs(1);
/// The wait before trying again after a failure that is not damage.
const RETRY_PAUSE: Duration = Duration::from_secs(1);

/// Builds a new generation from SQLite and makes it live. `progress` is
/// told (documents done, documents in all) as it goes; an error from it
/// abandons the rebuild (the half-built generation is never made live).
pub fn rebuild(
    data_dir: &Path,
    connection: &Connection,
    progress: &dyn Fn(u64, u64) -> Result<()>,
) -> Result<SearchIndex> {
    // One read transaction: the documents and the sequence number come from
    // the same snapshot, so changes after it are exactly those to catch up on.
    let snapshot = connection.unchecked_transaction()?;
    let database = db::search_changes::database_id(&snapshot)?;
    let seq = db::search_changes::latest_change(&snapshot)?;
    let total = db::search::document_count(&snapshot)?;
    let index = create_generation(data_dir, &database)?;
    let mut writer = index.writer(2)?;
    let mut done = 0;
    progress(done, total)?;
    for entity in EntityKind::ALL {
        let mut after_id = 0;
        loop {
            let page = db::search::documents_after(&snapshot, entity, after_id, REBUILD_PAGE)?;
            let Some(last) = page.last() else { break };
            after_id = last.id;
            for document in &page {
                writer
                    .add_document(index.document(document))
                    .map_err(tantivy_error)?;
            }
            done += page.len() as u64;
            progress(done, total)?;
        }
    }
    drop(snapshot);
    index.commit(&mut writer, seq)?;
    writer.wait_merging_threads().map_err(tantivy_error)?;
    make_live(data_dir, index.generation())?;
    Ok(index)
}

/// The thread that keeps the index.
pub struct Indexer {
    thread: JoinHandle<()>,
    stop: Arc<AtomicBool>,
    db: Database,
}

impl Indexer {
    /// Starts keeping the index of `data_dir`; searches answer 503 until
    /// the live generation is checked (or rebuilt).
    pub fn start(data_dir: &Path, db: &Database) -> Result<(Indexer, LiveIndex)> {
        let stop = Arc::new(AtomicBool::new(false));
        let live = LiveIndex::new(db.clone());
        let keeper = Keeper {
            data_dir: data_dir.to_owned(),
            connection: db.dedicated_reader()?,
            db: db.clone(),
            live: live.clone(),
            stop: Arc::clone(&stop),
        };
        let thread = std::thread::Builder::new()
            .name("earshot-indexer".into())
            .spawn(move || keeper.keep())
            .map_err(|error| Error::Internal(format!("cannot start the indexer: {error}")))?;
        let indexer = Indexer {
            thread,
            stop,
            db: db.clone(),
        };
        Ok((indexer, live))
    }

    /// Applies every change committed so far, then stops. Call after the
    /// database writer has stopped.
    pub fn stop(self) {
        self.stop.store(true, Ordering::Release);
        self.db.writer_stats().signal.wake();
        if self.thread.join().is_err() {
            tracing::error!("the indexer thread panicked");
        }
    }
}

struct Keeper {
    data_dir: PathBuf,
    connection: Connection,
    db: Database,
    live: LiveIndex,
    stop: Arc<AtomicBool>,
}

/// Why following the changes ended.
enum Followed {
    Stopped,
    /// The index may be damaged: check it again.
    Suspect,
}

impl Keeper {
    fn stopping(&self) -> bool {
        self.stop.load(Ordering::Acquire)
    }

    fn keep(self) {
        while !self.stopping() {
            // A panic (garbage can make tantivy panic) must not end the
            // thread that heals the index: check it again instead.
            match catch_unwind(AssertUnwindSafe(|| self.keep_once())) {
                Ok(Followed::Stopped) => return,
                Ok(Followed::Suspect) => self.live.set_checking(),
                Err(_) => {
                    tracing::error!("the indexer panicked; checking the index again");
                    self.live.set_checking();
                    std::thread::sleep(RETRY_PAUSE);
                }
            }
        }
    }

    /// Gets a trusted index and follows the changes with it, until it must
    /// be checked again or the thread stops.
    fn keep_once(&self) -> Followed {
        let Some(index) = self.trusted_index() else {
            return Followed::Suspect;
        };
        let writer = match index.writer(1) {
            Ok(writer) => writer,
            Err(error) => {
                tracing::error!(%error, "cannot write the search index; retrying");
                std::thread::sleep(RETRY_PAUSE);
                return Followed::Suspect;
            }
        };
        self.live.set_ready(index.clone());
        self.follow(&index, writer)
    }

    /// The live generation if it can be trusted, else a new one rebuilt
    /// from SQLite; `None` after a failure worth a pause (or when stopping).
    fn trusted_index(&self) -> Option<SearchIndex> {
        // A database whose directory vanished has nothing to rebuild from,
        // and rebuilding would make the directory again.
        if self.db.in_place().is_err() {
            std::thread::sleep(RETRY_PAUSE);
            return None;
        }
        let reason = match health::open_trusted(&self.data_dir, &self.connection) {
            Ok(Ok(index)) => return Some(index),
            Ok(Err(reason)) => reason,
            Err(error) => {
                tracing::error!(%error, "cannot check the search index; retrying");
                std::thread::sleep(RETRY_PAUSE);
                return None;
            }
        };
        tracing::warn!(%reason, "rebuilding the search index");
        self.live.set_rebuilding();
        let started = Instant::now();
        let built = rebuild(&self.data_dir, &self.connection, &|done, total| {
            self.live.rebuild_progress(done, total);
            if self.stopping() {
                return Err(Error::ShuttingDown);
            }
            Ok(())
        });
        match built {
            Ok(index) => {
                tracing::info!(
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "rebuilt the search index"
                );
                Some(index)
            }
            Err(Error::ShuttingDown) => None,
            Err(error) => {
                tracing::error!(%error, "rebuilding the search index failed; retrying");
                std::thread::sleep(RETRY_PAUSE);
                None
            }
        }
    }

    fn follow(&self, index: &SearchIndex, mut writer: tantivy::IndexWriter) -> Followed {
        let signal = &self.db.writer_stats().signal;
        // Zero: whatever an earlier run left applied but unpruned goes first.
        let mut pruned = 0;
        let mut last_prune = Instant::now();
        loop {
            if self.live.take_suspect() {
                return Followed::Suspect;
            }
            let seen = signal.commits();
            let applied = catch_unwind(AssertUnwindSafe(|| {
                apply_pending(index, &mut writer, &self.connection)
            }))
            .unwrap_or_else(|_| Err(Error::Internal("applying changes panicked".into())));
            match applied {
                Ok(0) if self.stopping() => return Followed::Stopped,
                Ok(0) => signal.wait_after(seen, Duration::from_secs(1)),
                // Each commit makes a segment that must later be merged: under a
                // stream of writes, gather them for a moment instead of
                // committing after every group commit of the database.
                Ok(_) if !self.stopping() => std::thread::sleep(COMMIT_PAUSE),
                Ok(_) => {}
                Err(error) => {
                    let _ = writer.rollback();
                    // SQLite failing is no reason to read the whole index.
                    let may_be_damage = !matches!(error, Error::Database(_) | Error::Storage(_));
                    if may_be_damage && !index.damaged_files().is_ok_and(|files| files.is_empty()) {
                        tracing::error!(%error, "indexing met a damaged index");
                        return Followed::Suspect;
                    }
                    tracing::error!(%error, "indexing failed; retrying");
                    if self.stopping() {
                        return Followed::Stopped;
                    }
                    std::thread::sleep(RETRY_PAUSE);
                }
            }
            let applied = index.applied();
            if applied > pruned && last_prune.elapsed() >= PRUNE_EVERY {
                match self.db.write_blocking(move |connection| {
                    db::search_changes::prune_changes(connection, applied)
                }) {
                    Ok(through) => pruned = through,
                    Err(Error::ShuttingDown) => {}
                    Err(error) => tracing::warn!(%error, "pruning applied search changes failed"),
                }
                last_prune = Instant::now();
            }
        }
    }
}

/// Applies the changes after the last applied one; returns how many.
fn apply_pending(
    index: &SearchIndex,
    writer: &mut tantivy::IndexWriter,
    connection: &Connection,
) -> Result<usize> {
    let changes = db::search_changes::changes_after(connection, index.applied(), BATCH)?;
    let Some(last) = changes.last().map(|change| change.seq) else {
        return Ok(0);
    };
    let mut done = HashSet::new();
    for change in changes.iter().rev() {
        if !done.insert((change.entity.as_str(), change.entity_id)) {
            continue;
        }
        let Some(entity) = EntityKind::parse(&change.entity) else {
            continue;
        };
        match db::search::document(connection, entity, change.entity_id)? {
            Some(document) => index.upsert(writer, &document)?,
            None => index.delete(writer, &document_key(entity, change.entity_id)),
        }
    }
    index.commit(writer, last)?;
    Ok(changes.len())
}
