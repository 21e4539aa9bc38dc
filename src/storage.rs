//! The data directory as an operator sees it: who holds it, and what is
//! wrong with it when writes fail.
//!
//! [`DataDirLock`] is an exclusive `flock` on `<data>/earshot.lock`, holding
//! the pid of its owner. `serve`, `reindex` and `restore` take it before
//! anything else (before tantivy's own writer lock), so a second server on
//! the same directory says which process is there instead of failing deep
//! inside the search index. Commands that may run beside a server (`digest
//! send` from cron, `backup`, `check`, `user add`) do not take it: SQLite
//! serialises their writes.
//!
//! [`StorageProblem`] names what an operator must fix when the database
//! cannot be written: a full disk, a read-only or vanished directory.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The lock file inside a data directory.
pub fn lock_path(data_dir: &Path) -> PathBuf {
    data_dir.join("earshot.lock")
}

/// Held while this process owns the data directory; released when dropped
/// or when the process dies (the kernel drops the `flock`).
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
}

impl DataDirLock {
    /// Takes the lock of `data_dir` (creating the directory), or says which
    /// process holds it. `purpose` ends the refusal: what to do instead.
    pub fn acquire(data_dir: &Path, purpose: &str) -> Result<DataDirLock> {
        std::fs::create_dir_all(data_dir).map_err(|error| cannot_use(data_dir, &error))?;
        let path = lock_path(data_dir);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|error| cannot_use(data_dir, &error))?;
        // A lock released a moment ago can still be held for a few
        // milliseconds by a child process forked before it was released
        // (until that child execs and drops the descriptor), so a busy lock
        // is retried for up to two seconds before it is reported.
        let mut attempt = file.try_lock();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
        while matches!(attempt, Err(TryLockError::WouldBlock))
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(std::time::Duration::from_millis(20));
            attempt = file.try_lock();
        }
        match attempt {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = match holder.trim().parse::<u32>() {
                    Ok(pid) => format!("another Earshot (pid {pid})"),
                    Err(_) => "another Earshot".to_owned(),
                };
                return Err(Error::Conflict(format!(
                    "{holder} is using the data directory {}; {purpose}",
                    data_dir.display()
                )));
            }
            Err(TryLockError::Error(error)) => return Err(cannot_use(data_dir, &error)),
        }
        let written = file
            .set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| writeln!(file, "{}", std::process::id()));
        written.map_err(|error| cannot_use(data_dir, &error))?;
        Ok(DataDirLock { _file: file })
    }

    /// The pid written in `data_dir`'s lock file if a live process holds
    /// the lock, `None` if nobody does.
    pub fn holder(data_dir: &Path) -> Option<u32> {
        let mut file = File::open(lock_path(data_dir)).ok()?;
        match file.try_lock_shared() {
            Ok(()) => None,
            Err(_) => {
                let mut holder = String::new();
                file.read_to_string(&mut holder).ok()?;
                holder.trim().parse().ok()
            }
        }
    }
}

/// A data directory that cannot be used at all, with the reason in words.
fn cannot_use(data_dir: &Path, error: &std::io::Error) -> Error {
    let problem = StorageProblem::from_io(error);
    Error::Internal(format!(
        "cannot use the data directory {}: {}",
        data_dir.display(),
        problem.map_or_else(|| error.to_string(), |problem| problem.to_string())
    ))
}

/// What stops Earshot from saving anything, in the operator's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageProblem {
    /// SQLITE_FULL or ENOSPC.
    Full,
    /// A read-only filesystem or a directory Earshot may not write.
    ReadOnly,
    /// The database file is no longer where it was opened (deleted,
    /// renamed or unmounted): writes would go to a file nobody will read.
    Vanished,
    /// Input/output errors from the disk.
    Failing,
}

impl std::fmt::Display for StorageProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StorageProblem::Full => {
                "the disk holding Earshot's data directory is full; nothing can be saved until space is freed"
            }
            StorageProblem::ReadOnly => {
                "Earshot's data directory is read-only; nothing can be saved until it is writable again"
            }
            StorageProblem::Vanished => {
                "Earshot's data directory has vanished (deleted, moved or unmounted); nothing can be saved: restore it and restart Earshot"
            }
            StorageProblem::Failing => {
                "the disk holding Earshot's data directory fails to write (input/output error)"
            }
        })
    }
}

impl StorageProblem {
    fn from_io(error: &std::io::Error) -> Option<StorageProblem> {
        match error.kind() {
            std::io::ErrorKind::StorageFull => Some(StorageProblem::Full),
            std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied => {
                Some(StorageProblem::ReadOnly)
            }
            std::io::ErrorKind::NotFound => Some(StorageProblem::Vanished),
            _ => None,
        }
    }

    /// Looks at the directory holding `database` to tell why a write
    /// failed: it is gone, read-only or full, or the disk is failing.
    pub fn diagnose(database: &Path, opened: &FileIdentity) -> StorageProblem {
        if !opened.still_at(database) {
            return StorageProblem::Vanished;
        }
        let Some(directory) = database.parent() else {
            return StorageProblem::Failing;
        };
        let probe = directory.join(".earshot-write-probe");
        let written = File::create(&probe).and_then(|mut file| {
            file.write_all(&[0; 4096])?;
            file.sync_all()
        });
        let _ = std::fs::remove_file(&probe);
        match written {
            Ok(()) => StorageProblem::Failing,
            Err(error) => StorageProblem::from_io(&error).unwrap_or(StorageProblem::Failing),
        }
    }
}

/// Which file a path named when it was opened (device and inode), to
/// notice later that the path now names another file or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileIdentity {
    device: u64,
    inode: u64,
}

impl FileIdentity {
    pub fn of(path: &Path) -> std::io::Result<FileIdentity> {
        let metadata = std::fs::metadata(path)?;
        Ok(FileIdentity {
            device: metadata.dev(),
            inode: metadata.ino(),
        })
    }

    /// Whether `path` still names this file.
    pub fn still_at(&self, path: &Path) -> bool {
        FileIdentity::of(path).is_ok_and(|now| now == *self)
    }
}
