//! Pain points and their evidence.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::links::{self, Owner};
use crate::domain::pain_point::{
    AffectedPerson, Evidence, ImpactParts, NewPainPoint, PainPoint, PainPointStatus,
};
use crate::error::{Error, Result};

/// Evidence newer than this counts as recent in the impact score.
const RECENT_DAYS: i64 = 90;

const PAIN_POINT_SELECT: &str = "
    SELECT pain_points.id, pain_points.title, pain_points.description, pain_points.status,
           pain_points.merged_into,
           count(feedback.id) + count(pain_point_evidence.highlight_id),
           count(DISTINCT feedback.author_id), count(DISTINCT users.team_id),
           coalesce(sum(feedback.created_at >= ?1), 0), avg(feedback.rating),
           min(feedback.created_at), max(feedback.created_at),
           (SELECT group_concat(services.slug, ',') FROM pain_point_services
              JOIN services ON services.id = pain_point_services.service_id
             WHERE pain_point_services.pain_point_id = pain_points.id),
           (SELECT group_concat(tags.name, ',') FROM pain_point_tags
              JOIN tags ON tags.id = pain_point_tags.tag_id
             WHERE pain_point_tags.pain_point_id = pain_points.id)
      FROM pain_points
      LEFT JOIN pain_point_evidence ON pain_point_evidence.pain_point_id = pain_points.id
      LEFT JOIN feedback ON feedback.id = pain_point_evidence.feedback_id
      LEFT JOIN users ON users.id = feedback.author_id";

fn pain_point_from_row(row: &Row<'_>) -> rusqlite::Result<PainPoint> {
    let status: String = row.get(3)?;
    Ok(PainPoint {
        id: row.get(0)?,
        title: row.get(1)?,
        description: row.get(2)?,
        status: PainPointStatus::parse(&status).unwrap_or(PainPointStatus::Open),
        merged_into: row.get(4)?,
        parts: ImpactParts {
            evidence: row.get(5)?,
            people: row.get(6)?,
            teams: row.get(7)?,
            recent: row.get(8)?,
            average_rating: row.get(9)?,
        },
        first_heard: row.get(10)?,
        last_heard: row.get(11)?,
        services: links::split_sorted(row.get(12)?),
        tags: links::split_sorted(row.get(13)?),
    })
}

pub fn insert(
    connection: &Connection,
    pain_point: &NewPainPoint,
    now: DateTime<Utc>,
) -> Result<i64> {
    connection.execute(
        "INSERT INTO pain_points (title, description, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
        params![pain_point.title, pain_point.description, now],
    )?;
    let id = connection.last_insert_rowid();
    set_links(connection, id, pain_point)?;
    Ok(id)
}

fn set_links(connection: &Connection, id: i64, pain_point: &NewPainPoint) -> Result<()> {
    links::set_services(connection, Owner::PainPoint, id, &pain_point.services)?;
    links::set_tags(connection, Owner::PainPoint, id, &pain_point.tags)
}

/// Every pain point that was not merged away, as (id, title) by title: the
/// choices of a "link to pain point" form, without computing impact.
pub fn choices(connection: &Connection) -> Result<Vec<(i64, String)>> {
    let mut statement = connection.prepare_cached(
        "SELECT id, title FROM pain_points WHERE merged_into IS NULL ORDER BY lower(title), id",
    )?;
    let choices = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(choices)
}

/// Every pain point that was not merged away, with its impact parts.
pub fn list(connection: &Connection, now: DateTime<Utc>) -> Result<Vec<PainPoint>> {
    let mut statement = connection.prepare_cached(&format!(
        "{PAIN_POINT_SELECT} WHERE pain_points.merged_into IS NULL GROUP BY pain_points.id"
    ))?;
    let recent = now - Duration::days(RECENT_DAYS);
    let pain_points = statement
        .query_map([recent], pain_point_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(pain_points)
}

/// The pain points among `ids` that were not merged away, with their impact
/// parts (only their evidence is read).
pub fn list_among(
    connection: &Connection,
    ids: &[i64],
    now: DateTime<Utc>,
) -> Result<Vec<PainPoint>> {
    let ids = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let mut statement = connection.prepare_cached(&format!(
        "{PAIN_POINT_SELECT} WHERE pain_points.merged_into IS NULL
            AND pain_points.id IN (SELECT value FROM json_each(?2))
          GROUP BY pain_points.id"
    ))?;
    let recent = now - Duration::days(RECENT_DAYS);
    let pain_points = statement
        .query_map(params![recent, ids], pain_point_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(pain_points)
}

pub fn by_id(connection: &Connection, id: i64, now: DateTime<Utc>) -> Result<Option<PainPoint>> {
    let recent = now - Duration::days(RECENT_DAYS);
    Ok(connection
        .prepare_cached(&format!(
            "{PAIN_POINT_SELECT} WHERE pain_points.id = ?2 GROUP BY pain_points.id"
        ))?
        .query_row(params![recent, id], pain_point_from_row)
        .optional()?)
}

/// The evidence of a pain point, newest first.
pub fn evidence(connection: &Connection, id: i64) -> Result<Vec<Evidence>> {
    let mut statement = connection.prepare_cached(
        "SELECT feedback.id, coalesce(feedback.title, substr(feedback.body, 1, 120)), services.slug,
                users.name, teams.slug, feedback.rating, feedback.created_at
           FROM pain_point_evidence
           JOIN feedback ON feedback.id = pain_point_evidence.feedback_id
           JOIN services ON services.id = feedback.service_id
           LEFT JOIN users ON users.id = feedback.author_id
           LEFT JOIN teams ON teams.id = users.team_id
          WHERE pain_point_evidence.pain_point_id = ?1
          ORDER BY feedback.created_at DESC",
    )?;
    let evidence = statement
        .query_map([id], |row| {
            Ok(Evidence {
                feedback_id: row.get(0)?,
                summary: row.get(1)?,
                service: row.get(2)?,
                author: row.get(3)?,
                team: row.get(4)?,
                rating: row.get(5)?,
                created_at: row.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(evidence)
}

fn require_live(connection: &Connection, id: i64) -> Result<()> {
    let merged: Option<Option<i64>> = connection
        .query_row(
            "SELECT merged_into FROM pain_points WHERE id = ?1",
            [id],
            |row| row.get(0),
        )
        .optional()?;
    match merged {
        None => Err(Error::NotFound),
        Some(Some(into)) => Err(Error::Conflict(format!(
            "this pain point was merged into #{into}"
        ))),
        Some(None) => Ok(()),
    }
}

/// Attaches feedback items; ones already attached are kept once. Returns
/// how many were new.
pub fn add_evidence(
    connection: &Connection,
    id: i64,
    feedback_ids: &[i64],
    added_by: i64,
    now: DateTime<Utc>,
) -> Result<usize> {
    require_live(connection, id)?;
    let mut added = 0;
    for feedback_id in feedback_ids {
        let exists: bool = connection.query_row(
            "SELECT EXISTS (SELECT 1 FROM feedback WHERE id = ?1)",
            [feedback_id],
            |row| row.get(0),
        )?;
        if !exists {
            return Err(Error::invalid(
                "feedback_ids",
                format!("there is no feedback #{feedback_id}"),
            ));
        }
        added += connection.execute(
            "INSERT OR IGNORE INTO pain_point_evidence (pain_point_id, feedback_id, added_by, added_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![id, feedback_id, added_by, now],
        )?;
    }
    connection.execute(
        "UPDATE pain_points SET updated_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(added)
}

/// Attaches an interview highlight as evidence.
pub fn add_highlight_evidence(
    connection: &Connection,
    id: i64,
    highlight: i64,
    added_by: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    require_live(connection, id)?;
    let exists: bool = connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM highlights WHERE id = ?1)",
        [highlight],
        |row| row.get(0),
    )?;
    if !exists {
        return Err(Error::NotFound);
    }
    connection.execute(
        "INSERT OR IGNORE INTO pain_point_evidence (pain_point_id, highlight_id, added_by, added_at) VALUES (?1, ?2, ?3, ?4)",
        params![id, highlight, added_by, now],
    )?;
    Ok(())
}

/// The people the evidence was heard from, most evidence first: authors of
/// feedback that was not anonymous, and participants of interviews whose
/// highlights are evidence. For the platform team's eyes only.
pub fn affected(connection: &Connection, id: i64) -> Result<Vec<AffectedPerson>> {
    let mut statement = connection.prepare_cached(
        "SELECT name, team, count(*) FROM (
             SELECT users.name AS name, teams.slug AS team
               FROM pain_point_evidence
               JOIN feedback ON feedback.id = pain_point_evidence.feedback_id
               JOIN users ON users.id = feedback.author_id
               LEFT JOIN teams ON teams.id = users.team_id
              WHERE pain_point_evidence.pain_point_id = ?1 AND feedback.anonymous = 0
             UNION ALL
             SELECT interviews.participant_name, teams.slug
               FROM pain_point_evidence
               JOIN highlights ON highlights.id = pain_point_evidence.highlight_id
               JOIN interviews ON interviews.id = highlights.interview_id
               LEFT JOIN teams ON teams.id = interviews.participant_team_id
              WHERE pain_point_evidence.pain_point_id = ?1)
          GROUP BY name, team ORDER BY count(*) DESC, name",
    )?;
    let people = statement
        .query_map([id], |row| {
            Ok(AffectedPerson {
                name: row.get(0)?,
                team: row.get(1)?,
                evidence: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(people)
}

/// Interview highlights attached to a pain point: (interview id, quote).
pub fn highlight_evidence(connection: &Connection, id: i64) -> Result<Vec<(i64, String)>> {
    let mut statement = connection.prepare_cached(
        "SELECT highlights.interview_id, highlights.quote FROM pain_point_evidence
           JOIN highlights ON highlights.id = pain_point_evidence.highlight_id
          WHERE pain_point_evidence.pain_point_id = ?1 ORDER BY highlights.id",
    )?;
    let quotes = statement
        .query_map([id], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(quotes)
}

pub fn remove_evidence(connection: &Connection, id: i64, feedback_id: i64) -> Result<()> {
    require_live(connection, id)?;
    connection.execute(
        "DELETE FROM pain_point_evidence WHERE pain_point_id = ?1 AND feedback_id = ?2",
        params![id, feedback_id],
    )?;
    Ok(())
}

pub fn set_status(
    connection: &Connection,
    id: i64,
    status: PainPointStatus,
    now: DateTime<Utc>,
) -> Result<()> {
    require_live(connection, id)?;
    connection.execute(
        "UPDATE pain_points SET status = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, status.as_str(), now],
    )?;
    Ok(())
}

/// Merges `from` into `into`: evidence, roadmap links, services and tags move, and `from`
/// remembers where it went so that its address redirects there.
pub fn merge(connection: &Connection, from: i64, into: i64, now: DateTime<Utc>) -> Result<()> {
    if from == into {
        return Err(Error::invalid(
            "into",
            "a pain point cannot be merged into itself",
        ));
    }
    require_live(connection, from)?;
    require_live(connection, into)?;
    connection.execute(
        "INSERT OR IGNORE INTO pain_point_evidence (pain_point_id, feedback_id, highlight_id, added_by, added_at)
         SELECT ?2, feedback_id, highlight_id, added_by, added_at FROM pain_point_evidence WHERE pain_point_id = ?1",
        params![from, into],
    )?;
    connection.execute(
        "DELETE FROM pain_point_evidence WHERE pain_point_id = ?1",
        [from],
    )?;
    connection.execute(
        "INSERT OR IGNORE INTO roadmap_item_pain_points (roadmap_item_id, pain_point_id)
         SELECT roadmap_item_id, ?2 FROM roadmap_item_pain_points WHERE pain_point_id = ?1",
        params![from, into],
    )?;
    connection.execute(
        "INSERT OR IGNORE INTO pain_point_services (pain_point_id, service_id)
         SELECT ?2, service_id FROM pain_point_services WHERE pain_point_id = ?1",
        params![from, into],
    )?;
    connection.execute(
        "INSERT OR IGNORE INTO pain_point_tags (pain_point_id, tag_id)
         SELECT ?2, tag_id FROM pain_point_tags WHERE pain_point_id = ?1",
        params![from, into],
    )?;
    connection.execute(
        "UPDATE pain_points SET merged_into = ?2, updated_at = ?3 WHERE id = ?1",
        params![from, into, now],
    )?;
    connection.execute(
        "UPDATE pain_points SET updated_at = ?2 WHERE id = ?1",
        params![into, now],
    )?;
    Ok(())
}

/// Where a pain point's address leads: itself, or what it was merged into.
pub fn merged_into(connection: &Connection, id: i64) -> Result<Option<i64>> {
    Ok(connection
        .query_row(
            "SELECT merged_into FROM pain_points WHERE id = ?1",
            [id],
            |row| row.get(0),
        )
        .optional()?
        .flatten())
}

/// Pain points about `service`: linked to it, or with feedback evidence about it.
pub fn ids_for_service(connection: &Connection, service: &str) -> Result<Vec<i64>> {
    let mut statement = connection.prepare_cached(
        "SELECT pain_point_evidence.pain_point_id FROM pain_point_evidence
           JOIN feedback ON feedback.id = pain_point_evidence.feedback_id
           JOIN services ON services.id = feedback.service_id
          WHERE services.slug = ?1
         UNION
         SELECT pain_point_services.pain_point_id FROM pain_point_services
           JOIN services ON services.id = pain_point_services.service_id
          WHERE services.slug = ?1",
    )?;
    let ids = statement
        .query_map([service], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

pub fn update(
    connection: &Connection,
    id: i64,
    pain_point: &NewPainPoint,
    now: DateTime<Utc>,
) -> Result<()> {
    require_live(connection, id)?;
    connection.execute(
        "UPDATE pain_points SET title = ?2, description = ?3, updated_at = ?4 WHERE id = ?1",
        params![id, pain_point.title, pain_point.description, now],
    )?;
    set_links(connection, id, pain_point)
}
