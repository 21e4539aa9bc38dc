//! The index as requests see it: ready, or being checked or rebuilt.
//!
//! [`LiveIndex`] is what the server holds. Searches run on the current
//! generation when it is ready and answer [`Error::SearchUnavailable`]
//! (503 with `Retry-After`) otherwise. A search that fails or panics is
//! caught: the generation's checksums are verified at once, and if a file is
//! damaged the index is marked for rebuilding (the indexer thread does it in
//! the background) and the search answers 503; if every file is intact the
//! failure is a fault of ours, reported as one (500, logged).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use tokio::sync::watch;

use super::SearchIndex;
use super::query::{SearchHit, SearchRequest, SearchResults, Viewer};
use crate::db::Database;
use crate::error::{Error, Result};

/// What searches see; cheap to clone.
#[derive(Clone)]
pub struct LiveIndex {
    shared: Arc<Shared>,
}

struct Shared {
    state: RwLock<State>,
    /// True while a generation is ready, for waiting on it.
    ready: watch::Sender<bool>,
    /// One verification of checksums at a time.
    verifying: Mutex<()>,
    /// Set when a search found damage; the indexer thread picks it up.
    suspect: AtomicBool,
    /// Wakes the indexer thread.
    db: Database,
    rebuilds: AtomicU64,
    rebuilt_documents: AtomicU64,
    rebuild_total: AtomicU64,
}

enum State {
    Checking,
    Rebuilding,
    Ready(Box<SearchIndex>),
}

/// The index's state, for `/metrics`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchStatus {
    /// `checking`, `rebuilding` or `ready`.
    pub state: &'static str,
    /// The last change searches can see, when ready.
    pub applied: Option<i64>,
    /// Rebuilds since the server started (at start included).
    pub rebuilds: u64,
}

impl LiveIndex {
    pub(super) fn new(db: Database) -> LiveIndex {
        LiveIndex {
            shared: Arc::new(Shared {
                state: RwLock::new(State::Checking),
                ready: watch::Sender::new(false),
                verifying: Mutex::new(()),
                suspect: AtomicBool::new(false),
                db,
                rebuilds: AtomicU64::new(0),
                rebuilt_documents: AtomicU64::new(0),
                rebuild_total: AtomicU64::new(0),
            }),
        }
    }

    /// Runs a search on the ready generation.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        self.run(|index| index.search(request))
    }

    /// Things like `text`, for the feedback form.
    pub fn similar(&self, text: &str, viewer: Viewer, limit: usize) -> Result<Vec<SearchHit>> {
        self.run(|index| index.similar(text, viewer, limit))
    }

    /// Waits until a generation is ready (after start or a rebuild).
    pub async fn ready(&self) {
        let mut ready = self.shared.ready.subscribe();
        let _ = ready.wait_for(|ready| *ready).await;
    }

    pub fn status(&self) -> SearchStatus {
        let (state, applied) = match &*self.read_state() {
            State::Checking => ("checking", None),
            State::Rebuilding => ("rebuilding", None),
            State::Ready(index) => ("ready", Some(index.applied())),
        };
        SearchStatus {
            state,
            applied,
            rebuilds: self.shared.rebuilds.load(Ordering::Relaxed),
        }
    }

    fn read_state(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.shared
            .state
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn set(&self, state: State) {
        let ready = matches!(state, State::Ready(_));
        *self
            .shared
            .state
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = state;
        self.shared.ready.send_replace(ready);
    }

    pub(super) fn set_checking(&self) {
        self.set(State::Checking);
    }

    pub(super) fn set_rebuilding(&self) {
        self.shared.rebuilds.fetch_add(1, Ordering::Relaxed);
        self.shared.rebuilt_documents.store(0, Ordering::Relaxed);
        self.shared.rebuild_total.store(0, Ordering::Relaxed);
        self.set(State::Rebuilding);
    }

    pub(super) fn rebuild_progress(&self, done: u64, total: u64) {
        self.shared.rebuilt_documents.store(done, Ordering::Relaxed);
        self.shared.rebuild_total.store(total, Ordering::Relaxed);
    }

    pub(super) fn set_ready(&self, index: SearchIndex) {
        self.set(State::Ready(Box::new(index)));
    }

    /// Whether a search found damage since the last call.
    pub(super) fn take_suspect(&self) -> bool {
        self.shared.suspect.swap(false, Ordering::AcqRel)
    }

    fn current(&self) -> Result<SearchIndex> {
        match &*self.read_state() {
            State::Ready(index) => Ok(SearchIndex::clone(index)),
            State::Checking => Err(Error::SearchUnavailable(
                "the search index is being checked; try again in a few seconds".into(),
            )),
            State::Rebuilding => {
                let done = self.shared.rebuilt_documents.load(Ordering::Relaxed);
                let total = self.shared.rebuild_total.load(Ordering::Relaxed);
                Err(Error::SearchUnavailable(format!(
                    "the search index is being rebuilt ({done} of {total} documents); \
                     try again in a few seconds"
                )))
            }
        }
    }

    fn run<T>(&self, search: impl FnOnce(&SearchIndex) -> Result<T>) -> Result<T> {
        let index = self.current()?;
        let failure = match catch_unwind(AssertUnwindSafe(|| search(&index))) {
            Ok(Ok(found)) => return Ok(found),
            Ok(Err(error)) => error.to_string(),
            Err(panic) => {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|message| (*message).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic".to_owned());
                format!("the search panicked: {message}")
            }
        };
        Err(self.failed(&index, &failure))
    }

    /// A search on `index` failed: damage (rebuild, 503) or a fault (500)?
    fn failed(&self, index: &SearchIndex, failure: &str) -> Error {
        let _one_at_a_time = self
            .shared
            .verifying
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let still_current = matches!(
            &*self.read_state(),
            State::Ready(current) if current.generation() == index.generation()
        );
        if !still_current {
            // Another search already found the damage.
            return self.current().err().unwrap_or_else(|| {
                Error::SearchUnavailable("the search index was just replaced; try again".into())
            });
        }
        let damage = match index.damaged_files() {
            Ok(files) if files.is_empty() => {
                return Error::Internal(format!("search failed on an intact index: {failure}"));
            }
            Ok(files) => files.join(", "),
            Err(error) => error.to_string(),
        };
        tracing::error!(%failure, %damage, "a search met a damaged index; rebuilding it");
        // The indexer thread counts the rebuild when it starts it.
        self.rebuild_progress(0, 0);
        self.set(State::Rebuilding);
        self.shared.suspect.store(true, Ordering::Release);
        self.shared.db.writer_stats().signal.wake();
        self.current().err().unwrap_or(Error::SearchUnavailable(
            "the search index is being rebuilt".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A live index over a real, empty, intact generation.
    fn ready_index() -> (LiveIndex, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let (db, _writer) = Database::open(&dir.path().join("earshot.db")).unwrap();
        let index = super::super::create_generation(dir.path(), "test").unwrap();
        let live = LiveIndex::new(db);
        live.set_ready(index);
        (live, dir)
    }

    #[test]
    fn a_panicking_search_on_an_intact_index_is_an_error_and_the_index_stays_ready() {
        let (live, _dir) = ready_index();
        let outcome: Result<()> = live.run(|_| panic!("a bug in a query"));
        let error = outcome.expect_err("the panic is an error");
        assert!(matches!(error, Error::Internal(_)), "{error:?}");
        assert!(error.to_string().contains("a bug in a query"), "{error}");
        assert_eq!(live.status().state, "ready");
        assert!(live.run(|_| Ok(())).is_ok());
    }

    #[test]
    fn searches_before_the_index_is_ready_are_unavailable_not_failed() {
        let (live, _dir) = ready_index();
        live.set_rebuilding();
        live.rebuild_progress(10, 40);
        let error = live.run(|_| Ok(())).expect_err("not ready");
        assert!(matches!(error, Error::SearchUnavailable(_)), "{error:?}");
        assert!(error.to_string().contains("10 of 40 documents"), "{error}");
        assert_eq!(error.status(), axum::http::StatusCode::SERVICE_UNAVAILABLE);
    }
}
