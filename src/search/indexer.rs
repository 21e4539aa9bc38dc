//! Keeping the index in step with SQLite.
//!
//! [`rebuild`] builds a whole new generation from a consistent snapshot of
//! SQLite. [`Indexer`] is the thread that owns the only `IndexWriter` of the
//! live generation: it waits for the database writer's commit signal, reads
//! the changes after the last one it applied, upserts or deletes their
//! documents, and commits them in one batch with the last sequence number as
//! the payload, then reloads the reader. Writers never wait for it.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

use super::{SearchIndex, create_generation, make_live, tantivy_error};
use crate::db::{self, Database};
use crate::domain::search::{EntityKind, document_key};
use crate::error::{Error, Result};

/// Changes applied per index commit, at most.
const BATCH: u32 = 20_000;
/// The pause after an index commit while writes keep coming; well within
/// the one-second freshness promise.
const COMMIT_PAUSE: Duration = Duration::from_millis(100);
/// Documents read from SQLite per query while rebuilding.
const REBUILD_PAGE: u32 = 5_000;

/// Opens the live index, rebuilding it first if it is missing, unreadable
/// or of an older schema.
pub fn open_or_rebuild(data_dir: &Path, db: &Database) -> Result<SearchIndex> {
    if let Some(index) = SearchIndex::open(data_dir) {
        return Ok(index);
    }
    let connection = db.dedicated_reader()?;
    let started = std::time::Instant::now();
    let index = rebuild(data_dir, &connection, &|_, _| {})?;
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "rebuilt the search index"
    );
    Ok(index)
}

/// Builds a new generation from SQLite and makes it live. `progress` is
/// told (documents done, documents in all) as it goes.
pub fn rebuild(
    data_dir: &Path,
    connection: &Connection,
    progress: &dyn Fn(u64, u64),
) -> Result<SearchIndex> {
    let (index, name) = create_generation(data_dir)?;
    let mut writer = index.writer(2)?;
    // One read transaction: the documents and the sequence number come from
    // the same snapshot, so changes after it are exactly those to catch up on.
    let snapshot = connection.unchecked_transaction()?;
    let seq = db::search::latest_change(&snapshot)?;
    let total = db::search::document_count(&snapshot)?;
    let mut done = 0;
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
            progress(done, total);
        }
    }
    drop(snapshot);
    index.commit(&mut writer, seq)?;
    writer.wait_merging_threads().map_err(tantivy_error)?;
    make_live(data_dir, &name)?;
    Ok(index)
}

/// The thread that follows the change sequence.
pub struct Indexer {
    thread: JoinHandle<()>,
    stop: Arc<AtomicBool>,
    db: Database,
}

impl Indexer {
    pub fn start(index: SearchIndex, db: &Database) -> Result<Indexer> {
        let stop = Arc::new(AtomicBool::new(false));
        let connection = db.dedicated_reader()?;
        let writer = index.writer(1)?;
        let thread_stop = Arc::clone(&stop);
        let thread_db = db.clone();
        let thread = std::thread::Builder::new()
            .name("earshot-indexer".into())
            .spawn(move || follow(index, writer, connection, thread_db, thread_stop))
            .map_err(|error| Error::Internal(format!("cannot start the indexer: {error}")))?;
        Ok(Indexer {
            thread,
            stop,
            db: db.clone(),
        })
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

fn follow(
    index: SearchIndex,
    mut writer: tantivy::IndexWriter,
    connection: Connection,
    db: Database,
    stop: Arc<AtomicBool>,
) {
    let signal = &db.writer_stats().signal;
    loop {
        let seen = signal.commits();
        match apply_pending(&index, &mut writer, &connection) {
            Ok(0) if stop.load(Ordering::Acquire) => return,
            Ok(0) => signal.wait_after(seen, Duration::from_secs(1)),
            // Each commit makes a segment that must later be merged: under a
            // stream of writes, gather them for a moment instead of
            // committing after every group commit of the database.
            Ok(_) if !stop.load(Ordering::Acquire) => std::thread::sleep(COMMIT_PAUSE),
            Ok(_) => {}
            Err(error) => {
                tracing::error!(%error, "indexing failed; retrying");
                let _ = writer.rollback();
                if stop.load(Ordering::Acquire) {
                    return;
                }
                std::thread::sleep(Duration::from_secs(1));
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
    let changes = db::search::changes_after(connection, index.applied(), BATCH)?;
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
