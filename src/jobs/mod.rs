//! Background work inside `serve`: the digest scheduler and the outbox
//! sender, as one task. (The search indexer is a thread of its own, in
//! `search`.)
//!
//! The task looks for due summaries and mail every `mail_poll` (a
//! setting), and sends at once whenever a commit put new mail in the outbox
//! (the writer notifies it), so an invitation or a "you said, we did"
//! message does not wait for the next look.

pub mod closed_loop;
pub mod digest_command;
pub mod digests;
pub mod links;
pub mod notices;
pub mod outbox;
pub mod reliability;

use std::time::Duration;

use crate::clock::Clock;
use crate::db::Database;
use crate::error::Error;
use digests::{Due, enqueue_summaries};
use links::Links;
use outbox::Sender;

/// The scheduler and the sender: every `poll`, and whenever mail is
/// enqueued, until `stop` turns true.
pub async fn run(
    db: Database,
    links: Links,
    sender: Sender,
    clock: Clock,
    poll: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let enqueued = &db.writer_stats().mail_enqueued;
    loop {
        // Wait first: a server that is stopped at once does no work.
        let scheduled = tokio::select! {
            _ = tokio::time::sleep(poll) => true,
            _ = enqueued.notified() => false,
            _ = stop.changed() => return,
        };
        if *stop.borrow() {
            return;
        }
        if scheduled
            && let Err(error) = enqueue_summaries(&db, &links, clock.now(), Due::Scheduled).await
        {
            log_unless_stopping(&error, "scheduling summaries failed");
        }
        if let Err(error) = sender.send_due().await {
            log_unless_stopping(&error, "sending mail failed");
        }
    }
}

fn log_unless_stopping(error: &Error, what: &str) {
    if !matches!(error, Error::ShuttingDown) {
        tracing::error!(%error, "{what}");
    }
}
