//! The outbox sender: each message delivered once by however many senders
//! run at the same time (the server's, a cron `earshot digest send`).
//!
//! A pass takes the ids of the messages due when it starts; a few workers
//! (`in_flight`) each claim one of them (a lease with this sender's name and
//! an expiry, written before anything is sent), send it, and record the
//! outcome at once. A message another sender claimed first is skipped; one
//! whose lease expired (its sender was killed) is claimable again, so it is
//! retried. Temporary failures (4xx, refused connection, timeout) are due
//! again after an exponential backoff; permanent ones (5xx) stop.
//!
//! What remains is one window: a sender killed after its server answered
//! "250 OK" and before the "sent" mark is durable has delivered a message
//! that will be sent again once its lease expires. At most `in_flight`
//! messages are in that window at any moment, each for the time of one
//! group commit; the README gives the measured count per kill
//! (`benches/digests.rs`). The Message-ID is deterministic, so receivers
//! can drop such a duplicate.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use rand::Rng;

use super::links::Links;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::Database;
use crate::db::outbox;
use crate::domain::outbox::OutboxMessage;
use crate::error::Result;
use crate::mail::{DeliveryError, Mailer, OutgoingEmail};

/// Attempts before a temporarily failing message is given up.
const MAX_ATTEMPTS: i64 = 12;
/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);
/// Message ids read per pass.
const PASS: u32 = 512;

/// How a sender delivers.
#[derive(Debug, Clone)]
pub struct SendSettings {
    /// The first retry of a temporarily failed message waits this long.
    pub retry: Duration,
    /// How long a claimed message is this sender's; longer than the SMTP
    /// timeout, so that a live sender never loses a message it is sending.
    pub lease: Duration,
    /// Messages being sent at once.
    pub in_flight: usize,
}

impl SendSettings {
    pub fn from_config(config: &Config) -> SendSettings {
        SendSettings {
            retry: config.mail_retry,
            lease: config.mail_lease,
            in_flight: config.mail_in_flight.max(1),
        }
    }
}

/// What one run of the sender did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// One sending process: its name in leases, and what it sends with.
pub struct Sender {
    db: Database,
    mailer: Arc<Mailer>,
    links: Links,
    clock: Clock,
    settings: SendSettings,
    owner: String,
}

impl Sender {
    pub fn new(
        db: Database,
        mailer: Arc<Mailer>,
        links: Links,
        clock: Clock,
        settings: SendSettings,
    ) -> Sender {
        // The pid tells an operator which process holds a lease; the random
        // part keeps two senders of one process (or a reused pid) apart.
        let owner = format!(
            "pid {} ({:08x})",
            std::process::id(),
            rand::rng().random::<u32>()
        );
        Sender {
            db,
            mailer,
            links,
            clock,
            settings,
            owner,
        }
    }

    /// Sends every message due now, each at most once in this run (a
    /// temporary failure waits for a later run).
    pub async fn send_due(&self) -> Result<Delivery> {
        let mut attempted = HashSet::new();
        let mut delivery = Delivery::default();
        let mut links_wiped = false;
        loop {
            let now = self.clock.now();
            let due = self
                .db
                .read(move |connection| outbox::due_ids(connection, now, PASS))
                .await?;
            let fresh: Vec<i64> = due.into_iter().filter(|id| attempted.insert(*id)).collect();
            if fresh.is_empty() {
                if links_wiped {
                    // Personal links were wiped from the outbox: no older
                    // copy may stay in the database's log.
                    self.db.checkpoint().await?;
                }
                return Ok(delivery);
            }
            let outcomes: Vec<Result<Option<(Outcome, bool)>>> = futures_util::stream::iter(fresh)
                .map(|id| self.claim_and_send(id))
                .buffer_unordered(self.settings.in_flight)
                .collect()
                .await;
            for outcome in outcomes {
                let Some((outcome, invitation)) = outcome? else {
                    continue;
                };
                match outcome {
                    Outcome::Sent => delivery.sent += 1,
                    Outcome::Retrying => delivery.retrying += 1,
                    Outcome::Failed => delivery.failed += 1,
                }
                links_wiped |= invitation && !matches!(outcome, Outcome::Retrying);
            }
        }
    }

    /// Claims message `id` and sends it; `None` if another sender has it.
    /// Says too whether it carried a personal link (a survey invitation or
    /// a password reset, wiped once it is handled).
    async fn claim_and_send(&self, id: i64) -> Result<Option<(Outcome, bool)>> {
        let now = self.clock.now();
        let expires = now + chrono::Duration::from_std(self.settings.lease).unwrap_or_default();
        let owner = self.owner.clone();
        let claimed = self
            .db
            .write(move |connection| outbox::claim(connection, id, &owner, now, expires))
            .await?;
        let Some(message) = claimed else {
            return Ok(None);
        };
        let unsubscribe = message
            .subscription_id
            .map(|id| self.links.unsubscribe_url(id));
        let outcome = self
            .mailer
            .send(&OutgoingEmail {
                to: &message.to_address,
                subject: &message.subject,
                text: &message.body_text,
                html: message.body_html.as_deref(),
                message_id: &message.message_id,
                unsubscribe_url: unsubscribe.as_deref(),
            })
            .await;
        let invitation = ["<survey-invitation.", "<password-reset."]
            .iter()
            .any(|prefix| message.message_id.starts_with(prefix));
        let outcome = self.record(&message, outcome).await?;
        Ok(Some((outcome, invitation)))
    }

    /// Marks one message sent, due again later, or failed for good.
    async fn record(
        &self,
        message: &OutboxMessage,
        outcome: std::result::Result<(), DeliveryError>,
    ) -> Result<Outcome> {
        let (id, owner, now) = (message.id, self.owner.clone(), self.clock.now());
        match outcome {
            Ok(()) => {
                let held = self
                    .db
                    .write(move |connection| outbox::mark_sent(connection, id, &owner, now))
                    .await?;
                if !held {
                    tracing::warn!(
                        message = id,
                        "sent after this sender's lease was taken over; it may arrive twice"
                    );
                }
                Ok(Outcome::Sent)
            }
            Err(DeliveryError::Temporary(error)) if message.attempts + 1 < MAX_ATTEMPTS => {
                let wait = self
                    .settings
                    .retry
                    .saturating_mul(2u32.saturating_pow(message.attempts as u32))
                    .min(MAX_BACKOFF);
                let next =
                    now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1));
                tracing::warn!(message = id, attempts = message.attempts + 1, %error, "delivery failed; will retry");
                self.db
                    .write(move |connection| {
                        outbox::mark_retry(connection, id, &owner, &error, next)
                    })
                    .await?;
                Ok(Outcome::Retrying)
            }
            Err(DeliveryError::Temporary(error) | DeliveryError::Permanent(error)) => {
                tracing::error!(message = id, %error, "delivery failed for good");
                self.db
                    .write(move |connection| outbox::mark_failed(connection, id, &owner, &error))
                    .await?;
                Ok(Outcome::Failed)
            }
        }
    }
}

enum Outcome {
    Sent,
    Retrying,
    Failed,
}
