//! A message in the email outbox, as the digests page and the sender read it.

use chrono::{DateTime, Utc};

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
