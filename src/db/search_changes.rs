//! The change sequence the search index follows: every searchable change
//! appends to `search_changes` (SQL triggers), the indexer applies them in
//! order and prunes what it applied; the database's identity tells an index
//! which database it follows.

use rusqlite::{Connection, params};

use crate::error::Result;

/// One row of `search_changes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub seq: i64,
    pub entity: String,
    pub entity_id: i64,
}

/// Changes after `after_seq`, oldest first, at most `limit`.
pub fn changes_after(connection: &Connection, after_seq: i64, limit: u32) -> Result<Vec<Change>> {
    let mut statement = connection.prepare_cached(
        "SELECT seq, entity, entity_id FROM search_changes WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let changes = statement
        .query_map(params![after_seq, limit], |row| {
            Ok(Change {
                seq: row.get(0)?,
                entity: row.get(1)?,
                entity_id: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(changes)
}

/// The latest change sequence number (0 when nothing ever changed). Read
/// from `sqlite_sequence`, which AUTOINCREMENT keeps even once the changes
/// themselves are pruned.
pub fn latest_change(connection: &Connection) -> Result<i64> {
    Ok(connection.query_row(
        "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'search_changes'),
                         (SELECT max(seq) FROM search_changes), 0)",
        [],
        |row| row.get(0),
    )?)
}

/// Whether every change after `after_seq` is still there to apply (none
/// was pruned): an index that reached `after_seq` can catch up.
pub fn changes_kept_after(connection: &Connection, after_seq: i64) -> Result<bool> {
    let latest = latest_change(connection)?;
    if latest <= after_seq {
        return Ok(true);
    }
    let first: Option<i64> = connection.query_row(
        "SELECT min(seq) FROM search_changes WHERE seq > ?1",
        [after_seq],
        |row| row.get(0),
    )?;
    Ok(first == Some(after_seq + 1))
}

/// Changes forgotten per prune at most, so that a backlog (the first start
/// of a version that prunes) never holds the writer long.
const PRUNE_CHUNK: i64 = 10_000;

/// Forgets changes up to `seq`, which the index has applied, oldest first
/// and at most a chunk of them; returns the last change forgotten so far.
pub fn prune_changes(connection: &Connection, seq: i64) -> Result<i64> {
    let oldest: Option<i64> =
        connection.query_row("SELECT min(seq) FROM search_changes", [], |row| row.get(0))?;
    let Some(oldest) = oldest else {
        return Ok(seq);
    };
    let through = seq.min(oldest + PRUNE_CHUNK - 1);
    connection.execute("DELETE FROM search_changes WHERE seq <= ?1", [through])?;
    Ok(through)
}

/// The identity of this database, made by its first migration; a search
/// index records it to know which database it follows.
pub fn database_id(connection: &Connection) -> Result<String> {
    Ok(connection.query_row(
        "SELECT value FROM settings WHERE key = 'database_id'",
        [],
        |row| row.get(0),
    )?)
}
