//! Satisfaction summaries, delivered exactly once per subscription and
//! period.
//!
//! The scheduler asks, for every active subscription, which period is due
//! in the subscriber's time zone, renders the summary and enqueues it in the
//! durable outbox under the key `digest:<subscription>:<period>` (UNIQUE),
//! so a period is enqueued once however often, and by however many
//! processes, the scheduler runs. The sender (`jobs::outbox`) delivers it;
//! web requests never wait for any of this.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::db::Database;
use crate::db::digests::DiscoveryActivity;
use crate::db::digests::{self, NewMessage, Subscription};
use crate::db::{series, survey_results};
use crate::domain::digest::effective_sections;
use crate::domain::digest::{Cadence, Period};
use crate::domain::disclosure::rating_average_publishable;
use crate::domain::satisfaction::{self, Satisfaction, Wave};
use crate::domain::survey_results::PublishedCounts;
use crate::error::Result;
use crate::views::digest::{Summary, WaveReport};

/// What links in messages need: where Earshot is, and the key that signs
/// unsubscribe tokens.
#[derive(Clone)]
pub struct Links {
    pub public_url: String,
    pub secret: String,
}

impl Links {
    /// The unsubscribe token of a subscription: an HMAC of its id, so it
    /// need not be stored (only its hash is, to find the subscription).
    pub fn unsubscribe_token(&self, subscription: i64) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.secret.as_bytes())
            .expect("HMAC takes keys of any length");
        mac.update(format!("unsubscribe:{subscription}").as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The token of a person's "no more 'you said, we did' mail" link.
    pub fn opt_out_token(&self, user: i64) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.secret.as_bytes())
            .expect("HMAC takes keys of any length");
        mac.update(format!("closed-loop:{user}").as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    pub fn opt_out_url(&self, user: i64) -> String {
        format!(
            "{}/opt-out/{user}/{}",
            self.public_url.trim_end_matches('/'),
            self.opt_out_token(user)
        )
    }

    pub fn unsubscribe_url(&self, subscription: i64) -> String {
        format!(
            "{}/unsubscribe/{}",
            self.public_url.trim_end_matches('/'),
            self.unsubscribe_token(subscription)
        )
    }

    pub fn host(&self) -> &str {
        let rest = self
            .public_url
            .split_once("://")
            .map_or(self.public_url.as_str(), |(_, rest)| rest);
        let host = rest.split(['/', ':']).next().unwrap_or_default();
        if host.is_empty() {
            "earshot.local"
        } else {
            host
        }
    }
}

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

/// What summaries report beyond their own scope: the headline series'
/// waves (loaded and summarised once per run; ad-hoc surveys are not
/// reported) and the discovery activity of each period (queried once per
/// period, however many subscribers share it).
pub struct Facts {
    /// The headline series' name.
    series: String,
    waves: Vec<Wave>,
    counts: Vec<PublishedCounts>,
    /// Per wave, the scores its results page hides: (service, line).
    suppressed: Vec<Vec<(Option<String>, String)>>,
    satisfaction: Satisfaction,
    discovery: HashMap<(DateTime<Utc>, DateTime<Utc>), DiscoveryActivity>,
}

impl Facts {
    pub async fn load(db: &Database) -> Result<Facts> {
        let (headline, waves, counts) = db
            .read(|connection| {
                let (headline, waves) = series::headline_waves(connection)?;
                let counts = waves
                    .iter()
                    .map(|wave| survey_results::published_counts(connection, wave.survey_id))
                    .collect::<Result<Vec<_>>>()?;
                Ok((headline, waves, counts))
            })
            .await?;
        Ok(Facts {
            series: headline.map(|series| series.name).unwrap_or_default(),
            satisfaction: satisfaction::summarise(&waves),
            suppressed: waves.iter().map(satisfaction::held_back).collect(),
            waves,
            counts,
            discovery: HashMap::new(),
        })
    }

    async fn discovery(
        &mut self,
        db: &Database,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<DiscoveryActivity> {
        if let Some(activity) = self.discovery.get(&(start, end)) {
            return Ok(activity.clone());
        }
        let activity = db
            .read(move |connection| digests::discovery_activity(connection, start, end))
            .await?;
        self.discovery.insert((start, end), activity.clone());
        Ok(activity)
    }

    /// The latest wave of the headline series opened in `[start, end)`,
    /// reported for the services in scope (all when `scope` is empty).
    fn wave_report(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        scope: &[String],
    ) -> Option<WaveReport> {
        let index = self
            .waves
            .iter()
            .rposition(|wave| wave.opened >= start && wave.opened < end)?;
        let summary = &self.satisfaction;
        let latest_overall = index + 1 == self.waves.len();
        let services = summary
            .services
            .iter()
            .filter(|row| scope.is_empty() || scope.contains(&row.service))
            .filter_map(|row| {
                let estimate = row.csat.get(index).cloned().flatten()?;
                // The change is between the last two waves; it belongs to this one only if it is the last.
                let change = if latest_overall { row.change } else { None };
                Some((row.service.clone(), estimate, change))
            })
            .collect();
        let counts = self.counts.get(index).copied().unwrap_or_default();
        Some(WaveReport {
            suppressed: self.suppressed[index]
                .iter()
                .filter(|(service, _)| match service {
                    Some(service) => scope.is_empty() || scope.contains(service),
                    None => true,
                })
                .map(|(_, line)| line.clone())
                .collect(),
            title: format!("{}, {}", self.series, self.waves[index].label),
            nps: summary.nps.get(index).cloned().flatten(),
            ces: summary.ces.get(index).cloned().flatten(),
            services,
            invited: counts.invited,
            responses: counts.invited_answered,
        })
    }
}

/// The key under which a subscription's message for a period is enqueued once.
fn dedupe_key(subscription: &Subscription, period: &Period) -> String {
    format!("digest:{}:{}", subscription.id, period.key)
}

/// The summary message for `subscription` and `period`, or `None` when the
/// period has nothing to say.
async fn render(
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
        .read(move |connection| digests::feedback_volume(connection, start, end, &services))
        .await?
        .into_iter()
        .map(|volume| digests::ServiceVolume {
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
            .read(move |connection| digests::is_enqueued(connection, &exists_key))
            .await?
        {
            continue;
        }
        let Some(message) = render(db, links, &mut facts, subscription, &period, now).await? else {
            continue;
        };
        if db
            .write(move |connection| digests::enqueue(connection, &message, now))
            .await?
        {
            enqueued += 1;
        }
    }
    Ok(enqueued)
}
