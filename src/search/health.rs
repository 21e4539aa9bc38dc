//! Whether an index on disk can be trusted to answer for the database
//! beside it: its files are intact (tantivy's checksum of every segment
//! file), it follows this database (the identity stored in SQLite when the
//! database was created), and it can catch up from the change it reached
//! (it is not ahead of the database, and no change it still needs was
//! pruned).

use std::path::Path;

use super::SearchIndex;
use crate::db::{self, Connection};
use crate::error::{Error, Result};

/// Opens the live generation and checks it: `Ok(Err(reason))` means it
/// must be rebuilt, and says why.
pub(super) fn open_trusted(
    data_dir: &Path,
    connection: &Connection,
) -> Result<std::result::Result<SearchIndex, String>> {
    // Garbage can make tantivy panic while opening: that index is damaged.
    let opened = std::panic::catch_unwind(|| SearchIndex::open(data_dir))
        .unwrap_or_else(|_| Err(Error::Internal("opening the index panicked".into())));
    let index = match opened {
        Ok(index) => index,
        Err(error) => return Ok(Err(error.to_string())),
    };
    Ok(match distrust(&index, connection)? {
        Some(reason) => Err(reason),
        None => Ok(index),
    })
}

/// Why `index` cannot answer for the database on `connection`, if it
/// cannot.
pub(super) fn distrust(index: &SearchIndex, connection: &Connection) -> Result<Option<String>> {
    match index.damaged_files() {
        Ok(files) if files.is_empty() => {}
        Ok(files) => return Ok(Some(format!("damaged files: {}", files.join(", ")))),
        Err(error) => return Ok(Some(format!("unreadable files: {error}"))),
    }
    // One snapshot, so that the identity and the changes agree.
    let snapshot = connection.unchecked_transaction()?;
    let database = db::search_changes::database_id(&snapshot)?;
    if index.database() != database {
        return Ok(Some(format!(
            "the index follows another database ({}), not this one ({database})",
            index.database()
        )));
    }
    let applied = index.applied();
    let latest = db::search_changes::latest_change(&snapshot)?;
    if applied > latest {
        return Ok(Some(format!(
            "the index has applied change {applied} but the database's latest is {latest}: \
             the database was restored from an older copy"
        )));
    }
    if !db::search_changes::changes_kept_after(&snapshot, applied)? {
        return Ok(Some(format!(
            "changes after {applied}, which the index has not applied, are no longer kept"
        )));
    }
    Ok(None)
}
