//! The demo organisation in `seed-data/`, embedded in the binary so that
//! `earshot serve --demo` works from any directory.
//!
//! Dates in the seed files are "days ago" (or "weeks ago"), resolved against
//! the instant the caller gives, so the demo looks current whatever the day
//! it is loaded. The demo is whole at any instant: feedback of "today"
//! (`days_ago: 0`) lands inside the current period of every demo
//! subscription, however recently that period began, so `earshot digest
//! send --now` right after `earshot seed` has something to say to each of
//! them; one interview in each recent week keeps the discovery habit's
//! streak; survey waves fall in consecutive quarters, the newest last.
//! Everything goes through the same parsing as user input, so bad seed data
//! fails loudly.

mod discovery;
mod subscriptions;
mod surveys;

pub use subscriptions::demo_subscriptions;

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use crate::auth;
use crate::db::{Connection, feedback, people, services};
use crate::domain::digest::NewSubscription;
use crate::domain::{
    Email, FeedbackDraft, FeedbackStatus, NewFeedback, NewService, Role, ServiceDraft,
};
use crate::error::{Error, Result};

const ORGANISATION: &str = include_str!("../../seed-data/organisation.json");
const FEEDBACK: &str = include_str!("../../seed-data/feedback.json");

/// The password of every demo login.
pub const DEMO_PASSWORD: &str = "earshot-demo";
/// The demo logins, one per role.
pub const DEMO_LOGINS: [(&str, &str); 3] = [
    ("ines.okafor@halcyon.example", "admin"),
    ("sam.rivera@halcyon.example", "team"),
    ("priya.natarajan@halcyon.example", "contributor"),
];

#[derive(Deserialize)]
struct Organisation {
    teams: Vec<SeedTeam>,
    people: Vec<SeedPerson>,
    services: Vec<SeedService>,
}

#[derive(Deserialize)]
struct SeedTeam {
    slug: String,
    name: String,
}

#[derive(Deserialize)]
struct SeedPerson {
    email: String,
    name: String,
    team: String,
    role: String,
}

#[derive(Deserialize)]
struct SeedService {
    slug: String,
    name: String,
    description: String,
    owner_team: String,
    tier: i64,
    slo_target: Option<f64>,
    slo_window_days: Option<i64>,
    runbook_url: Option<String>,
    dashboard_url: Option<String>,
}

#[derive(Deserialize)]
struct SeedFeedback {
    days_ago: i64,
    service: String,
    kind: String,
    rating: Option<i64>,
    title: Option<String>,
    body: String,
    author: Option<String>,
    #[serde(default)]
    contact_ok: bool,
    status: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    notes: Vec<SeedNote>,
}

#[derive(Deserialize)]
struct SeedNote {
    author: String,
    days_ago: i64,
    body: String,
}

/// What was loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedSummary {
    pub teams: usize,
    pub people: usize,
    pub services: usize,
    pub feedback: usize,
}

impl fmt::Display for SeedSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Loaded {} teams, {} people, {} services and {} feedback items.",
            self.teams, self.people, self.services, self.feedback
        )
    }
}

fn seed_error(what: impl fmt::Display) -> Error {
    Error::Internal(format!("the embedded seed data is invalid: {what}"))
}

/// Loads the demo organisation; the caller checks the database is empty and
/// runs this in one transaction.
pub fn load(connection: &Connection, now: DateTime<Utc>) -> Result<SeedSummary> {
    let organisation: Organisation = serde_json::from_str(ORGANISATION).map_err(seed_error)?;
    let items: Vec<SeedFeedback> = serde_json::from_str(FEEDBACK).map_err(seed_error)?;

    for team in &organisation.teams {
        people::ensure_team(connection, &team.slug, &team.name)?;
    }
    let demo_password_hash = auth::hash_password(DEMO_PASSWORD)?;
    for person in &organisation.people {
        let email = Email::parse(&person.email).map_err(seed_error)?;
        let role = Role::parse(&person.role).ok_or_else(|| seed_error(&person.role))?;
        let is_demo_login = DEMO_LOGINS
            .iter()
            .any(|(login, _)| *login == email.as_str());
        people::insert_user(
            connection,
            &people::NewUser {
                email: &email,
                name: &person.name,
                role,
                team_id: Some(people::ensure_team(connection, &person.team, &person.team)?),
                password_hash: is_demo_login.then_some(demo_password_hash.as_str()),
            },
            now - Duration::days(400),
        )?;
    }
    for service in &organisation.services {
        let parsed = NewService::parse(&ServiceDraft {
            slug: service.slug.clone(),
            name: service.name.clone(),
            description: service.description.clone(),
            owner_team: service.owner_team.clone(),
            tier: Some(service.tier),
        })
        .map_err(|errors| seed_error(format!("service {}: {errors:?}", service.slug)))?;
        let stored = services::insert_service(connection, &parsed, now - Duration::days(400))?;
        services::set_service_operations(
            connection,
            stored.id,
            &services::ServiceOperations {
                slo_target: service.slo_target,
                slo_window_days: service.slo_window_days,
                runbook_url: service.runbook_url.as_deref(),
                dashboard_url: service.dashboard_url.as_deref(),
            },
        )?;
    }
    let subscriptions = demo_subscriptions()?;
    let today = Today::new(&subscriptions, &items, now);
    for (index, item) in items.iter().enumerate() {
        load_feedback(connection, index, item, &today)?;
    }
    discovery::load(connection, now)?;
    surveys::load(connection, now)?;
    load_reliability(connection, now)?;
    subscriptions::load_subscriptions(connection, &subscriptions, now)?;
    Ok(SeedSummary {
        teams: organisation.teams.len(),
        people: organisation.people.len(),
        services: organisation.services.len(),
        feedback: items.len(),
    })
}

/// When "today's" feedback arrived: spread over the time since the most
/// recent current period of a demo subscription began (at most twelve
/// hours), newest at `now`, so every subscription's current period holds
/// some of it even a moment after it began.
struct Today {
    now: DateTime<Utc>,
    spread: Duration,
    /// Position of each item among today's, by index into the seed items.
    positions: Vec<Option<usize>>,
    count: usize,
}

impl Today {
    fn new(subscriptions: &[NewSubscription], items: &[SeedFeedback], now: DateTime<Utc>) -> Today {
        // A monthly period still waiting for its send hour has ended already;
        // the days before hold its feedback.
        let latest_start = subscriptions
            .iter()
            .map(|subscription| subscription.schedule.in_progress(now))
            .filter(|period| period.end > now)
            .map(|period| period.start)
            .max()
            .unwrap_or(now - Duration::hours(12));
        let spread = (now - latest_start).clamp(Duration::zero(), Duration::hours(12));
        let mut count = 0;
        let positions = items
            .iter()
            .map(|item| {
                (item.days_ago == 0).then(|| {
                    count += 1;
                    count - 1
                })
            })
            .collect();
        Today {
            now,
            spread,
            positions,
            count,
        }
    }

    /// When item `index` (of `days_ago` days ago) was submitted.
    fn created_at(&self, index: usize, days_ago: i64) -> DateTime<Utc> {
        match self.positions.get(index).copied().flatten() {
            Some(position) => self.now - self.spread * position as i32 / self.count.max(1) as i32,
            None => {
                // Spread items over the day so the inbox does not show them all at midnight.
                let minutes = (index as i64 * 7_919) % (20 * 60);
                self.now - Duration::days(days_ago) - Duration::minutes(minutes)
            }
        }
    }
}

fn load_feedback(
    connection: &Connection,
    index: usize,
    item: &SeedFeedback,
    today: &Today,
) -> Result<()> {
    let now = today.now;
    let parsed = NewFeedback::parse(&FeedbackDraft {
        service: item.service.clone(),
        kind: item.kind.clone(),
        rating: item
            .rating
            .map(|rating| rating.to_string())
            .unwrap_or_default(),
        title: item.title.clone().unwrap_or_default(),
        body: item.body.clone(),
        anonymous: item.author.is_none(),
        contact_ok: item.contact_ok,
    })
    .map_err(|errors| seed_error(format!("feedback #{index}: {errors:?}")))?;
    let author_id = match &item.author {
        None => None,
        Some(email) => Some(person_id(connection, email)?),
    };
    let created_at = today.created_at(index, item.days_ago);
    let id = feedback::insert_feedback(connection, &parsed, author_id, created_at)?;
    let status = FeedbackStatus::parse(&item.status)
        .ok_or_else(|| seed_error(format!("feedback #{index}: status {}", item.status)))?;
    if status != FeedbackStatus::New {
        feedback::set_status(connection, id, status, created_at)?;
    }
    if !item.tags.is_empty() {
        let tags = crate::domain::parse_tags(&item.tags.join(","))
            .map_err(|message| seed_error(format!("feedback #{index}: {message}")))?;
        feedback::add_tags(connection, id, &tags)?;
    }
    for note in &item.notes {
        let author = person_id(connection, &note.author)?;
        let written_at = now - Duration::days(note.days_ago);
        feedback::add_note(connection, id, author, &note.body, written_at)?;
    }
    Ok(())
}

/// Twelve months of reliability figures, as a monitoring tool would push
/// them: each service wavers around its usual level, and the last three
/// months tell the demo's story (the CI cache fix, alerting getting worse).
fn load_reliability(connection: &Connection, now: DateTime<Utc>) -> Result<()> {
    let figures = [
        (
            "ci-runner",
            [(0.981, -0.4, 6), (0.992, 0.1, 3), (0.997, 0.55, 1)],
        ),
        (
            "alerting",
            [(0.9995, 0.7, 1), (0.9991, 0.42, 2), (0.9987, 0.12, 4)],
        ),
        (
            "k8s.prod",
            [(0.9993, 0.6, 2), (0.9990, 0.45, 3), (0.9994, 0.62, 1)],
        ),
        (
            "logging",
            [(0.995, 0.2, 3), (0.997, 0.4, 2), (0.998, 0.6, 1)],
        ),
        (
            "deploy-pipeline",
            [(0.996, 0.3, 3), (0.994, 0.05, 5), (0.997, 0.4, 2)],
        ),
        (
            "k8s.staging",
            [(0.985, -0.2, 7), (0.982, -0.5, 8), (0.988, 0.1, 5)],
        ),
    ];
    for (service, recent) in figures {
        let (base_attainment, base_budget, base_incidents) = recent[0];
        for back in (0..12_i64).rev() {
            // Nine earlier months near the first recent one, then the three.
            let (attainment, budget, incidents) = if back < 3 {
                recent[(2 - back) as usize]
            } else {
                let wobble = ((back * 7) % 5 - 2) as f64;
                (
                    (base_attainment + wobble * 0.0004).min(0.99995),
                    base_budget + wobble * 0.08,
                    (base_incidents + ((back as u32 * 3) % 4)).saturating_sub(1),
                )
            };
            let month = now
                .date_naive()
                .checked_sub_months(chrono::Months::new(back as u32))
                .unwrap_or_default();
            services::upsert_reliability(
                connection,
                service,
                &crate::domain::ReliabilityReport {
                    period: month.format("%Y-%m").to_string(),
                    slo_attainment: Some(attainment),
                    error_budget_remaining: Some(budget),
                    incidents: Some(incidents),
                },
                now,
            )?;
        }
    }
    Ok(())
}

fn person_id(connection: &Connection, email: &str) -> Result<i64> {
    let email = Email::parse(email).map_err(seed_error)?;
    Ok(people::user_by_email(connection, &email)?
        .ok_or_else(|| seed_error(format!("no person {email}")))?
        .id)
}
