//! Closing the loop with the person who gave feedback: the team's replies,
//! the private link of anonymous items, status notices they asked for, the
//! public tags and the plan they may see.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::feedback;
use crate::domain::feedback::Feedback;
use crate::domain::roadmap::RoadmapStatus;
use crate::domain::triage::{PublicPlan, Reply};
use crate::error::{Error, Result};

pub fn add_reply(
    connection: &Connection,
    feedback_id: i64,
    author_id: i64,
    body: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    feedback::feedback_by_id(connection, feedback_id)?.ok_or(Error::NotFound)?;
    connection.execute(
        "INSERT INTO feedback_replies (feedback_id, author_id, body, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![feedback_id, author_id, body, now],
    )?;
    Ok(connection.last_insert_rowid())
}

/// Replies to an item, oldest first.
pub fn replies(connection: &Connection, feedback_id: i64) -> Result<Vec<Reply>> {
    let mut statement = connection.prepare_cached(
        "SELECT feedback_replies.id, users.name, feedback_replies.body, feedback_replies.created_at
           FROM feedback_replies JOIN users ON users.id = feedback_replies.author_id
          WHERE feedback_replies.feedback_id = ?1 ORDER BY feedback_replies.id",
    )?;
    let replies = statement
        .query_map([feedback_id], |row| {
            Ok(Reply {
                id: row.get(0)?,
                author_name: row.get(1)?,
                body: row.get(2)?,
                created_at: row.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(replies)
}

/// How many replies each of `ids` has.
pub fn reply_counts(connection: &Connection, ids: &[i64]) -> Result<Vec<(i64, u32)>> {
    let mut statement = connection
        .prepare_cached("SELECT count(*) FROM feedback_replies WHERE feedback_id = ?1")?;
    ids.iter()
        .map(|id| Ok((*id, statement.query_row([id], |row| row.get(0))?)))
        .collect()
}

/// Records that the submitter of a non-anonymous item wants to hear about
/// status changes.
pub fn ask_for_status_notices(connection: &Connection, feedback_id: i64) -> Result<()> {
    connection.execute(
        "UPDATE feedback SET notify_status = 1 WHERE id = ?1 AND author_id IS NOT NULL",
        [feedback_id],
    )?;
    Ok(())
}

/// Keeps the hash of an anonymous item's private-link token.
pub fn set_reply_token_hash(connection: &Connection, feedback_id: i64, hash: &str) -> Result<()> {
    connection.execute(
        "UPDATE feedback SET reply_token_hash = ?2 WHERE id = ?1 AND anonymous = 1",
        params![feedback_id, hash],
    )?;
    Ok(())
}

/// The anonymous item whose private link has this token hash.
pub fn by_reply_token_hash(connection: &Connection, hash: &str) -> Result<Option<Feedback>> {
    let id: Option<i64> = connection
        .query_row(
            "SELECT id FROM feedback WHERE reply_token_hash = ?1 AND anonymous = 1",
            [hash],
            |row| row.get(0),
        )
        .optional()?;
    match id {
        Some(id) => feedback::feedback_by_id(connection, id),
        None => Ok(None),
    }
}

/// Every tag with whether submitters see it: (name, public, items tagged).
pub fn tags(connection: &Connection) -> Result<Vec<(String, bool, u32)>> {
    let mut statement = connection.prepare_cached(
        "SELECT tags.name, tags.public,
                (SELECT count(*) FROM feedback_tags WHERE feedback_tags.tag_id = tags.id)
           FROM tags ORDER BY tags.name",
    )?;
    let tags = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(tags)
}

/// Makes a tag public (shown to submitters) or internal again.
pub fn set_tag_public(connection: &Connection, name: &str, public: bool) -> Result<()> {
    let changed = connection.execute(
        "UPDATE tags SET public = ?2 WHERE name = ?1",
        params![name, public],
    )?;
    if changed == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// The public tags among `tags`.
pub fn public_tags(connection: &Connection, tags: &[String]) -> Result<Vec<String>> {
    let mut statement = connection.prepare_cached("SELECT public FROM tags WHERE name = ?1")?;
    let mut public = Vec::new();
    for tag in tags {
        let shown: Option<bool> = statement.query_row([tag], |row| row.get(0)).optional()?;
        if shown == Some(true) {
            public.push(tag.clone());
        }
    }
    Ok(public)
}

/// The public or shipped roadmap items an item is evidence for (through
/// its pain points): the plan it is part of.
pub fn plans_for(connection: &Connection, feedback_id: i64) -> Result<Vec<PublicPlan>> {
    let mut statement = connection.prepare_cached(
        "SELECT DISTINCT roadmap_items.id, roadmap_items.title, roadmap_items.status,
                roadmap_items.target_quarter
           FROM pain_point_evidence
           JOIN roadmap_item_pain_points
             ON roadmap_item_pain_points.pain_point_id = pain_point_evidence.pain_point_id
           JOIN roadmap_items ON roadmap_items.id = roadmap_item_pain_points.roadmap_item_id
          WHERE pain_point_evidence.feedback_id = ?1
            AND (roadmap_items.public = 1 OR roadmap_items.status = 'shipped')
            AND roadmap_items.status <> 'dropped'
          ORDER BY roadmap_items.id",
    )?;
    let plans = statement
        .query_map([feedback_id], |row| {
            let status: String = row.get(2)?;
            Ok(PublicPlan {
                id: row.get(0)?,
                title: row.get(1)?,
                status: RoadmapStatus::parse(&status).unwrap_or(RoadmapStatus::Planned),
                target_quarter: row.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(plans)
}

/// Sets whether a roadmap item is public.
pub fn set_roadmap_public(connection: &Connection, id: i64, public: bool) -> Result<()> {
    let changed = connection.execute(
        "UPDATE roadmap_items SET public = ?2 WHERE id = ?1",
        params![id, public],
    )?;
    if changed == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// Whether a roadmap item is public or shipped (readable by everyone).
pub fn roadmap_is_public(connection: &Connection, id: i64) -> Result<bool> {
    Ok(connection
        .query_row(
            "SELECT public = 1 OR status = 'shipped' FROM roadmap_items WHERE id = ?1",
            [id],
            |row| row.get(0),
        )
        .optional()?
        .unwrap_or(false))
}
