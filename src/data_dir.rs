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

fn make_private(path: &Path) -> Result<()> {
    let cannot = |error: std::io::Error| {
        Error::Internal(format!("cannot make {} private: {error}", path.display()))
    };
    let metadata = std::fs::metadata(path).map_err(cannot)?;
    let mode = if metadata.is_dir() { 0o700 } else { 0o600 };
    if metadata.permissions().mode() & 0o777 != mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(cannot)?;
    }
    if metadata.is_dir() {
        for entry in std::fs::read_dir(path).map_err(cannot)? {
            let entry = entry.map_err(cannot)?;
            // A link inside points elsewhere, which is not ours to change.
            if !entry.file_type().map_err(cannot)?.is_symlink() {
                make_private(&entry.path())?;
            }
        }
    }
    Ok(())
}
