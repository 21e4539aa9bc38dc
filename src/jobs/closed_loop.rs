//! "You said, we did": when a roadmap item ships, every person whose
//! non-anonymous feedback is evidence for it gets one short message, once,
//! through the same outbox as the summaries.

use chrono::{DateTime, Utc};

use super::links::Links;
use crate::db::Database;
use crate::db::outbox::{self, NewMessage};
use crate::db::roadmap;
use crate::domain::roadmap::RoadmapStatus;
use crate::error::{Error, Result};
use crate::views::digest::shipped_message;

/// Marks the item shipped and, in the same transaction, enqueues one
/// message per person who asked for it (keyed, so shipping twice sends
/// nothing new). Returns how many messages were new.
pub async fn ship(db: &Database, links: &Links, id: i64, now: DateTime<Utc>) -> Result<usize> {
    let links = links.clone();
    db.write(move |connection| {
        roadmap::set_status(connection, id, RoadmapStatus::Shipped, now)?;
        let item = roadmap::by_id(connection, id)?.ok_or(Error::NotFound)?;
        let mut enqueued = 0;
        for person in roadmap::requesters(connection, id)? {
            let (subject, text, html) = shipped_message(
                &item,
                &person.name,
                &links.public_url,
                &links.opt_out_url(person.user_id),
            );
            let message = NewMessage {
                dedupe_key: format!("shipped:{id}:{}", person.user_id),
                message_id: format!("<shipped.{id}.{}@{}>", person.user_id, links.host()),
                subscription_id: None,
                period: None,
                to_address: person.email,
                subject,
                body_text: text,
                body_html: Some(html),
            };
            enqueued += usize::from(outbox::enqueue(connection, &message, now)?);
        }
        Ok(enqueued)
    })
    .await
}
