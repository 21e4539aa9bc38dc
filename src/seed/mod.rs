//! The demo organisation in `seed-data/`, embedded in the binary so that
//! `earshot serve --demo` works from any directory.
//!
//! Dates in the seed files are "days ago", resolved against the moment the
//! data is loaded, so the demo always looks current. Everything goes through
//! the same parsing as user input, so bad seed data fails loudly.

mod surveys;

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use rusqlite::Connection;
use serde::Deserialize;

use crate::auth;
use crate::db::pain_points as pain_point_rows;
use crate::db::{digests, feedback, people, roadmap, services, settings};
use crate::domain::digest::{NewSubscription, SubscriptionDraft};
use crate::domain::pain_point::NewPainPoint;
use crate::domain::roadmap::{NewRoadmapItem, RoadmapStatus};
use crate::domain::{
    Email, FeedbackDraft, FeedbackStatus, NewFeedback, NewService, Role, ServiceDraft,
};
use crate::error::{Error, Result};
use crate::jobs::digests::Links;

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
    for (index, item) in items.iter().enumerate() {
        load_feedback(connection, index, item, now)?;
    }
    load_discovery(connection, now)?;
    surveys::load(connection, now)?;
    load_reliability(connection, now)?;
    load_subscriptions(connection, now)?;
    Ok(SeedSummary {
        teams: organisation.teams.len(),
        people: organisation.people.len(),
        services: organisation.services.len(),
        feedback: items.len(),
    })
}

fn load_feedback(
    connection: &Connection,
    index: usize,
    item: &SeedFeedback,
    now: DateTime<Utc>,
) -> Result<()> {
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
    // Spread items over the day so the inbox does not show them all at midnight.
    let minutes = (index as i64 * 7_919) % (20 * 60);
    let created_at = now - Duration::days(item.days_ago) - Duration::minutes(minutes);
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

/// Pain points the platform team has named from the feedback (evidence
/// chosen by tag and service), and roadmap items that answer them, two of
/// them shipped.
fn load_discovery(connection: &Connection, now: DateTime<Utc>) -> Result<()> {
    let sam = person_id(connection, "sam.rivera@halcyon.example")?;
    let pain_points = [
        (
            "Alerts page us for things we cannot fix",
            "Mostly upstream partner latency and staging.",
            "alert-fatigue",
            "alerting",
        ),
        (
            "Pods get OOMKilled and nobody knows what to request",
            "Requests and limits are copied between services.",
            "resources",
            "k8s.prod",
        ),
        (
            "CI caches are cold after every deploy",
            "The bucket lifecycle rule evicts the Gradle cache.",
            "caching",
            "ci-runner",
        ),
        (
            "Flaky CI runners fail builds at random",
            "",
            "flaky",
            "ci-runner",
        ),
        (
            "Logs are gone before we need them",
            "Retention was 7 days until the change.",
            "retention",
            "logging",
        ),
        (
            "Rolling back a bad deploy takes too long",
            "",
            "rollback",
            "deploy-pipeline",
        ),
    ];
    let mut ids = Vec::new();
    for (title, description, tag, service) in pain_points {
        let id = pain_point_rows::insert(
            connection,
            &NewPainPoint {
                title: title.into(),
                description: description.into(),
                services: vec![service.into()],
                tags: vec![tag.into()],
            },
            now - Duration::days(120),
        )?;
        let evidence = feedback::ids_with_tag(connection, tag, service)?;
        pain_point_rows::add_evidence(connection, id, &evidence, sam, now - Duration::days(30))?;
        ids.push(id);
    }
    let items = [
        (
            "Warm the CI cache on deploy",
            "Pre-fill the Gradle cache when a deploy lands.",
            "2026-Q3",
            RoadmapStatus::Shipped,
            Some(60),
            vec![ids[2]],
        ),
        (
            "30-day log retention",
            "Keep logs for 30 days on every tier.",
            "2026-Q3",
            RoadmapStatus::Shipped,
            Some(45),
            vec![ids[4]],
        ),
        (
            "Route alerts by service ownership",
            "Page the owning team, not the platform rota.",
            "2026-Q4",
            RoadmapStatus::InProgress,
            None,
            vec![ids[0]],
        ),
        (
            "Right-sizing advice for requests and limits",
            "",
            "2027-Q1",
            RoadmapStatus::Planned,
            None,
            vec![ids[1]],
        ),
        (
            "One-click rollback in deploy-pipeline",
            "",
            "2027-Q1",
            RoadmapStatus::Idea,
            None,
            vec![ids[5]],
        ),
    ];
    for (title, description, quarter, status, shipped_days_ago, answers) in items {
        let id = roadmap::insert(
            connection,
            &NewRoadmapItem {
                title: title.into(),
                description: description.into(),
                target_quarter: Some(quarter.into()),
                status: RoadmapStatus::Idea,
                services: Vec::new(),
                tags: Vec::new(),
            },
            sam,
            now - Duration::days(100),
        )?;
        for pain_point in answers {
            roadmap::link_pain_point(connection, id, pain_point, now - Duration::days(90))?;
        }
        let when = now - Duration::days(shipped_days_ago.unwrap_or(10));
        roadmap::set_status(connection, id, status, when)?;
    }
    Ok(())
}

/// Three months of reliability figures, as a monitoring tool would push them.
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
    ];
    for (service, months) in figures {
        for (back, (attainment, budget, incidents)) in months.into_iter().enumerate() {
            let month = now - Duration::days(30 * (2 - back as i64));
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

/// A few stakeholders subscribed to summaries, so `earshot digest send
/// --now` has something to send.
fn load_subscriptions(connection: &Connection, now: DateTime<Utc>) -> Result<()> {
    let secret = settings::get_or_insert(connection, "secret", &auth::new_token(""))?;
    let links = Links {
        public_url: String::new(),
        secret,
    };
    let subscriptions = [
        (
            "platform-leads@halcyon.example",
            "weekly",
            "monday",
            "8",
            "Europe/London",
            vec![],
        ),
        (
            "ines.okafor@halcyon.example",
            "monthly",
            "",
            "9",
            "Europe/Berlin",
            vec![],
        ),
        (
            "delivery-stakeholders@halcyon.example",
            "weekly",
            "friday",
            "16",
            "America/New_York",
            vec!["ci-runner".to_owned(), "deploy-pipeline".to_owned()],
        ),
    ];
    for (email, cadence, weekday, hour, timezone, services) in subscriptions {
        let subscription = NewSubscription::parse(&SubscriptionDraft {
            email: email.into(),
            cadence: cadence.into(),
            weekday: weekday.into(),
            hour: hour.into(),
            timezone: timezone.into(),
            services,
            sections: Vec::new(),
        })
        .map_err(|errors| seed_error(format!("subscription {email}: {errors:?}")))?;
        let id = digests::insert_subscription(connection, &subscription, None, now)?;
        digests::set_unsubscribe_hash(
            connection,
            id,
            &auth::hash_token(&links.unsubscribe_token(id)),
        )?;
    }
    Ok(())
}

fn person_id(connection: &Connection, email: &str) -> Result<i64> {
    let email = Email::parse(email).map_err(seed_error)?;
    Ok(people::user_by_email(connection, &email)?
        .ok_or_else(|| seed_error(format!("no person {email}")))?
        .id)
}
