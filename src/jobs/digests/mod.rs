//! Satisfaction summaries, delivered exactly once per subscription and
//! period.
//!
//! The scheduler asks, for every active subscription, which period is due
//! in the subscriber's time zone, renders the summary and enqueues it in the
//! durable outbox under the key `digest:<subscription>:<period>` (UNIQUE),
//! so a period is enqueued once however often, and by however many
//! processes, the scheduler runs. The sender (`jobs::outbox`) delivers it;
//! web requests never wait for any of this.
//!
//! What summaries report beyond their own scope is gathered once per run
//! (`facts`); `render` turns one subscription's period into a message.

mod facts;
mod render;

use chrono::{DateTime, Utc};

use crate::db::Database;
use crate::db::digests;
use crate::db::outbox::{self, NewMessage};
use crate::domain::digest::{Period, Subscription};
use crate::error::Result;
use crate::jobs::links::Links;
use facts::Facts;
use render::render;

/// Which period to treat as due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// The latest period whose send time has come (the scheduler, `--due`).
    Scheduled,
    /// The period in progress, sent early (`--now`); still once per period.
    Now,
}

fn period_for(subscription: &Subscription, now: DateTime<Utc>, due: Due) -> Option<Period> {
    match due {
        Due::Scheduled => {
            let period = subscription.schedule.latest_due(now);
            // Periods that ended before the subscription existed are not owed.
            (period.send_at >= subscription.created_at).then_some(period)
        }
        // The whole period in progress: nothing is stored after `now`, and
        // what arrived at `now` itself counts, even at the very instant the
        // period began.
        Due::Now => Some(subscription.schedule.in_progress(now)),
    }
}

/// The key under which a subscription's message for a period is enqueued once.
pub(super) fn dedupe_key(subscription: &Subscription, period: &Period) -> String {
    format!("digest:{}:{}", subscription.id, period.key)
}

/// The message `subscription` would get now, for the current period so far
/// (the preview page and `earshot digest preview`).
pub async fn preview(
    db: &Database,
    links: &Links,
    subscription: &Subscription,
    now: DateTime<Utc>,
) -> Result<Option<NewMessage>> {
    let period = period_for(subscription, now, Due::Now).expect("the current period always exists");
    let mut facts = Facts::load(db).await?;
    render(db, links, &mut facts, subscription, &period, now).await
}

/// Enqueues the due summary of every active subscription; returns how many
/// were new. Safe to run any number of times: each (subscription, period)
/// is enqueued once.
pub async fn enqueue_summaries(
    db: &Database,
    links: &Links,
    now: DateTime<Utc>,
    due: Due,
) -> Result<usize> {
    let subscriptions = db.read(digests::list_subscriptions).await?;
    let mut facts = Facts::load(db).await?;
    let mut enqueued = 0;
    for subscription in subscriptions
        .iter()
        .filter(|subscription| subscription.unsubscribed_at.is_none())
    {
        let Some(period) = period_for(subscription, now, due) else {
            continue;
        };
        let exists_key = dedupe_key(subscription, &period);
        if db
            .read(move |connection| outbox::is_enqueued(connection, &exists_key))
            .await?
        {
            continue;
        }
        let Some(message) = render(db, links, &mut facts, subscription, &period, now).await? else {
            continue;
        };
        if db
            .write(move |connection| outbox::enqueue(connection, &message, now))
            .await?
        {
            enqueued += 1;
        }
    }
    Ok(enqueued)
}
