//! Telling a submitter what became of their feedback, through the outbox:
//! the team's replies, and status changes they asked to hear about. Only
//! feedback with an author is ever mailed; anonymous feedback has nobody to
//! write to (its replies wait on its private page).

use chrono::{DateTime, Utc};

use super::links::Links;
use crate::db::Connection;
use crate::db::outbox::{self, NewMessage};
use crate::domain::FeedbackStatus;
use crate::domain::feedback::Feedback;
use crate::error::Result;
use crate::views::feedback::item_title;

fn item_url(links: &Links, item: &Feedback) -> String {
    format!(
        "{}/feedback/{}",
        links.public_url.trim_end_matches('/'),
        item.id
    )
}

/// Enqueues the reply `reply_id` to `item`'s author; `false` when the item
/// is anonymous (nobody to mail) or it was enqueued before.
pub fn enqueue_reply(
    connection: &Connection,
    links: &Links,
    item: &Feedback,
    reply_id: i64,
    body: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let Some(author) = &item.author else {
        return Ok(false);
    };
    let title = item_title(item);
    let message = NewMessage {
        dedupe_key: format!("reply:{reply_id}"),
        message_id: format!("<reply.{reply_id}@{}>", links.host()),
        subscription_id: None,
        period: None,
        to_address: author.email.clone(),
        subject: format!("The platform team replied: {title}"),
        body_text: format!(
            "Hello {},\n\nThe platform team replied to your feedback “{title}”:\n\n{body}\n\n\
             Read it and follow your feedback at {}\n",
            author.name,
            item_url(links, item)
        ),
        body_html: None,
    };
    outbox::enqueue(connection, &message, now)
}

/// Enqueues a notice that `before`'s status became `status`, if its author
/// asked to be told; returns whether a message was enqueued.
pub fn enqueue_status_change(
    connection: &Connection,
    links: &Links,
    before: &Feedback,
    status: FeedbackStatus,
    now: DateTime<Utc>,
) -> Result<bool> {
    let Some(author) = &before.author else {
        return Ok(false);
    };
    if !before.notify_status || before.status == status {
        return Ok(false);
    }
    let title = item_title(before);
    let stamp = now.timestamp_micros();
    let message = NewMessage {
        dedupe_key: format!("status:{}:{}:{stamp}", before.id, status.as_str()),
        message_id: format!(
            "<status.{}.{}.{stamp}@{}>",
            before.id,
            status.as_str(),
            links.host()
        ),
        subscription_id: None,
        period: None,
        to_address: author.email.clone(),
        subject: format!("Your feedback is now {}: {title}", status.as_str()),
        body_text: format!(
            "Hello {},\n\nThe status of your feedback “{title}” changed from {} to {}.\n\n\
             Follow it at {}\n\nYou get this because you asked to be told when its status changes.\n",
            author.name,
            before.status.as_str(),
            status.as_str(),
            item_url(links, before)
        ),
        body_html: None,
    };
    outbox::enqueue(connection, &message, now)
}
