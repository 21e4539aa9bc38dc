//! The data directory is private: only the user Earshot runs as may read
//! it. The directory and every directory under it are 0700 and every file
//! 0600 (the database and its log, the search index, mail written as
//! files), made so at start for what is there, and kept so for what is
//! created afterwards by a process umask of 077.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::error::{Error, Result};

/// Creates `data_dir` if needed and makes it and everything in it private.
pub fn prepare(data_dir: &Path) -> Result<()> {
    // SAFETY: umask only swaps the process's file mode mask; it cannot
    // fail and touches no memory of ours.
    unsafe {
        libc::umask(0o077);
    }
    std::fs::create_dir_all(data_dir).map_err(|error| {
        Error::Internal(format!(
            "cannot create the data directory {}: {error}",
            data_dir.display()
        ))
    })?;
    make_private(data_dir)
}

/// Makes `path` and everything under it private. Another Earshot process
/// (a server's indexer beside a CLI command) may create and rename
/// temporary files meanwhile: what vanished between being listed and being
/// visited needs nothing.
fn make_private(path: &Path) -> Result<()> {
    let cannot = |error: std::io::Error| {
        Error::Internal(format!("cannot make {} private: {error}", path.display()))
    };
    let vanished = |error: &std::io::Error| error.kind() == std::io::ErrorKind::NotFound;
    let metadata = match std::fs::metadata(path) {
        Err(error) if vanished(&error) => return Ok(()),
        other => other.map_err(cannot)?,
    };
    let mode = if metadata.is_dir() { 0o700 } else { 0o600 };
    if metadata.permissions().mode() & 0o777 != mode {
        match std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
            Err(error) if vanished(&error) => return Ok(()),
            other => other.map_err(cannot)?,
        }
    }
    if metadata.is_dir() {
        let entries = match std::fs::read_dir(path) {
            Err(error) if vanished(&error) => return Ok(()),
            other => other.map_err(cannot)?,
        };
        for entry in entries {
            let entry = entry.map_err(cannot)?;
            // A link inside points elsewhere, which is not ours to change.
            if !entry.file_type().map_err(cannot)?.is_symlink() {
                make_private(&entry.path())?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_vanished_while_the_directory_was_walked_needs_nothing() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let gone = dir.path().join("index").join(".tmp-renamed-meanwhile");
        assert!(make_private(&gone).is_ok());
    }

    #[test]
    fn everything_under_the_data_directory_is_made_private() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let nested = dir.path().join("index");
        std::fs::create_dir(&nested).expect("a directory");
        let file = nested.join("meta.json");
        std::fs::write(&file, "{}").expect("a file");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        std::fs::set_permissions(&nested, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        make_private(dir.path()).expect("made private");
        let mode = |path: &Path| {
            std::fs::metadata(path)
                .expect("metadata")
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode(&nested), 0o700);
        assert_eq!(mode(&file), 0o600);
    }
}
