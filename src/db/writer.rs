//! The single door for writes: one thread owns the only writing connection
//! and commits concurrent writes together (group commit).
//!
//! A write is a closure over a `&Connection`. The writer takes every write
//! that is waiting (up to [`MAX_BATCH`]), runs each inside its own savepoint
//! so that one failing write rolls back alone, commits the batch with one
//! fsync (`synchronous=FULL`), and only then answers each caller. An answered
//! write is therefore durable, and under load one fsync serves hundreds of
//! writes instead of one.
//!
//! Each batch begins IMMEDIATE, taking SQLite's write lock at once, so a
//! second process writing the same file (a cron `earshot digest send`)
//! waits for it instead of failing on a stale snapshot. Before committing,
//! the writer checks that the database file is still where it was opened:
//! SQLite in WAL mode would otherwise keep committing into a deleted file.
//! A write that fails for want of storage (a full disk, a read-only or
//! vanished directory) fails with [`StorageProblem`] in words.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::hooks::Action;
use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::{Notify, mpsc, oneshot};
use tracing::Span;

use crate::error::{Error, Result, storage_problem};
use crate::storage::{FileIdentity, StorageProblem};

/// The most writes committed in one transaction.
const MAX_BATCH: usize = 1024;
/// Writes that may wait for the writer before callers are slowed down.
const QUEUE_DEPTH: usize = 8192;

/// What a write reports back once the batch it ran in has been committed.
type Completion = Box<dyn FnOnce(Result<()>) + Send>;
type Job = Box<dyn FnOnce(&Connection) -> (bool, Completion) + Send>;

enum Command {
    Write(Job, Span),
    /// Copy the write-ahead log into the database file and empty it.
    Checkpoint(oneshot::Sender<Result<()>>),
    Stop,
}

/// Handle to the writer thread; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Command>,
    stats: Arc<WriterStats>,
    place: Arc<Place>,
}

/// Where the database file is, which file it was when opened, and the
/// latest diagnosis of why writes fail.
struct Place {
    path: PathBuf,
    opened: FileIdentity,
    diagnosis: Mutex<Option<(Instant, StorageProblem)>>,
}

/// How long one look at the data directory answers for every failing write.
const DIAGNOSIS_LIFETIME: Duration = Duration::from_secs(1);

impl Place {
    /// Turns a failure for want of storage into [`Error::Storage`].
    fn classify(&self, error: Error) -> Error {
        match &error {
            Error::Storage(_) => error,
            Error::Database(cause) if storage_problem(cause).is_some() => {
                Error::Storage(self.diagnose())
            }
            _ => error,
        }
    }

    fn diagnose(&self) -> StorageProblem {
        let mut latest = self.diagnosis.lock().expect("diagnosis lock poisoned");
        if let Some((at, problem)) = *latest
            && at.elapsed() < DIAGNOSIS_LIFETIME
        {
            return problem;
        }
        let problem = StorageProblem::diagnose(&self.path, &self.opened);
        tracing::error!(problem = %problem, "the database cannot be written");
        *latest = Some((Instant::now(), problem));
        problem
    }
}

/// Lets other threads wait for the next commit (the search indexer does,
/// so that it picks up changes at once instead of polling).
#[derive(Debug, Default)]
pub struct CommitSignal {
    commits: Mutex<u64>,
    committed: Condvar,
}

impl CommitSignal {
    fn notify(&self) {
        *self.commits.lock().expect("commit signal poisoned") += 1;
        self.committed.notify_all();
    }

    /// Wakes every waiter as a commit would (to make it look at a stop flag).
    pub fn wake(&self) {
        self.notify();
    }

    /// Commits so far; pass it to [`CommitSignal::wait_after`].
    pub fn commits(&self) -> u64 {
        *self.commits.lock().expect("commit signal poisoned")
    }

    /// Waits until more than `seen` commits happened, or `timeout` passed.
    pub fn wait_after(&self, seen: u64, timeout: Duration) {
        let commits = self.commits.lock().expect("commit signal poisoned");
        let _ = self
            .committed
            .wait_timeout_while(commits, timeout, |commits| *commits <= seen);
    }
}

/// Counters of the writer's work, for `/metrics`.
#[derive(Debug, Default)]
pub struct WriterStats {
    /// Transactions committed.
    pub commits: AtomicU64,
    /// Writes carried by those transactions; divided by `commits`, the batch size.
    pub writes: AtomicU64,
    /// Writes that failed and were rolled back alone.
    pub failed_writes: AtomicU64,
    /// Signalled after every commit.
    pub signal: CommitSignal,
    /// Notified after a commit that put mail in the outbox, so the sender
    /// need not wait for its next look.
    pub mail_enqueued: Notify,
}

/// Joins the writer thread once every queued write is committed.
pub struct WriterThread(JoinHandle<()>);

impl Writer {
    /// Starts the writer thread on `connection`, the database at `path`.
    pub fn start(
        mut connection: Connection,
        path: &Path,
    ) -> std::io::Result<(Writer, WriterThread)> {
        let (queue, commands) = mpsc::channel(QUEUE_DEPTH);
        let stats = Arc::new(WriterStats::default());
        let place = Arc::new(Place {
            path: path.to_owned(),
            opened: FileIdentity::of(path)?,
            diagnosis: Mutex::new(None),
        });
        let enqueued = Arc::new(AtomicBool::new(false));
        let hook_enqueued = Arc::clone(&enqueued);
        connection
            .update_hook(Some(move |action, _: &str, table: &str, _| {
                if action == Action::SQLITE_INSERT && table == "email_outbox" {
                    hook_enqueued.store(true, Ordering::Relaxed);
                }
            }))
            .map_err(std::io::Error::other)?;
        let (thread_stats, thread_place) = (Arc::clone(&stats), Arc::clone(&place));
        let thread = std::thread::Builder::new()
            .name("earshot-writer".into())
            .spawn(move || {
                let batches = Batches {
                    stats: &thread_stats,
                    place: &thread_place,
                    enqueued: &enqueued,
                };
                run(connection, commands, &batches);
            })?;
        Ok((
            Writer {
                queue,
                stats,
                place,
            },
            WriterThread(thread),
        ))
    }

    /// Runs `write` in the next batch and returns its result once the batch
    /// is durable. If `write` fails, its changes are rolled back and the
    /// rest of the batch is unaffected.
    pub async fn write<T, F>(&self, write: F) -> Result<T>
    where
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let (job, answered) = self.job(write);
        self.queue
            .send(Command::Write(job, Span::current()))
            .await
            .map_err(|_| Error::ShuttingDown)?;
        answered.await.map_err(|_| Error::ShuttingDown)?
    }

    /// [`Writer::write`] for a thread outside the async runtime (the
    /// search indexer); blocks until the batch is durable.
    pub fn write_blocking<T, F>(&self, write: F) -> Result<T>
    where
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let (job, answered) = self.job(write);
        self.queue
            .blocking_send(Command::Write(job, Span::current()))
            .map_err(|_| Error::ShuttingDown)?;
        answered.blocking_recv().map_err(|_| Error::ShuttingDown)?
    }

    fn job<T, F>(&self, write: F) -> (Job, oneshot::Receiver<Result<T>>)
    where
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let place = Arc::clone(&self.place);
        let job: Job = Box::new(move |connection| {
            let result = write(connection).map_err(|error| place.classify(error));
            let succeeded = result.is_ok();
            let completion: Completion = Box::new(move |committed| {
                let _ = answer.send(committed.and(result));
            });
            (succeeded, completion)
        });
        (job, answered)
    }

    /// Whether the database file is still the one opened (not deleted,
    /// moved or unmounted), for `/readyz`.
    pub fn in_place(&self) -> Result<()> {
        if self.place.opened.still_at(&self.place.path) {
            Ok(())
        } else {
            Err(Error::Storage(StorageProblem::Vanished))
        }
    }

    pub fn stats(&self) -> &WriterStats {
        &self.stats
    }

    /// Commits what is queued, then checkpoints the write-ahead log into
    /// the database file and truncates it, so that values just wiped (with
    /// `secure_delete` on) leave no older copy in either file.
    pub async fn checkpoint(&self) -> Result<()> {
        let (answer, answered) = oneshot::channel();
        self.queue
            .send(Command::Checkpoint(answer))
            .await
            .map_err(|_| Error::ShuttingDown)?;
        answered.await.map_err(|_| Error::ShuttingDown)?
    }

    /// Asks the writer to stop after committing everything queued before
    /// this call. Writes sent afterwards fail with [`Error::ShuttingDown`].
    pub async fn stop(&self) {
        let _ = self.queue.send(Command::Stop).await;
    }
}

impl WriterThread {
    /// Waits for the writer to finish (after `Writer::stop`).
    pub fn join(self) {
        if self.0.join().is_err() {
            tracing::error!("the writer thread panicked");
        }
    }
}

/// What the writer thread keeps beside its connection.
struct Batches<'a> {
    stats: &'a WriterStats,
    place: &'a Place,
    /// Set by the update hook when a write put mail in the outbox.
    enqueued: &'a AtomicBool,
}

fn run(mut connection: Connection, mut commands: mpsc::Receiver<Command>, batches: &Batches<'_>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        let Some(first) = commands.blocking_recv() else {
            return;
        };
        let mut stop = false;
        let mut checkpoint = None;
        match first {
            Command::Write(job, span) => batch.push((job, span)),
            Command::Checkpoint(answer) => checkpoint = Some(answer),
            Command::Stop => stop = true,
        }
        while !stop && checkpoint.is_none() && batch.len() < MAX_BATCH {
            match commands.try_recv() {
                Ok(Command::Write(job, span)) => batch.push((job, span)),
                Ok(Command::Checkpoint(answer)) => checkpoint = Some(answer),
                Ok(Command::Stop) => stop = true,
                Err(_) => break,
            }
        }
        if !batch.is_empty() {
            commit_batch(&mut connection, &mut batch, batches);
        }
        if let Some(answer) = checkpoint {
            let _ = answer.send(truncate_log(&connection));
        }
        if stop {
            commands.close();
            // Writes that raced with the stop are refused by dropping them.
            while commands.try_recv().is_ok() {}
            return;
        }
    }
}

/// `PRAGMA wal_checkpoint(TRUNCATE)`. A reader still on an older snapshot
/// keeps the log from being emptied; the next checkpoint (or SQLite's own,
/// every thousand pages) finishes the job, so that is only logged.
pub(super) fn truncate_log(connection: &Connection) -> Result<()> {
    let busy: i64 =
        connection.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))?;
    if busy != 0 {
        tracing::warn!(
            "a checkpoint could not empty the write-ahead log: a reader was still on it"
        );
    }
    Ok(())
}

fn commit_batch(connection: &mut Connection, batch: &mut Vec<(Job, Span)>, batches: &Batches<'_>) {
    let stats = batches.stats;
    let mut completions = Vec::with_capacity(batch.len());
    let mut failed_writes = 0;
    let outcome = (|| -> Result<()> {
        let mut transaction =
            connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (job, span) in batch.drain(..) {
            let _entered = span.enter();
            let savepoint = transaction.savepoint()?;
            let (succeeded, completion) = match catch_unwind(AssertUnwindSafe(|| job(&savepoint))) {
                Ok(outcome) => outcome,
                Err(_) => {
                    tracing::error!("a write panicked; it was rolled back");
                    (false, Box::new(|_| {}) as Completion)
                }
            };
            if succeeded {
                savepoint.commit()?;
            } else {
                failed_writes += 1;
            }
            completions.push(completion);
        }
        // Dropping the transaction rolls the batch back.
        if !batches.place.opened.still_at(&batches.place.path) {
            return Err(Error::Storage(batches.place.diagnose()));
        }
        transaction.commit()?;
        Ok(())
    })();
    batch.clear();
    let enqueued = batches.enqueued.swap(false, Ordering::Relaxed);
    if outcome.is_ok() {
        stats.commits.fetch_add(1, Ordering::Relaxed);
        stats.writes.fetch_add(
            (completions.len() - failed_writes) as u64,
            Ordering::Relaxed,
        );
        stats
            .failed_writes
            .fetch_add(failed_writes as u64, Ordering::Relaxed);
        stats.signal.notify();
        if enqueued {
            stats.mail_enqueued.notify_one();
        }
    }
    let failure = outcome
        .err()
        .map(|error| match batches.place.classify(error) {
            Error::Storage(problem) => Err(problem),
            error => {
                tracing::error!(%error, "committing a batch of writes failed");
                Ok(error.to_string())
            }
        });
    for completion in completions {
        completion(match &failure {
            None => Ok(()),
            Some(Err(problem)) => Err(Error::Storage(*problem)),
            Some(Ok(message)) => Err(Error::Internal(format!("commit failed: {message}"))),
        });
    }
}
