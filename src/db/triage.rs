//! Triage writes: one item's whole triage in one transaction, bulk changes
//! to selected items, the platform team's members (assignees), and saved
//! inbox views.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::feedback;
use super::pain_points;
use crate::domain::feedback::Feedback;
use crate::domain::pain_point::NewPainPoint;
use crate::domain::triage::{BulkChange, SavedView, Triage};
use crate::error::{Error, Result};

/// The platform team's members, by name: whom items can be assigned to.
pub fn team_members(connection: &Connection) -> Result<Vec<(i64, String)>> {
    let mut statement = connection.prepare_cached(
        "SELECT id, name FROM users WHERE role IN ('team', 'admin') ORDER BY lower(name), id",
    )?;
    let members = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(members)
}

fn require_team_member(connection: &Connection, field: &'static str, id: i64) -> Result<()> {
    let member: bool = connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1 AND role IN ('team', 'admin'))",
        [id],
        |row| row.get(0),
    )?;
    if member {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            "choose someone on the platform team from the list",
        ))
    }
}

/// What one save changed, for the confirmation and the submitter's notice.
#[derive(Debug, Clone, PartialEq)]
pub struct Saved {
    /// The item before the save.
    pub before: Feedback,
    /// Pain points the item became evidence for: (id, title).
    pub linked: Vec<(i64, String)>,
    pub noted: bool,
}

impl Saved {
    /// "Saved: status triaged, 2 tags, linked to 1 pain point, note added."
    pub fn describe(&self, triage: &Triage) -> String {
        let mut parts = vec![format!("status {}", triage.status.as_str())];
        parts.push(match triage.tags.len() {
            0 => "no tags".to_owned(),
            1 => "1 tag".to_owned(),
            tags => format!("{tags} tags"),
        });
        if triage.assignee.is_some() {
            parts.push("assigned".to_owned());
        }
        match self.linked.len() {
            0 => {}
            1 => parts.push(format!("evidence for “{}”", self.linked[0].1)),
            linked => parts.push(format!("evidence for {linked} pain points")),
        }
        if self.noted {
            parts.push("note added".to_owned());
        }
        format!("Saved: {}.", parts.join(", "))
    }
}

/// Applies a whole triage to item `id` (status, the tag set, assignee, new
/// evidence links, a new pain point from the item, a note); the caller's
/// transaction makes it all or nothing.
pub fn apply(
    connection: &Connection,
    id: i64,
    triage: &Triage,
    by: i64,
    now: DateTime<Utc>,
) -> Result<Saved> {
    let before = feedback::feedback_by_id(connection, id)?.ok_or(Error::NotFound)?;
    if let Some(assignee) = triage.assignee {
        require_team_member(connection, "assignee", assignee)?;
    }
    if before.status != triage.status {
        feedback::set_status(connection, id, triage.status, now)?;
    }
    connection.execute(
        "UPDATE feedback SET assignee_id = ?2 WHERE id = ?1 AND assignee_id IS NOT ?2",
        params![id, triage.assignee],
    )?;
    if before.tags != triage.tags {
        connection.execute("DELETE FROM feedback_tags WHERE feedback_id = ?1", [id])?;
        feedback::add_tags(connection, id, &triage.tags)?;
    }
    let mut targets = triage.pain_points.clone();
    if let Some(title) = &triage.new_pain_point {
        let pain_point = NewPainPoint {
            title: title.clone(),
            description: String::new(),
            services: vec![before.service_slug.clone()],
            tags: Vec::new(),
        };
        targets.push(pain_points::insert(connection, &pain_point, now)?);
    }
    let mut linked = Vec::new();
    for pain_point in targets {
        let title = pain_points::by_id(connection, pain_point, now)?
            .filter(|found| found.merged_into.is_none())
            .map(|found| found.title)
            .ok_or_else(|| Error::invalid("pain_points", "choose a pain point from the list"))?;
        if pain_points::add_evidence(connection, pain_point, &[id], by, now)? > 0 {
            linked.push((pain_point, title));
        }
    }
    if let Some(note) = &triage.note {
        feedback::add_note(connection, id, by, note, now)?;
    }
    Ok(Saved {
        before,
        linked,
        noted: triage.note.is_some(),
    })
}

/// Applies `change` to every item in `ids`; returns the items as they were
/// before, so the caller can tell submitters whose status changed.
pub fn bulk(
    connection: &Connection,
    ids: &[i64],
    change: &BulkChange,
    now: DateTime<Utc>,
) -> Result<Vec<Feedback>> {
    if let BulkChange::Assign(Some(assignee)) = change {
        require_team_member(connection, "bulk_assignee", *assignee)?;
    }
    let mut before = Vec::with_capacity(ids.len());
    for id in ids {
        let item = feedback::feedback_by_id(connection, *id)?
            .ok_or_else(|| Error::invalid("feedback_ids", format!("there is no feedback #{id}")))?;
        match change {
            BulkChange::Status(status) => feedback::set_status(connection, *id, *status, now)?,
            BulkChange::AddTags(tags) => feedback::add_tags(connection, *id, tags)?,
            BulkChange::Assign(assignee) => {
                connection.execute(
                    "UPDATE feedback SET assignee_id = ?2, updated_at = ?3 WHERE id = ?1",
                    params![id, assignee, now],
                )?;
            }
        }
        before.push(item);
    }
    Ok(before)
}

/// The next item waiting for triage (status new) after `id` in the
/// inbox's order (newest first), starting again from the top at the end.
pub fn next_waiting(connection: &Connection, id: i64) -> Result<Option<i64>> {
    Ok(connection
        .query_row(
            "SELECT id FROM feedback
              WHERE status = 'new' AND id <> ?1
              ORDER BY created_at < coalesce((SELECT created_at FROM feedback WHERE id = ?1), '') DESC,
                       created_at DESC, id DESC
              LIMIT 1",
            [id],
            |row| row.get(0),
        )
        .optional()?)
}

pub fn saved_views(connection: &Connection, user_id: i64) -> Result<Vec<SavedView>> {
    let mut statement = connection.prepare_cached(
        "SELECT id, name, query FROM saved_views WHERE user_id = ?1 ORDER BY lower(name)",
    )?;
    let views = statement
        .query_map([user_id], |row| {
            Ok(SavedView {
                id: row.get(0)?,
                name: row.get(1)?,
                query: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(views)
}

/// Saves a view under `name`, replacing one of the same name.
pub fn save_view(
    connection: &Connection,
    user_id: i64,
    name: &str,
    query: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    connection.execute(
        "INSERT INTO saved_views (user_id, name, query, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (user_id, name) DO UPDATE SET query = excluded.query",
        params![user_id, name, query, now],
    )?;
    Ok(())
}

/// Deletes one of `user_id`'s views; `NotFound` if it is not theirs.
pub fn delete_view(connection: &Connection, user_id: i64, id: i64) -> Result<()> {
    let deleted = connection.execute(
        "DELETE FROM saved_views WHERE id = ?1 AND user_id = ?2",
        params![id, user_id],
    )?;
    if deleted == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}
