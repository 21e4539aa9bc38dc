//! Roadmap items, their pain points, and shipping.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::links::{self, Owner};
use crate::domain::roadmap::{NewRoadmapItem, RoadmapItem, RoadmapStatus};
use crate::error::{Error, Result};

const ITEM_SELECT: &str = "
    SELECT roadmap_items.id, roadmap_items.title, roadmap_items.description, roadmap_items.status,
           roadmap_items.target_quarter, roadmap_items.shipped_on,
           (SELECT json_group_array(json_array(pain_points.id, pain_points.title))
              FROM roadmap_item_pain_points
              JOIN pain_points ON pain_points.id = roadmap_item_pain_points.pain_point_id
             WHERE roadmap_item_pain_points.roadmap_item_id = roadmap_items.id),
           (SELECT group_concat(services.slug, ',') FROM roadmap_item_services
              JOIN services ON services.id = roadmap_item_services.service_id
             WHERE roadmap_item_services.roadmap_item_id = roadmap_items.id),
           (SELECT group_concat(tags.name, ',') FROM roadmap_item_tags
              JOIN tags ON tags.id = roadmap_item_tags.tag_id
             WHERE roadmap_item_tags.roadmap_item_id = roadmap_items.id),
           roadmap_items.public
      FROM roadmap_items";

fn item_from_row(row: &Row<'_>) -> rusqlite::Result<RoadmapItem> {
    let status: String = row.get(3)?;
    let shipped_on: Option<String> = row.get(5)?;
    let pain_points: String = row.get(6)?;
    Ok(RoadmapItem {
        id: row.get(0)?,
        title: row.get(1)?,
        description: row.get(2)?,
        status: RoadmapStatus::parse(&status).unwrap_or(RoadmapStatus::Idea),
        target_quarter: row.get(4)?,
        shipped_on: shipped_on.and_then(|day| NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok()),
        pain_points: serde_json::from_str(&pain_points).unwrap_or_default(),
        services: links::split_sorted(row.get(7)?),
        tags: links::split_sorted(row.get(8)?),
        public: row.get(9)?,
    })
}

pub fn insert(
    connection: &Connection,
    item: &NewRoadmapItem,
    owner: i64,
    now: DateTime<Utc>,
) -> Result<i64> {
    connection.execute(
        "INSERT INTO roadmap_items (title, description, status, target_quarter, owner_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![item.title, item.description, item.status.as_str(), item.target_quarter, owner, now],
    )?;
    let id = connection.last_insert_rowid();
    set_links(connection, id, item)?;
    Ok(id)
}

fn set_links(connection: &Connection, id: i64, item: &NewRoadmapItem) -> Result<()> {
    links::set_services(connection, Owner::RoadmapItem, id, &item.services)?;
    links::set_tags(connection, Owner::RoadmapItem, id, &item.tags)
}

/// Items about `service`: linked to it, or answering a pain point about it
/// (`pain_points` are that service's pain point ids).
pub fn for_service(
    connection: &Connection,
    service: &str,
    pain_points: &[i64],
) -> Result<Vec<RoadmapItem>> {
    let ids = serde_json::to_string(pain_points).unwrap_or_else(|_| "[]".into());
    let mut statement = connection.prepare_cached(&format!(
        "{ITEM_SELECT}
          WHERE roadmap_items.id IN (
                SELECT roadmap_item_services.roadmap_item_id FROM roadmap_item_services
                  JOIN services ON services.id = roadmap_item_services.service_id
                 WHERE services.slug = ?1
                UNION
                SELECT roadmap_item_id FROM roadmap_item_pain_points
                 WHERE pain_point_id IN (SELECT value FROM json_each(?2)))
          ORDER BY roadmap_items.target_quarter IS NULL, roadmap_items.target_quarter, roadmap_items.id"
    ))?;
    let items = statement
        .query_map(params![service, ids], item_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(items)
}

pub fn list(connection: &Connection) -> Result<Vec<RoadmapItem>> {
    let mut statement = connection.prepare_cached(&format!(
        "{ITEM_SELECT} ORDER BY roadmap_items.target_quarter IS NULL, roadmap_items.target_quarter, roadmap_items.id"
    ))?;
    let items = statement
        .query_map([], item_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(items)
}

pub fn by_id(connection: &Connection, id: i64) -> Result<Option<RoadmapItem>> {
    Ok(connection
        .prepare_cached(&format!("{ITEM_SELECT} WHERE roadmap_items.id = ?1"))?
        .query_row([id], item_from_row)
        .optional()?)
}

/// Shipped items, most recent first.
pub fn shipped(connection: &Connection) -> Result<Vec<RoadmapItem>> {
    let mut statement = connection.prepare_cached(&format!(
        "{ITEM_SELECT} WHERE roadmap_items.status = 'shipped' ORDER BY roadmap_items.shipped_on DESC, roadmap_items.id DESC"
    ))?;
    let items = statement
        .query_map([], item_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(items)
}

pub fn link_pain_point(
    connection: &Connection,
    id: i64,
    pain_point: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let live: Option<Option<i64>> = connection
        .query_row(
            "SELECT merged_into FROM pain_points WHERE id = ?1",
            [pain_point],
            |row| row.get(0),
        )
        .optional()?;
    match live {
        None => {
            return Err(Error::invalid(
                "pain_point",
                format!("there is no pain point #{pain_point}"),
            ));
        }
        Some(Some(into)) => {
            return Err(Error::invalid(
                "pain_point",
                format!("pain point #{pain_point} was merged into #{into}"),
            ));
        }
        Some(None) => {}
    }
    let changed = connection.execute(
        "INSERT OR IGNORE INTO roadmap_item_pain_points (roadmap_item_id, pain_point_id)
         SELECT id, ?2 FROM roadmap_items WHERE id = ?1",
        params![id, pain_point],
    )?;
    let exists: bool = connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM roadmap_items WHERE id = ?1)",
        [id],
        |row| row.get(0),
    )?;
    if !exists {
        return Err(Error::NotFound);
    }
    if changed == 1 {
        connection.execute(
            "UPDATE roadmap_items SET updated_at = ?2 WHERE id = ?1",
            params![id, now],
        )?;
    }
    Ok(())
}

/// Sets the status; shipping records the day (once) and marks the item's
/// pain points addressed, remembering what they were, and moving it away
/// from shipped puts back those that are still marked addressed.
pub fn set_status(
    connection: &Connection,
    id: i64,
    status: RoadmapStatus,
    now: DateTime<Utc>,
) -> Result<()> {
    if status == RoadmapStatus::Shipped {
        connection.execute(
            "INSERT OR IGNORE INTO shipped_pain_points (roadmap_item_id, pain_point_id, previous_status)
             SELECT ?1, pain_points.id, pain_points.status
               FROM roadmap_item_pain_points
               JOIN pain_points ON pain_points.id = roadmap_item_pain_points.pain_point_id
              WHERE roadmap_item_pain_points.roadmap_item_id = ?1
                AND pain_points.status NOT IN ('addressed', 'wont_fix')
                AND pain_points.merged_into IS NULL",
            [id],
        )?;
        connection.execute(
            "UPDATE pain_points SET status = 'addressed', updated_at = ?2
              WHERE id IN (SELECT pain_point_id FROM shipped_pain_points WHERE roadmap_item_id = ?1)
                AND status <> 'addressed'",
            params![id, now],
        )?;
    } else {
        connection.execute(
            "UPDATE pain_points
                SET status = (SELECT previous_status FROM shipped_pain_points
                               WHERE roadmap_item_id = ?1 AND pain_point_id = pain_points.id),
                    updated_at = ?2
              WHERE id IN (SELECT pain_point_id FROM shipped_pain_points WHERE roadmap_item_id = ?1)
                AND status = 'addressed'",
            params![id, now],
        )?;
        connection.execute(
            "DELETE FROM shipped_pain_points WHERE roadmap_item_id = ?1",
            [id],
        )?;
    }
    let changed = connection.execute(
        "UPDATE roadmap_items
            SET status = ?2, updated_at = ?3,
                shipped_on = CASE WHEN ?2 = 'shipped' THEN coalesce(shipped_on, ?4) ELSE shipped_on END
          WHERE id = ?1",
        params![id, status.as_str(), now, now.date_naive().to_string()],
    )?;
    if changed == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// The roadmap items that answer a pain point: (id, title, status).
pub fn for_pain_point(
    connection: &Connection,
    id: i64,
) -> Result<Vec<(i64, String, RoadmapStatus)>> {
    let mut statement = connection.prepare_cached(
        "SELECT roadmap_items.id, roadmap_items.title, roadmap_items.status
           FROM roadmap_item_pain_points
           JOIN roadmap_items ON roadmap_items.id = roadmap_item_pain_points.roadmap_item_id
          WHERE roadmap_item_pain_points.pain_point_id = ?1
          ORDER BY roadmap_items.id",
    )?;
    let items = statement
        .query_map([id], |row| {
            let status: String = row.get(2)?;
            Ok((
                row.get(0)?,
                row.get(1)?,
                RoadmapStatus::parse(&status).unwrap_or(RoadmapStatus::Idea),
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(items)
}

/// How many of an item's pain points shipping it would mark addressed.
pub fn pain_points_to_address(connection: &Connection, id: i64) -> Result<usize> {
    let count: i64 = connection.query_row(
        "SELECT count(*) FROM roadmap_item_pain_points
           JOIN pain_points ON pain_points.id = roadmap_item_pain_points.pain_point_id
          WHERE roadmap_item_pain_points.roadmap_item_id = ?1
            AND pain_points.status NOT IN ('addressed', 'wont_fix')
            AND pain_points.merged_into IS NULL",
        [id],
        |row| row.get(0),
    )?;
    Ok(count.unsigned_abs() as usize)
}

/// A person to tell that something they asked for shipped.
#[derive(Debug, Clone, PartialEq)]
pub struct Requester {
    pub user_id: i64,
    pub name: String,
    pub email: String,
}

/// The people whose non-anonymous feedback is evidence for the item's pain
/// points, less those who opted out of "you said, we did" mail.
pub fn requesters(connection: &Connection, id: i64) -> Result<Vec<Requester>> {
    let mut statement = connection.prepare_cached(
        "SELECT DISTINCT users.id, users.name, users.email
           FROM roadmap_item_pain_points
           JOIN pain_point_evidence ON pain_point_evidence.pain_point_id = roadmap_item_pain_points.pain_point_id
           JOIN feedback ON feedback.id = pain_point_evidence.feedback_id
           JOIN users ON users.id = feedback.author_id
          WHERE roadmap_item_pain_points.roadmap_item_id = ?1
            AND feedback.anonymous = 0 AND users.closed_loop_opt_out = 0
          ORDER BY users.id",
    )?;
    let people = statement
        .query_map([id], |row| {
            Ok(Requester {
                user_id: row.get(0)?,
                name: row.get(1)?,
                email: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(people)
}

/// Records that a person wants no more "you said, we did" mail.
pub fn opt_out(connection: &Connection, user_id: i64) -> Result<Option<String>> {
    connection.execute(
        "UPDATE users SET closed_loop_opt_out = 1 WHERE id = ?1",
        [user_id],
    )?;
    Ok(connection
        .query_row("SELECT email FROM users WHERE id = ?1", [user_id], |row| {
            row.get(0)
        })
        .optional()?)
}

/// Undoes [`opt_out`]: the person hears about shipped items again.
pub fn opt_back_in(connection: &Connection, user_id: i64) -> Result<Option<String>> {
    connection.execute(
        "UPDATE users SET closed_loop_opt_out = 0 WHERE id = ?1",
        [user_id],
    )?;
    Ok(connection
        .query_row("SELECT email FROM users WHERE id = ?1", [user_id], |row| {
            row.get(0)
        })
        .optional()?)
}

/// Changes an item's title, description, target quarter, services and tags
/// (not its status).
pub fn update(
    connection: &Connection,
    id: i64,
    item: &NewRoadmapItem,
    now: DateTime<Utc>,
) -> Result<()> {
    let changed = connection.execute(
        "UPDATE roadmap_items SET title = ?2, description = ?3, target_quarter = ?4, updated_at = ?5 WHERE id = ?1",
        params![id, item.title, item.description, item.target_quarter, now],
    )?;
    if changed == 0 {
        return Err(Error::NotFound);
    }
    set_links(connection, id, item)
}
