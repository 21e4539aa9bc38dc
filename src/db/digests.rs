//! Digest subscriptions, the email outbox, and what a summary reports.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::Role;
use crate::domain::digest::{
    Cadence, NewSubscription, Schedule, Section, weekday_from_number, weekday_number,
};
use crate::error::{Error, Result};

/// A stored subscription.
#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    pub id: i64,
    pub email: String,
    pub schedule: Schedule,
    /// Service slugs in scope; empty means every service.
    pub services: Vec<String>,
    /// Sections chosen; empty means every section.
    pub sections: Vec<Section>,
    /// The role of the Earshot user with this address, if there is one
    /// (a list or an outside stakeholder has none).
    pub recipient_role: Option<Role>,
    pub created_at: DateTime<Utc>,
    pub unsubscribed_at: Option<DateTime<Utc>>,
}

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

/// Ends the subscription whose unsubscribe token hashes to `hash`; returns
/// its address, or `None` for an unknown token.
/// Ends subscription `id` (ending it twice keeps the first time).
pub fn unsubscribe_by_id(connection: &Connection, id: i64, now: DateTime<Utc>) -> Result<()> {
    connection.execute(
        "UPDATE digest_subscriptions SET unsubscribed_at = coalesce(unsubscribed_at, ?2) WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

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

/// A message to put in the outbox.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub dedupe_key: String,
    pub message_id: String,
    pub subscription_id: Option<i64>,
    pub period: Option<String>,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
}

/// Enqueues `message` unless one with its key exists; `true` if it was new.
pub fn enqueue(connection: &Connection, message: &NewMessage, now: DateTime<Utc>) -> Result<bool> {
    let inserted = connection.execute(
        "INSERT INTO email_outbox (dedupe_key, message_id, subscription_id, period, to_address,
                                   subject, body_text, body_html, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
         ON CONFLICT (dedupe_key) DO NOTHING",
        params![
            message.dedupe_key,
            message.message_id,
            message.subscription_id,
            message.period,
            message.to_address,
            message.subject,
            message.body_text,
            message.body_html,
            now
        ],
    )?;
    Ok(inserted == 1)
}

/// Whether a message with this key was ever enqueued.
pub fn is_enqueued(connection: &Connection, dedupe_key: &str) -> Result<bool> {
    Ok(connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM email_outbox WHERE dedupe_key = ?1)",
        [dedupe_key],
        |row| row.get(0),
    )?)
}

/// A message waiting in (or gone through) the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxMessage {
    pub id: i64,
    pub message_id: String,
    pub subscription_id: Option<i64>,
    pub period: Option<String>,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

pub(super) const OUTBOX_COLUMNS: &str =
    "id, message_id, subscription_id, period, to_address, subject, body_text,
    body_html, status, attempts, last_error, created_at, sent_at";

pub(super) fn outbox_from_row(row: &Row<'_>) -> rusqlite::Result<OutboxMessage> {
    Ok(OutboxMessage {
        id: row.get(0)?,
        message_id: row.get(1)?,
        subscription_id: row.get(2)?,
        period: row.get(3)?,
        to_address: row.get(4)?,
        subject: row.get(5)?,
        body_text: row.get(6)?,
        body_html: row.get(7)?,
        status: row.get(8)?,
        attempts: row.get(9)?,
        last_error: row.get(10)?,
        created_at: row.get(11)?,
        sent_at: row.get(12)?,
    })
}

/// The latest messages, for the digests page and the admin's view.
pub fn recent_messages(
    connection: &Connection,
    status: Option<&str>,
    limit: u32,
) -> Result<Vec<OutboxMessage>> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {OUTBOX_COLUMNS} FROM email_outbox WHERE (?1 IS NULL OR status = ?1)
          ORDER BY id DESC LIMIT ?2"
    ))?;
    let messages = statement
        .query_map(params![status, limit], outbox_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(messages)
}

/// Outbox keys of survey invitations, whose bodies carry a personal link.
pub const SURVEY_INVITATION_KEY: &str = "survey-invitation:";

/// Outbox keys of password reset messages, whose bodies carry a one-use link.
pub const PASSWORD_RESET_KEY: &str = "password-reset:";

/// Once a message carrying a personal link has left (or failed for good),
/// the link is wiped from the outbox. A survey invitation's, kept, would let
/// anyone who reads the database tie an anonymous response to the person
/// invited; a password reset link would let them sign in as that person
/// until it expires.
pub(super) const FORGET_SURVEY_LINK: &str =
    "body_text = CASE WHEN dedupe_key LIKE 'survey-invitation:%' OR dedupe_key LIKE 'password-reset:%'
        THEN '(personal link removed once the message was handled)' ELSE body_text END,
    body_html = CASE WHEN dedupe_key LIKE 'survey-invitation:%' OR dedupe_key LIKE 'password-reset:%'
        THEN NULL ELSE body_html END";

/// Feedback for one service in a period.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceVolume {
    pub slug: String,
    pub name: String,
    pub count: u64,
    /// Feedback with a rating.
    pub ratings: u32,
    /// The caller keeps it only where `disclosure::rating_average_publishable` allows.
    pub average_rating: Option<f64>,
}

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

/// Discovery work in a period, for summaries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DiscoveryActivity {
    /// Pain points named in the period: (id, title).
    pub new_pain_points: Vec<(i64, String)>,
    /// Pain points that gained the most evidence: (id, title, pieces added).
    pub growing_pain_points: Vec<(i64, String, i64)>,
    /// Roadmap items shipped: (title, the pain points they answered).
    pub shipped: Vec<(String, Vec<String>)>,
    pub interviews_held: i64,
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
