//! The demo's subscriptions to summaries: a few stakeholders, on weekly and
//! monthly schedules in three time zones, each with its unsubscribe link.

use chrono::{DateTime, Utc};

use super::seed_error;
use crate::auth;
use crate::db::{Connection, digests, settings};
use crate::domain::digest::{NewSubscription, SubscriptionDraft};
use crate::error::Result;
use crate::jobs::links::Links;

/// A stakeholder's subscription to summaries, as typed.
struct DemoSubscription {
    email: &'static str,
    cadence: &'static str,
    weekday: &'static str,
    time: &'static str,
    timezone: &'static str,
    services: &'static [&'static str],
}

/// A few stakeholders subscribed to summaries, so `earshot digest send
/// --now` has something to send.
const SUBSCRIPTIONS: [DemoSubscription; 3] = [
    DemoSubscription {
        email: "platform-leads@halcyon.example",
        cadence: "weekly",
        weekday: "monday",
        time: "8",
        timezone: "Europe/London",
        services: &[],
    },
    DemoSubscription {
        email: "ines.okafor@halcyon.example",
        cadence: "monthly",
        weekday: "",
        time: "9",
        timezone: "Europe/Berlin",
        services: &[],
    },
    DemoSubscription {
        email: "delivery-stakeholders@halcyon.example",
        cadence: "weekly",
        weekday: "friday",
        time: "16",
        timezone: "America/New_York",
        services: &["ci-runner", "deploy-pipeline"],
    },
];

/// The demo's subscriptions to summaries, parsed.
pub fn demo_subscriptions() -> Result<Vec<NewSubscription>> {
    SUBSCRIPTIONS
        .iter()
        .map(|demo| {
            NewSubscription::parse(&SubscriptionDraft {
                email: demo.email.into(),
                cadence: demo.cadence.into(),
                weekday: demo.weekday.into(),
                hour: demo.time.into(),
                timezone: demo.timezone.into(),
                services: demo
                    .services
                    .iter()
                    .map(|slug| (*slug).to_owned())
                    .collect(),
                sections: Vec::new(),
            })
            .map_err(|errors| seed_error(format!("subscription {}: {errors:?}", demo.email)))
        })
        .collect()
}

pub(super) fn load_subscriptions(
    connection: &Connection,
    subscriptions: &[NewSubscription],
    now: DateTime<Utc>,
) -> Result<()> {
    let secret = settings::get_or_insert(connection, "secret", &auth::new_token(""))?;
    let links = Links {
        public_url: String::new(),
        secret,
    };
    for subscription in subscriptions {
        let id = digests::insert_subscription(connection, subscription, None, now)?;
        digests::set_unsubscribe_hash(
            connection,
            id,
            &auth::hash_token(&links.unsubscribe_token(id)),
        )?;
    }
    Ok(())
}
