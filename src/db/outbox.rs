//! The email outbox: every message is enqueued here once (by its key), then
//! claimed before it is sent, and what became of it recorded.
//!
//! A sender claims a message with a lease (its owner and an expiry) in the
//! same transaction that picks it, and only then sends it; a message under
//! a live lease is nobody else's. Writes begin IMMEDIATE (see `writer`), so
//! two processes claiming at once are serialised by SQLite and each message
//! goes to one of them. A lease that expires (its sender died) makes the
//! message claimable again.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::outbox::OutboxMessage;
use crate::error::Result;

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

const OUTBOX_COLUMNS: &str =
    "id, message_id, subscription_id, period, to_address, subject, body_text,
    body_html, status, attempts, last_error, created_at, sent_at";

fn outbox_from_row(row: &Row<'_>) -> rusqlite::Result<OutboxMessage> {
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
const FORGET_SURVEY_LINK: &str =
    "body_text = CASE WHEN dedupe_key LIKE 'survey-invitation:%' OR dedupe_key LIKE 'password-reset:%'
        THEN '(personal link removed once the message was handled)' ELSE body_text END,
    body_html = CASE WHEN dedupe_key LIKE 'survey-invitation:%' OR dedupe_key LIKE 'password-reset:%'
        THEN NULL ELSE body_html END";

/// Ids of pending messages due at `now` and not under a live lease,
/// oldest first, at most `limit`.
pub fn due_ids(connection: &Connection, now: DateTime<Utc>, limit: u32) -> Result<Vec<i64>> {
    let mut statement = connection.prepare_cached(
        "SELECT id FROM email_outbox
          WHERE status = 'pending' AND next_attempt_at <= ?1
            AND (lease_expires_at IS NULL OR lease_expires_at <= ?1)
          ORDER BY next_attempt_at, id LIMIT ?2",
    )?;
    let ids = statement
        .query_map(params![now, limit], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// Claims message `id` for `owner` until `expires`, if it is still pending
/// and nobody holds a live lease on it; returns it, or `None` when another
/// sender got there first (or it was handled meanwhile).
pub fn claim(
    connection: &Connection,
    id: i64,
    owner: &str,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> Result<Option<OutboxMessage>> {
    let mut statement = connection.prepare_cached(&format!(
        "UPDATE email_outbox SET lease_owner = ?2, lease_expires_at = ?4
          WHERE id = ?1 AND status = 'pending'
            AND (lease_expires_at IS NULL OR lease_expires_at <= ?3)
        RETURNING {OUTBOX_COLUMNS}"
    ))?;
    Ok(statement
        .query_row(params![id, owner, now, expires], outbox_from_row)
        .optional()?)
}

/// The server answered "250 OK": the message is sent, whoever holds the
/// lease now (a sender that lost its lease still delivered it). Returns
/// whether `owner` still held it.
pub fn mark_sent(
    connection: &Connection,
    id: i64,
    owner: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let held: Option<String> = connection
        .query_row(
            "SELECT lease_owner FROM email_outbox WHERE id = ?1",
            [id],
            |row| row.get(0),
        )
        .optional()?
        .flatten();
    connection.execute(
        &format!(
            "UPDATE email_outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?2, last_error = NULL,
                lease_owner = NULL, lease_expires_at = NULL, {FORGET_SURVEY_LINK}
              WHERE id = ?1"
        ),
        params![id, now],
    )?;
    Ok(held.as_deref() == Some(owner))
}

/// A temporary failure: try again at `next_attempt_at`. Only the lease's
/// owner records it: a sender whose lease was taken over leaves the
/// message to the new owner.
pub fn mark_retry(
    connection: &Connection,
    id: i64,
    owner: &str,
    error: &str,
    next_attempt_at: DateTime<Utc>,
) -> Result<()> {
    connection.execute(
        "UPDATE email_outbox SET attempts = attempts + 1, last_error = ?3, next_attempt_at = ?4,
                lease_owner = NULL, lease_expires_at = NULL
          WHERE id = ?1 AND lease_owner = ?2 AND status = 'pending'",
        params![id, owner, error, next_attempt_at],
    )?;
    Ok(())
}

/// A permanent failure: stop, and show it to an admin.
pub fn mark_failed(connection: &Connection, id: i64, owner: &str, error: &str) -> Result<()> {
    connection.execute(
        &format!(
            "UPDATE email_outbox SET status = 'failed', attempts = attempts + 1, last_error = ?3,
                lease_owner = NULL, lease_expires_at = NULL, {FORGET_SURVEY_LINK}
              WHERE id = ?1 AND lease_owner = ?2 AND status = 'pending'"
        ),
        params![id, owner, error],
    )?;
    Ok(())
}

/// The state of the outbox, for `earshot check`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboxState {
    pub pending: u64,
    pub sent: u64,
    pub failed: u64,
    /// Pending messages under a lease that is still live: being sent now.
    pub leased: u64,
    /// Pending messages whose lease expired: their sender died, and no
    /// sender has taken them over since.
    pub expired_leases: u64,
    /// When the oldest of those expired.
    pub oldest_expiry: Option<DateTime<Utc>>,
}

pub fn state(connection: &Connection, now: DateTime<Utc>) -> Result<OutboxState> {
    let count = |row: &rusqlite::Row<'_>, index: usize| -> rusqlite::Result<u64> {
        Ok(row.get::<_, i64>(index)?.unsigned_abs())
    };
    Ok(connection.query_row(
        "SELECT count(*) FILTER (WHERE status = 'pending'),
                count(*) FILTER (WHERE status = 'sent'),
                count(*) FILTER (WHERE status = 'failed'),
                count(*) FILTER (WHERE status = 'pending' AND lease_expires_at > ?1),
                count(*) FILTER (WHERE status = 'pending' AND lease_expires_at <= ?1),
                min(lease_expires_at) FILTER (WHERE status = 'pending' AND lease_expires_at <= ?1)
           FROM email_outbox",
        [now],
        |row| {
            Ok(OutboxState {
                pending: count(row, 0)?,
                sent: count(row, 1)?,
                failed: count(row, 2)?,
                leased: count(row, 3)?,
                expired_leases: count(row, 4)?,
                oldest_expiry: row.get(5)?,
            })
        },
    )?)
}
