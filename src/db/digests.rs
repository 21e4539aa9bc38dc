//! Summary subscriptions: who gets which summary, when, and unsubscribing.
//! The messages go through the outbox (`db::outbox`); what they report is
//! read in `db::digest_reports`.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::Role;
use crate::domain::digest::{
    Cadence, NewSubscription, Schedule, Section, Subscription, weekday_from_number, weekday_number,
};
use crate::error::{Error, Result};

const SUBSCRIPTION_COLUMNS: &str =
    "id, email, cadence, weekday, hour, timezone, created_at, unsubscribed_at,
    (SELECT group_concat(services.slug, ',') FROM digest_subscription_services
       JOIN services ON services.id = digest_subscription_services.service_id
      WHERE digest_subscription_services.subscription_id = digest_subscriptions.id),
    sections,
    (SELECT role FROM users WHERE users.email = digest_subscriptions.email),
    minute";

fn subscription_from_row(row: &Row<'_>) -> rusqlite::Result<Subscription> {
    let cadence: String = row.get(2)?;
    let weekday: Option<i64> = row.get(3)?;
    let timezone: String = row.get(5)?;
    let services: Option<String> = row.get(8)?;
    let sections: String = row.get(9)?;
    let role: Option<String> = row.get(10)?;
    let cadence = match (cadence.as_str(), weekday.and_then(weekday_from_number)) {
        ("weekly", Some(weekday)) => Cadence::Weekly(weekday),
        _ => Cadence::Monthly,
    };
    Ok(Subscription {
        id: row.get(0)?,
        email: row.get(1)?,
        schedule: Schedule {
            cadence,
            hour: row.get(4)?,
            minute: row.get(11)?,
            timezone: timezone.parse().unwrap_or(chrono_tz::Tz::UTC),
        },
        services: services
            .map(|services| services.split(',').map(str::to_owned).collect())
            .unwrap_or_default(),
        // Names this version does not know (written by a newer one) are skipped.
        sections: serde_json::from_str::<Vec<String>>(&sections)
            .unwrap_or_default()
            .iter()
            .filter_map(|name| Section::parse(name))
            .collect(),
        recipient_role: role.as_deref().and_then(Role::parse),
        created_at: row.get(6)?,
        unsubscribed_at: row.get(7)?,
    })
}

/// Stores a subscription; `unsubscribe_hash` is filled in by the caller
/// once the id is known, through [`set_unsubscribe_hash`].
pub fn insert_subscription(
    connection: &Connection,
    subscription: &NewSubscription,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    // The same address on the same schedule, scope and sections twice
    // would get every summary twice.
    let mut existing = connection.prepare_cached(&format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM digest_subscriptions
          WHERE email = ?1 AND unsubscribed_at IS NULL"
    ))?;
    let mut wanted_services = subscription.services.clone();
    wanted_services.sort();
    for active in existing.query_map([subscription.email.as_str()], subscription_from_row)? {
        let mut active = active?;
        active.services.sort();
        if active.schedule == subscription.schedule
            && active.services == wanted_services
            && active.sections == subscription.sections
        {
            return Err(Error::invalid(
                "email",
                "this address already gets this summary on this schedule",
            ));
        }
    }
    let (cadence, weekday) = match subscription.schedule.cadence {
        Cadence::Weekly(weekday) => ("weekly", Some(weekday_number(weekday))),
        Cadence::Monthly => ("monthly", None),
    };
    connection.execute(
        "INSERT INTO digest_subscriptions
            (email, cadence, weekday, hour, minute, timezone, sections, unsubscribe_hash, created_by,
             created_at)
         VALUES (?1, ?2, ?3, ?4, ?9, ?5, ?6, 'pending:' || hex(randomblob(16)), ?7, ?8)",
        params![
            subscription.email.as_str(),
            cadence,
            weekday,
            subscription.schedule.hour,
            subscription.schedule.timezone.name(),
            serde_json::to_string(&subscription.sections)
                .map_err(|error| Error::Internal(error.to_string()))?,
            created_by,
            now,
            subscription.schedule.minute
        ],
    )?;
    let id = connection.last_insert_rowid();
    for slug in &subscription.services {
        let added = connection.execute(
            "INSERT OR IGNORE INTO digest_subscription_services (subscription_id, service_id)
             SELECT ?1, id FROM services WHERE slug = ?2",
            params![id, slug],
        )?;
        if added == 0 {
            let known: bool = connection.query_row(
                "SELECT EXISTS (SELECT 1 FROM services WHERE slug = ?1)",
                [slug],
                |row| row.get(0),
            )?;
            if !known {
                return Err(Error::invalid(
                    "services",
                    format!("there is no service {slug:?}"),
                ));
            }
        }
    }
    Ok(id)
}

pub fn set_unsubscribe_hash(connection: &Connection, id: i64, hash: &str) -> Result<()> {
    connection.execute(
        "UPDATE digest_subscriptions SET unsubscribe_hash = ?2 WHERE id = ?1",
        params![id, hash],
    )?;
    Ok(())
}

/// Every subscription, active ones first, newest first.
pub fn list_subscriptions(connection: &Connection) -> Result<Vec<Subscription>> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM digest_subscriptions
          ORDER BY unsubscribed_at IS NOT NULL, id DESC"
    ))?;
    let subscriptions = statement
        .query_map([], subscription_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(subscriptions)
}

pub fn subscription_by_id(connection: &Connection, id: i64) -> Result<Option<Subscription>> {
    Ok(connection
        .query_row(
            &format!("SELECT {SUBSCRIPTION_COLUMNS} FROM digest_subscriptions WHERE id = ?1"),
            [id],
            subscription_from_row,
        )
        .optional()?)
}

/// Ends subscription `id` (ending it twice keeps the first time).
pub fn unsubscribe_by_id(connection: &Connection, id: i64, now: DateTime<Utc>) -> Result<()> {
    connection.execute(
        "UPDATE digest_subscriptions SET unsubscribed_at = coalesce(unsubscribed_at, ?2) WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// Ends the subscription whose unsubscribe token hashes to `hash`; returns
/// its address, or `None` for an unknown token.
pub fn unsubscribe(
    connection: &Connection,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>> {
    let email: Option<String> = connection
        .query_row(
            "SELECT email FROM digest_subscriptions WHERE unsubscribe_hash = ?1",
            [hash],
            |row| row.get(0),
        )
        .optional()?;
    if email.is_some() {
        connection.execute(
            "UPDATE digest_subscriptions SET unsubscribed_at = coalesce(unsubscribed_at, ?2)
              WHERE unsubscribe_hash = ?1",
            params![hash, now],
        )?;
    }
    Ok(email)
}

/// Undoes [`unsubscribe`]: the subscription is live again.
pub fn resubscribe(connection: &Connection, hash: &str) -> Result<Option<String>> {
    let email: Option<String> = connection
        .query_row(
            "SELECT email FROM digest_subscriptions WHERE unsubscribe_hash = ?1",
            [hash],
            |row| row.get(0),
        )
        .optional()?;
    connection.execute(
        "UPDATE digest_subscriptions SET unsubscribed_at = NULL WHERE unsubscribe_hash = ?1",
        [hash],
    )?;
    Ok(email)
}
