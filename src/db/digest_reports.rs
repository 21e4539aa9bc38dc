//! What a summary reports for a period: feedback volume by service, and
//! the discovery work done (pain points named and growing, roadmap items
//! shipped, interviews held).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use crate::domain::digest::{DiscoveryActivity, ServiceVolume};
use crate::error::{Error, Result};

/// Feedback received in `[start, end)` on the services in scope (all when
/// `services` is empty), by service, busiest first.
pub fn feedback_volume(
    connection: &Connection,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    services: &[String],
) -> Result<Vec<ServiceVolume>> {
    let scope =
        serde_json::to_string(services).map_err(|error| Error::Internal(error.to_string()))?;
    let mut statement = connection.prepare_cached(
        "SELECT services.slug, services.name, count(*), avg(feedback.rating), count(feedback.rating)
           FROM feedback JOIN services ON services.id = feedback.service_id
          WHERE feedback.created_at >= ?1 AND feedback.created_at < ?2
            AND (json_array_length(?3) = 0 OR services.slug IN (SELECT value FROM json_each(?3)))
          GROUP BY services.id ORDER BY count(*) DESC, services.name",
    )?;
    let volumes = statement
        .query_map(params![start, end, scope], |row| {
            let count: i64 = row.get(2)?;
            Ok(ServiceVolume {
                slug: row.get(0)?,
                name: row.get(1)?,
                count: count.unsigned_abs(),
                average_rating: row.get(3)?,
                ratings: row.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(volumes)
}

/// The days of a period, for things dated by day (shipping, interviews):
/// each day belongs to the period in which it ends, so a day split by a
/// send hour is counted once.
fn days(start: DateTime<Utc>, end: DateTime<Utc>) -> (String, String) {
    let first = if start.time() == chrono::NaiveTime::MIN {
        start.date_naive()
    } else {
        start.date_naive() + chrono::Duration::days(1)
    };
    let last = (end - chrono::Duration::seconds(1)).date_naive();
    (first.to_string(), last.to_string())
}

pub fn discovery_activity(
    connection: &Connection,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<DiscoveryActivity> {
    let (first_day, last_day) = days(start, end);
    let mut new = connection.prepare_cached(
        "SELECT id, title FROM pain_points WHERE created_at >= ?1 AND created_at < ?2 AND merged_into IS NULL ORDER BY id",
    )?;
    let new_pain_points = new
        .query_map(params![start, end], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut growing = connection.prepare_cached(
        "SELECT pain_points.id, pain_points.title, count(*) FROM pain_point_evidence
           JOIN pain_points ON pain_points.id = pain_point_evidence.pain_point_id
          WHERE pain_point_evidence.added_at >= ?1 AND pain_point_evidence.added_at < ?2
            AND pain_points.merged_into IS NULL
          GROUP BY pain_points.id ORDER BY count(*) DESC, pain_points.id LIMIT 5",
    )?;
    let growing_pain_points = growing
        .query_map(params![start, end], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut shipped = connection.prepare_cached(
        "SELECT roadmap_items.title,
                (SELECT json_group_array(pain_points.title) FROM roadmap_item_pain_points
                   JOIN pain_points ON pain_points.id = roadmap_item_pain_points.pain_point_id
                  WHERE roadmap_item_pain_points.roadmap_item_id = roadmap_items.id)
           FROM roadmap_items
          WHERE status = 'shipped' AND shipped_on >= ?1 AND shipped_on <= ?2 ORDER BY shipped_on",
    )?;
    let shipped = shipped
        .query_map(params![first_day, last_day], |row| {
            let answered: String = row.get(1)?;
            Ok((
                row.get(0)?,
                serde_json::from_str(&answered).unwrap_or_default(),
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let interviews_held = connection.query_row(
        "SELECT count(*) FROM interviews WHERE held_on >= ?1 AND held_on <= ?2",
        params![first_day, last_day],
        |row| row.get(0),
    )?;
    Ok(DiscoveryActivity {
        new_pain_points,
        growing_pain_points,
        shipped,
        interviews_held,
    })
}
