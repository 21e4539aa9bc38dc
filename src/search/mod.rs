//! The only module that speaks tantivy: one index of every searchable thing.
//!
//! SQLite is the source of truth and this index is a cache of it. The
//! [`indexer`] thread owns the only `IndexWriter` and follows the
//! `search_changes` sequence; each commit carries, in its payload, the
//! schema version, the identity of the database it follows and the last
//! applied sequence number, so after any crash the index catches up from
//! there, and the applied changes are pruned from SQLite.
//!
//! The index heals ([`health`], [`live`]): at start, and whenever a search
//! or the indexer meets a read error or a panic, every segment file's
//! checksum is verified; an index that is damaged, of an older
//! [`SCHEMA_VERSION`], beside another database, ahead of its database (an
//! older copy was restored) or behind changes that were pruned is rebuilt
//! from SQLite in the background, into a new directory that replaces the
//! old one only once complete. Meanwhile searches answer 503 with
//! `Retry-After`, never 500.
//!
//! On disk: `<data>/index/CURRENT` names the live generation directory
//! (`<data>/index/gen-<random>`); anything else there is leftover and removed.
//!
//! Text is analysed twice (`schema`). `prose` fields (title, body, internal) split on
//! anything but letters and digits, fold case and accents and stem English,
//! so "deploys" finds "deployment". `ident` fields keep identifiers whole as
//! typed (`ci-runner`, `k8s.prod`, `INC-4211`), folded, and score higher, so
//! exact matches rank above stemmed and fuzzy ones.

pub mod check;
mod compile;
mod facets;
mod health;
mod hits;
pub mod indexer;
pub mod live;
mod query;
mod schema;
mod similar;
mod typo;
mod visible;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::Datelike;
use tantivy::{DateTime, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

pub use query::{FacetCount, SearchHit, SearchRequest, SearchResults, SortOrder, Viewer};
use schema::{Fields, register_analyzers, schema};

use crate::domain::search::{Audience, SearchDocument};
use crate::error::{Error, Result};

/// Bumped whenever the schema, the analysis or what is indexed changes
/// (3: survey comments; 6: facets from fast fields; 7: roadmap items
/// carry what they answer, pain points are the team's; 8: the payload names
/// the database; 9: only published survey comments, dated by the day, and
/// anonymous feedback by the hour); an index built by an older version is
/// rebuilt at start.
pub const SCHEMA_VERSION: u32 = 9;

/// Threads one search spreads its segments over (the machine has 2 cores).
const SEARCH_THREADS: usize = 2;

fn tantivy_error(error: impl std::fmt::Display) -> Error {
    Error::Internal(format!("search index: {error}"))
}

/// What a commit records: the schema version, the database followed and
/// the last applied change.
#[derive(serde::Serialize, serde::Deserialize)]
struct Payload {
    schema: u32,
    database: String,
    seq: i64,
}

/// The open index, shared by searches and the indexer.
#[derive(Clone)]
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// The generation directory's name.
    generation: Arc<str>,
    /// The identity of the database this index follows.
    database: Arc<str>,
    /// The last change sequence number visible to searches.
    applied: Arc<AtomicI64>,
}

impl SearchIndex {
    /// Opens the live generation under `data_dir` as it is on disk, if it
    /// is there and of this schema version, without verifying its files or
    /// what it follows (see `health`). The error says why not.
    pub fn open(data_dir: &Path) -> Result<SearchIndex> {
        let root = index_root(data_dir);
        let name = std::fs::read_to_string(root.join("CURRENT"))
            .map_err(|_| Error::Internal("there is no search index yet".into()))?;
        let name = name.trim();
        let index = Index::open_in_dir(root.join(name)).map_err(tantivy_error)?;
        let payload = index.load_metas().map_err(tantivy_error)?.payload;
        let payload: Payload = payload
            .as_deref()
            .and_then(|payload| serde_json::from_str(payload).ok())
            .ok_or_else(|| Error::Internal("the index was built by an older Earshot".into()))?;
        if payload.schema != SCHEMA_VERSION || index.schema() != schema().0 {
            return Err(Error::Internal(format!(
                "the index has schema version {}, not {SCHEMA_VERSION}",
                payload.schema
            )));
        }
        SearchIndex::from_index(index, payload.seq, name, &payload.database)
    }

    /// The generation directory's name.
    pub fn generation(&self) -> &str {
        &self.generation
    }

    /// The identity of the database this index follows.
    pub fn database(&self) -> &str {
        &self.database
    }

    /// The files of this generation whose checksum fails: empty when every
    /// segment file is intact. An error means a file is missing or cannot
    /// be read, which is damage too.
    pub fn damaged_files(&self) -> Result<Vec<String>> {
        // Garbage in a file's footer can make tantivy panic while it reads
        // the checksum: that file is damaged too.
        let damaged = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.index.validate_checksum()
        }))
        .map_err(|_| Error::Internal("reading a checksum panicked".into()))?
        .map_err(tantivy_error)?;
        let mut names: Vec<String> = damaged
            .iter()
            .map(|path| path.display().to_string())
            .collect();
        names.sort();
        Ok(names)
    }

    fn from_index(
        mut index: Index,
        applied: i64,
        generation: &str,
        database: &str,
    ) -> Result<SearchIndex> {
        register_analyzers(&index)?;
        // Search the segments of one query on both cores.
        if SEARCH_THREADS > 1 {
            index
                .set_multithread_executor(SEARCH_THREADS)
                .map_err(tantivy_error)?;
        }
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(tantivy_error)?;
        Ok(SearchIndex {
            index,
            reader,
            fields: schema().1,
            generation: generation.into(),
            database: database.into(),
            applied: Arc::new(AtomicI64::new(applied)),
        })
    }

    /// The last change sequence number that searches can see.
    pub fn applied(&self) -> i64 {
        self.applied.load(Ordering::Acquire)
    }

    /// The index's one writer. The writer lock is an `flock`: a process
    /// forked by another thread (a test or the command line spawning
    /// `earshot`) shares the lock file's descriptor until it execs, so a
    /// lock just released by the rebuild can look busy for a moment. That
    /// is waited out, for up to two seconds; another live writer is not.
    fn writer(&self, threads: usize) -> Result<IndexWriter> {
        let mut attempts = 0;
        loop {
            match self
                .index
                .writer_with_num_threads(threads, threads * 40_000_000)
            {
                Err(tantivy::TantivyError::LockFailure(
                    tantivy::directory::error::LockError::LockBusy,
                    _,
                )) if attempts < 40 => {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                result => return result.map_err(tantivy_error),
            }
        }
    }

    fn document(&self, source: &SearchDocument) -> TantivyDocument {
        let fields = &self.fields;
        let mut document = TantivyDocument::default();
        document.add_text(fields.key, source.key());
        document.add_text(fields.entity, source.entity.as_str());
        document.add_i64(fields.id, source.id);
        document.add_text(fields.kind, source.entity.as_str());
        if let Some(subkind) = &source.subkind {
            document.add_text(fields.kind, subkind);
        }
        // The kind facet is the finest kind (pain, idea, ... for feedback),
        // which is what people narrow by.
        let kind = source.subkind.as_deref().unwrap_or(source.entity.as_str());
        document.add_text(
            fields.facet_key,
            facets::key(
                kind,
                source.team.as_deref(),
                source.created_at.year(),
                &source.services,
            ),
        );
        document.add_text(fields.title, &source.title);
        document.add_text(fields.body, &source.body);
        document.add_text(fields.ident, &source.title);
        document.add_text(fields.ident, &source.body);
        if !source.internal.is_empty() {
            document.add_text(fields.internal, &source.internal);
            document.add_text(fields.ident_internal, &source.internal);
        }
        for service in &source.services {
            document.add_text(fields.service, service);
        }
        if let Some(team) = &source.team {
            document.add_text(fields.team, team);
        }
        for tag in &source.tags {
            document.add_text(fields.tag, tag);
            document.add_text(fields.facet_tag, tag);
        }
        if let Some(status) = &source.status {
            document.add_text(fields.status, status);
        }
        if let Some(rating) = source.rating {
            document.add_u64(fields.rating, u64::from(rating));
        }
        document.add_date(
            fields.created,
            DateTime::from_timestamp_micros(source.created_at.timestamp_micros()),
        );
        let audience = match source.audience {
            Audience::Everyone => "everyone".to_owned(),
            Audience::Owner(user) => format!("user:{user}"),
            Audience::PlatformTeam => "team".to_owned(),
        };
        document.add_text(fields.audience, audience);
        document
    }

    /// Replaces (or adds) `source` in the index being written.
    fn upsert(&self, writer: &IndexWriter, source: &SearchDocument) -> Result<()> {
        writer.delete_term(Term::from_field_text(self.fields.key, &source.key()));
        writer
            .add_document(self.document(source))
            .map_err(tantivy_error)?;
        Ok(())
    }

    fn delete(&self, writer: &IndexWriter, key: &str) {
        writer.delete_term(Term::from_field_text(self.fields.key, key));
    }

    /// Commits with `seq` as the last applied change and makes it visible.
    fn commit(&self, writer: &mut IndexWriter, seq: i64) -> Result<()> {
        let mut commit = writer.prepare_commit().map_err(tantivy_error)?;
        let payload = serde_json::to_string(&Payload {
            schema: SCHEMA_VERSION,
            database: self.database.to_string(),
            seq,
        })
        .map_err(tantivy_error)?;
        commit.set_payload(&payload);
        commit.commit().map_err(tantivy_error)?;
        self.reader.reload().map_err(tantivy_error)?;
        self.applied.store(seq, Ordering::Release);
        Ok(())
    }
}

/// Where the index generations live.
fn index_root(data_dir: &Path) -> PathBuf {
    data_dir.join("index")
}

/// Removes the index of `data_dir` (after a restore), so that the next
/// start builds it from the database.
pub fn forget(data_dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(index_root(data_dir)) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(tantivy_error(error)),
        _ => Ok(()),
    }
}

/// Creates an empty index following `database` in a new generation
/// directory (not yet live).
fn create_generation(data_dir: &Path, database: &str) -> Result<SearchIndex> {
    let root = index_root(data_dir);
    // Only unique: the name of the live one is in CURRENT.
    let name = format!("gen-{:016x}", rand::random::<u64>());
    let directory = root.join(&name);
    std::fs::create_dir_all(&directory).map_err(tantivy_error)?;
    let index = Index::create_in_dir(&directory, schema().0).map_err(tantivy_error)?;
    SearchIndex::from_index(index, 0, &name, database)
}

/// Makes generation `name` the live one and removes every other.
fn make_live(data_dir: &Path, name: &str) -> Result<()> {
    let root = index_root(data_dir);
    let temporary = root.join("CURRENT.tmp");
    std::fs::write(&temporary, name).map_err(tantivy_error)?;
    std::fs::File::open(&temporary)
        .and_then(|file| file.sync_all())
        .map_err(tantivy_error)?;
    std::fs::rename(&temporary, root.join("CURRENT")).map_err(tantivy_error)?;
    if let Ok(entries) = std::fs::read_dir(&root) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() && entry.file_name() != name {
                let _ = std::fs::remove_dir_all(path);
            }
        }
    }
    Ok(())
}
