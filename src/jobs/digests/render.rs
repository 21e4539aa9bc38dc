//! One subscription's summary for one period, as a message for the outbox.

use chrono::{DateTime, Utc};

use super::dedupe_key;
use super::facts::Facts;
use crate::db::Database;
use crate::db::digest_reports;
use crate::db::outbox::NewMessage;
use crate::domain::digest::{Cadence, Period, ServiceVolume, Subscription, effective_sections};
use crate::domain::disclosure::rating_average_publishable;
use crate::error::Result;
use crate::jobs::links::Links;
use crate::views::digest::Summary;

/// How a message names its period; one sent early says "so far".
fn period_label(subscription: &Subscription, period: &Period, now: DateTime<Utc>) -> String {
    let so_far = period.end > now;
    let timezone = subscription.schedule.timezone;
    let start = period.start.with_timezone(&timezone);
    let last_day = (period.end - chrono::Duration::seconds(1)).with_timezone(&timezone);
    let label = match subscription.schedule.cadence {
        Cadence::Monthly => start.format("%B %Y").to_string(),
        Cadence::Weekly(_) => format!(
            "{} to {}",
            start.format("%-d %b"),
            last_day.format("%-d %b %Y")
        ),
    };
    if so_far {
        format!("{label}, so far")
    } else {
        label
    }
}

/// The summary message for `subscription` and `period`, or `None` when the
/// period has nothing to say.
pub(super) async fn render(
    db: &Database,
    links: &Links,
    facts: &mut Facts,
    subscription: &Subscription,
    period: &Period,
    now: DateTime<Utc>,
) -> Result<Option<NewMessage>> {
    let (start, end, services) = (period.start, period.end, subscription.services.clone());
    // A period sent early is not over: a rating still to come would move
    // its averages (disclosure rule 9).
    let over = period.end <= now;
    let volumes: Vec<_> = db
        .read(move |connection| digest_reports::feedback_volume(connection, start, end, &services))
        .await?
        .into_iter()
        .map(|volume| ServiceVolume {
            average_rating: volume
                .average_rating
                .filter(|_| rating_average_publishable(volume.ratings, over)),
            ..volume
        })
        .collect();
    let discovery = facts.discovery(db, start, end).await?;
    let satisfaction = facts.wave_report(start, end, &subscription.services);
    let unsubscribe_url = links.unsubscribe_url(subscription.id);
    let summary = Summary {
        period,
        period_label: period_label(subscription, period, now),
        volumes: &volumes,
        discovery: &discovery,
        satisfaction: satisfaction.as_ref(),
        public_url: links.public_url.trim_end_matches('/'),
        unsubscribe_url: &unsubscribe_url,
        sections: effective_sections(&subscription.sections, subscription.recipient_role),
    };
    if summary.is_empty() {
        return Ok(None);
    }
    Ok(Some(NewMessage {
        dedupe_key: dedupe_key(subscription, period),
        message_id: format!(
            "<digest.{}.{}@{}>",
            subscription.id,
            period.key.replace(':', "."),
            links.host()
        ),
        subscription_id: Some(subscription.id),
        period: Some(period.key.clone()),
        to_address: subscription.email.clone(),
        subject: summary.subject(),
        body_text: summary.text(),
        body_html: Some(summary.html().into_string()),
    }))
}
