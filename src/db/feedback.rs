//! Feedback items, their tags and internal notes.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::disclosure::anonymous_feedback_time;
use crate::domain::feedback::{Assignee, Author, Feedback, FeedbackFilter, Note};
use crate::domain::{FeedbackKind, FeedbackStatus, NewFeedback};
use crate::error::{Error, Result};

const FEEDBACK_SELECT: &str = "
    SELECT feedback.id, services.slug, services.name, feedback.kind, feedback.rating,
           feedback.title, feedback.body, users.id, users.name, users.email, teams.slug,
           feedback.contact_ok, feedback.status, feedback.created_at, feedback.updated_at,
           (SELECT group_concat(tags.name, ',') FROM feedback_tags
              JOIN tags ON tags.id = feedback_tags.tag_id
             WHERE feedback_tags.feedback_id = feedback.id),
           feedback.assignee_id, assignees.name, feedback.notify_status
      FROM feedback
      JOIN services ON services.id = feedback.service_id
      LEFT JOIN users ON users.id = feedback.author_id
      LEFT JOIN teams ON teams.id = users.team_id
      LEFT JOIN users AS assignees ON assignees.id = feedback.assignee_id";

fn feedback_from_row(row: &Row<'_>) -> rusqlite::Result<Feedback> {
    let kind: String = row.get(3)?;
    let status: String = row.get(12)?;
    let author_id: Option<i64> = row.get(7)?;
    let author = match author_id {
        None => None,
        Some(id) => Some(Author {
            id,
            name: row.get(8)?,
            email: row.get(9)?,
            team: row.get(10)?,
        }),
    };
    let tags: Option<String> = row.get(15)?;
    let mut tags: Vec<String> = tags
        .map(|tags| tags.split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    tags.sort();
    Ok(Feedback {
        id: row.get(0)?,
        service_slug: row.get(1)?,
        service_name: row.get(2)?,
        kind: FeedbackKind::parse(&kind).unwrap_or(FeedbackKind::Idea),
        rating: row.get(4)?,
        title: row.get(5)?,
        body: row.get(6)?,
        author,
        contact_ok: row.get(11)?,
        status: FeedbackStatus::parse(&status).unwrap_or(FeedbackStatus::New),
        tags,
        created_at: row.get(13)?,
        updated_at: row.get(14)?,
        assignee: match row.get::<_, Option<i64>>(16)? {
            Some(id) => Some((id, row.get(17)?)),
            None => None,
        },
        notify_status: row.get(18)?,
    })
}

/// Stores `feedback`. The author is dropped for anonymous feedback, so it
/// cannot be stored by mistake.
pub fn insert_feedback(
    connection: &Connection,
    feedback: &NewFeedback,
    author_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let service_id: i64 = connection
        .prepare_cached("SELECT id FROM services WHERE slug = ?1")?
        .query_row([feedback.service.as_str()], |row| row.get(0))
        .optional()?
        .ok_or_else(|| {
            Error::invalid(
                "service",
                format!(
                    "there is no service {:?} in the catalog",
                    feedback.service.as_str()
                ),
            )
        })?;
    let author_id = if feedback.anonymous { None } else { author_id };
    // Anonymous feedback keeps the hour, not the moment (disclosure rule 10).
    let now = if feedback.anonymous {
        anonymous_feedback_time(now)
    } else {
        now
    };
    connection
        .prepare_cached(
            "INSERT INTO feedback (service_id, kind, rating, title, body, author_id, anonymous,
                                   contact_ok, status, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'new', ?9, ?9)",
        )?
        .execute(params![
            service_id,
            feedback.kind.as_str(),
            feedback.rating.map(|rating| rating.get()),
            feedback.title,
            feedback.body,
            author_id,
            feedback.anonymous,
            feedback.contact_ok,
            now
        ])?;
    Ok(connection.last_insert_rowid())
}

pub fn feedback_by_id(connection: &Connection, id: i64) -> Result<Option<Feedback>> {
    Ok(connection
        .prepare_cached(&format!("{FEEDBACK_SELECT} WHERE feedback.id = ?1"))?
        .query_row([id], feedback_from_row)
        .optional()?)
}

/// `text` as a LIKE pattern that matches it anywhere, literally.
fn contains_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// One page of feedback, newest first, and how many match in all.
pub fn list_feedback(
    connection: &Connection,
    filter: &FeedbackFilter,
    limit: u32,
    offset: u32,
) -> Result<(Vec<Feedback>, u64)> {
    const WHERE: &str = "
        WHERE (?1 IS NULL OR services.slug = ?1)
          AND (?2 IS NULL OR feedback.kind = ?2)
          AND (?3 IS NULL OR feedback.status = ?3)
          AND (?4 IS NULL OR feedback.created_at >= ?4)
          AND (?5 IS NULL OR feedback.created_at < ?5)
          AND (?6 IS NULL OR feedback.author_id = ?6)
          AND (?7 IS NULL OR EXISTS (
                SELECT 1 FROM feedback_tags JOIN tags ON tags.id = feedback_tags.tag_id
                 WHERE feedback_tags.feedback_id = feedback.id AND tags.name = ?7))
          AND (?8 IS NULL OR (?8 = 0 AND feedback.assignee_id IS NULL) OR feedback.assignee_id = ?8)
          AND (?9 IS NULL OR feedback.rating = ?9)
          AND (?10 IS NULL OR feedback.title LIKE ?10 ESCAPE '\\' OR feedback.body LIKE ?10 ESCAPE '\\')";
    // Dates compare as text: "2026-03-01" sorts before "2026-03-01 09:00...".
    let from = filter.from.map(|day| day.to_string());
    let before = filter
        .to
        .and_then(|day| day.succ_opt())
        .map(|day| day.to_string());
    let kind = filter.kind.map(FeedbackKind::as_str);
    let status = filter.status.map(FeedbackStatus::as_str);
    let assignee = filter.assignee.map(|assignee| match assignee {
        Assignee::Nobody => 0,
        Assignee::Person(id) => id,
    });
    let text = filter.text.as_deref().map(contains_pattern);
    let total: i64 = connection
        .prepare_cached(&format!(
            "SELECT count(*) FROM feedback JOIN services ON services.id = feedback.service_id {WHERE}"
        ))?
        .query_row(
            params![
                filter.service,
                kind,
                status,
                from,
                before,
                filter.author_id,
                filter.tag,
                assignee,
                filter.rating,
                text
            ],
            |row| row.get(0),
        )?;
    let mut statement = connection.prepare_cached(&format!(
        "{FEEDBACK_SELECT} {WHERE} ORDER BY feedback.created_at DESC, feedback.id DESC LIMIT ?11 OFFSET ?12"
    ))?;
    let items = statement
        .query_map(
            params![
                filter.service,
                kind,
                status,
                from,
                before,
                filter.author_id,
                filter.tag,
                assignee,
                filter.rating,
                text,
                limit,
                offset
            ],
            feedback_from_row,
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok((items, total.unsigned_abs()))
}

/// The newest feedback on a service (only `author`'s, if given), without
/// counting the rest: for the service page.
pub fn recent_for_service(
    connection: &Connection,
    service_id: i64,
    author: Option<i64>,
    limit: u32,
) -> Result<Vec<Feedback>> {
    let mut statement = connection.prepare_cached(&format!(
        "{FEEDBACK_SELECT} WHERE feedback.service_id = ?1 AND (?2 IS NULL OR feedback.author_id = ?2)
         ORDER BY feedback.created_at DESC, feedback.id DESC LIMIT ?3"
    ))?;
    let items = statement
        .query_map(params![service_id, author, limit], feedback_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(items)
}

/// Sets the status; `NotFound` if there is no such item.
pub fn set_status(
    connection: &Connection,
    id: i64,
    status: FeedbackStatus,
    now: DateTime<Utc>,
) -> Result<()> {
    let changed = connection.execute(
        "UPDATE feedback SET status = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, status.as_str(), now],
    )?;
    if changed == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// Adds tags (already checked names) to an item; tags it has are kept once.
pub fn add_tags(connection: &Connection, id: i64, tags: &[String]) -> Result<()> {
    require_feedback(connection, id)?;
    for tag in tags {
        connection.execute(
            "INSERT INTO tags (name) VALUES (?1) ON CONFLICT (name) DO NOTHING",
            [tag],
        )?;
        connection.execute(
            "INSERT OR IGNORE INTO feedback_tags (feedback_id, tag_id)
             SELECT ?1, id FROM tags WHERE name = ?2",
            params![id, tag],
        )?;
    }
    Ok(())
}

pub fn remove_tag(connection: &Connection, id: i64, tag: &str) -> Result<()> {
    require_feedback(connection, id)?;
    connection.execute(
        "DELETE FROM feedback_tags
          WHERE feedback_id = ?1 AND tag_id = (SELECT id FROM tags WHERE name = ?2)",
        params![id, tag],
    )?;
    Ok(())
}

pub fn add_note(
    connection: &Connection,
    id: i64,
    author_id: i64,
    body: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    require_feedback(connection, id)?;
    connection.execute(
        "INSERT INTO feedback_notes (feedback_id, author_id, body, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![id, author_id, body, now],
    )?;
    Ok(())
}

/// Internal notes on an item, oldest first.
pub fn notes(connection: &Connection, id: i64) -> Result<Vec<Note>> {
    let mut statement = connection.prepare_cached(
        "SELECT users.name, feedback_notes.body, feedback_notes.created_at
           FROM feedback_notes JOIN users ON users.id = feedback_notes.author_id
          WHERE feedback_notes.feedback_id = ?1 ORDER BY feedback_notes.id",
    )?;
    let notes = statement
        .query_map([id], |row| {
            Ok(Note {
                author_name: row.get(0)?,
                body: row.get(1)?,
                created_at: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(notes)
}

fn require_feedback(connection: &Connection, id: i64) -> Result<()> {
    let exists: bool = connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM feedback WHERE id = ?1)",
        [id],
        |row| row.get(0),
    )?;
    if exists { Ok(()) } else { Err(Error::NotFound) }
}

/// Ids of the feedback on `service` tagged `tag`, oldest first.
pub fn ids_with_tag(connection: &Connection, tag: &str, service: &str) -> Result<Vec<i64>> {
    let mut statement = connection.prepare_cached(
        "SELECT feedback.id FROM feedback
           JOIN feedback_tags ON feedback_tags.feedback_id = feedback.id
           JOIN tags ON tags.id = feedback_tags.tag_id
           JOIN services ON services.id = feedback.service_id
          WHERE tags.name = ?1 AND services.slug = ?2 ORDER BY feedback.created_at",
    )?;
    let ids = statement
        .query_map(params![tag, service], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// The newest feedback as (id, "#id title or excerpt"), for a picker.
pub fn recent_choices(connection: &Connection, limit: u32) -> Result<Vec<(i64, String)>> {
    let mut statement = connection.prepare_cached(
        "SELECT id, coalesce(title, substr(body, 1, 80)) FROM feedback
          ORDER BY created_at DESC, id DESC LIMIT ?1",
    )?;
    let choices = statement
        .query_map([limit], |row| {
            let id: i64 = row.get(0)?;
            let title: String = row.get(1)?;
            Ok((id, format!("#{id} {title}")))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(choices)
}

/// The pain points a feedback item is evidence for: (id, title).
pub fn evidence_for(connection: &Connection, feedback_id: i64) -> Result<Vec<(i64, String)>> {
    let mut statement = connection.prepare_cached(
        "SELECT pain_points.id, pain_points.title FROM pain_point_evidence
           JOIN pain_points ON pain_points.id = pain_point_evidence.pain_point_id
          WHERE pain_point_evidence.feedback_id = ?1
          ORDER BY pain_points.id",
    )?;
    let pain_points = statement
        .query_map([feedback_id], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(pain_points)
}

/// Deletes a feedback item with its tags, notes and evidence links (the
/// pain points stay, with the rest of their evidence); items marked as its
/// duplicates are unmarked. Returns whether it existed.
pub fn delete_feedback(connection: &Connection, id: i64) -> Result<bool> {
    connection.execute(
        "UPDATE feedback SET duplicate_of = NULL WHERE duplicate_of = ?1",
        [id],
    )?;
    Ok(connection.execute("DELETE FROM feedback WHERE id = ?1", [id])? > 0)
}
