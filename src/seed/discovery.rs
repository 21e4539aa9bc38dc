//! The demo's discovery work from `seed-data/discovery.json`: outcomes,
//! pain points with evidence chosen from the feedback by tag and service,
//! roadmap items in every status (some with assumption tests), and weekly
//! interview snapshots whose highlights are evidence, one in each of the
//! thirteen weeks before the current one.

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::{person_id, seed_error};
use crate::db::pain_points as pain_point_rows;
use crate::db::{Connection, feedback, interviews, people, roadmap, tree};
use crate::domain::cadence::monday_of;
use crate::domain::interview::{InterviewDraft, NewInterview, parse_highlight};
use crate::domain::outcome::NewOutcome;
use crate::domain::pain_point::{NewPainPoint, PainPointDraft};
use crate::domain::roadmap::{NewRoadmapItem, RoadmapDraft, RoadmapStatus};
use crate::domain::{Email, FieldErrors};
use crate::error::Result;

const DISCOVERY: &str = include_str!("../../seed-data/discovery.json");

#[derive(Deserialize)]
struct Discovery {
    outcomes: Vec<SeedOutcome>,
    pain_points: Vec<SeedPainPoint>,
    roadmap: Vec<SeedRoadmapItem>,
    interviews: Vec<SeedInterview>,
}

#[derive(Deserialize)]
struct SeedOutcome {
    title: String,
    metric: String,
    target: String,
}

#[derive(Deserialize)]
struct SeedPainPoint {
    title: String,
    description: String,
    services: Vec<String>,
    tags: Vec<String>,
    /// Feedback on `service` tagged `tag` is evidence.
    evidence: Vec<EvidenceRule>,
    /// Index into `outcomes`.
    outcome: Option<usize>,
    /// Index into `pain_points` (an earlier one).
    parent: Option<usize>,
}

#[derive(Deserialize)]
struct EvidenceRule {
    tag: String,
    service: String,
}

#[derive(Deserialize)]
struct SeedRoadmapItem {
    title: String,
    description: String,
    quarter: String,
    status: String,
    shipped_days_ago: Option<i64>,
    services: Vec<String>,
    tags: Vec<String>,
    /// Indexes into `pain_points`.
    answers: Vec<usize>,
    tests: Vec<SeedTest>,
}

#[derive(Deserialize)]
struct SeedTest {
    assumption: String,
    method: String,
    status: String,
    result: String,
}

#[derive(Deserialize)]
struct SeedInterview {
    /// The email of the person interviewed, one of the organisation.
    participant: String,
    role: String,
    interviewers: Vec<String>,
    /// Held this many weeks (Monday to Sunday) before the current one, on
    /// `weekday`: one a week keeps the discovery habit's streak whatever
    /// the day the demo is loaded.
    weeks_ago: i64,
    weekday: String,
    quote: String,
    notes: String,
    opportunities: String,
    insights: String,
    services: Vec<String>,
    tags: Vec<String>,
    highlights: Vec<SeedHighlight>,
}

#[derive(Deserialize)]
struct SeedHighlight {
    quote: String,
    /// Indexes into `pain_points`.
    evidence_for: Vec<usize>,
}

fn invalid(what: &str, errors: FieldErrors) -> crate::error::Error {
    seed_error(format!("{what}: {errors:?}"))
}

/// Loads the discovery work; pain points get their evidence from feedback
/// already loaded.
pub fn load(connection: &Connection, now: DateTime<Utc>) -> Result<()> {
    let discovery: Discovery = serde_json::from_str(DISCOVERY).map_err(seed_error)?;
    let sam = person_id(connection, "sam.rivera@halcyon.example")?;
    let mut outcomes = Vec::new();
    for outcome in &discovery.outcomes {
        let parsed = NewOutcome::parse(&outcome.title, &outcome.metric, &outcome.target)
            .map_err(|errors| invalid(&outcome.title, errors))?;
        outcomes.push(tree::insert_outcome(
            connection,
            &parsed.title,
            &parsed.metric,
            &parsed.target,
            now - Duration::days(200),
        )?);
    }

    let mut pain_points = Vec::new();
    for pain_point in &discovery.pain_points {
        let parsed = NewPainPoint::parse(&PainPointDraft {
            title: pain_point.title.clone(),
            description: pain_point.description.clone(),
            services: pain_point.services.clone(),
            tags: pain_point.tags.clone(),
        })
        .map_err(|errors| invalid(&pain_point.title, errors))?;
        let id = pain_point_rows::insert(connection, &parsed, now - Duration::days(120))?;
        let mut evidence = Vec::new();
        for rule in &pain_point.evidence {
            evidence.extend(feedback::ids_with_tag(
                connection,
                &rule.tag,
                &rule.service,
            )?);
        }
        if evidence.is_empty() {
            return Err(seed_error(format!("{}: no evidence", pain_point.title)));
        }
        pain_point_rows::add_evidence(connection, id, &evidence, sam, now - Duration::days(30))?;
        let outcome = pain_point.outcome.map(|index| outcomes[index]);
        let parent = pain_point.parent.map(|index| pain_points[index]);
        if outcome.is_some() || parent.is_some() {
            tree::place_pain_point(connection, id, outcome, parent)?;
        }
        pain_points.push(id);
    }

    for item in &discovery.roadmap {
        let parsed = NewRoadmapItem::parse(&RoadmapDraft {
            title: item.title.clone(),
            description: item.description.clone(),
            target_quarter: item.quarter.clone(),
            status: RoadmapStatus::Idea.as_str().to_owned(),
            services: item.services.clone(),
            tags: item.tags.clone(),
        })
        .map_err(|errors| invalid(&item.title, errors))?;
        let id = roadmap::insert(connection, &parsed, sam, now - Duration::days(100))?;
        for answer in &item.answers {
            roadmap::link_pain_point(
                connection,
                id,
                pain_points[*answer],
                now - Duration::days(90),
            )?;
        }
        for test in &item.tests {
            let test_id = tree::insert_assumption_test(
                connection,
                id,
                &test.assumption,
                &test.method,
                now - Duration::days(80),
            )?;
            tree::record_result(connection, test_id, &test.status, &test.result)?;
        }
        let status = RoadmapStatus::parse(&item.status)
            .ok_or_else(|| seed_error(format!("{}: status {}", item.title, item.status)))?;
        let when = now - Duration::days(item.shipped_days_ago.unwrap_or(10));
        roadmap::set_status(connection, id, status, when)?;
    }

    for interview in &discovery.interviews {
        let email = Email::parse(&interview.participant).map_err(seed_error)?;
        let participant = people::user_by_email(connection, &email)?
            .ok_or_else(|| seed_error(format!("no person {email}")))?;
        let weekday = crate::domain::digest::parse_weekday(&interview.weekday)
            .ok_or_else(|| seed_error(format!("weekday {}", interview.weekday)))?;
        let held_on = monday_of(now.date_naive()) - Duration::weeks(interview.weeks_ago)
            + Duration::days(i64::from(weekday.num_days_from_monday()));
        let parsed = NewInterview::parse(&InterviewDraft {
            participant_name: participant.name.clone(),
            participant_team: participant.team.clone().unwrap_or_default(),
            participant_role: interview.role.clone(),
            held_on: held_on.to_string(),
            quote: interview.quote.clone(),
            notes: interview.notes.clone(),
            opportunities: interview.opportunities.clone(),
            insights: interview.insights.clone(),
            services: interview.services.clone(),
            tags: interview.tags.clone(),
            interviewers: interview.interviewers.clone(),
        })
        .map_err(|errors| invalid(&interview.participant, errors))?;
        // Written up the afternoon it was held.
        let recorded = held_on
            .and_hms_opt(15, 0, 0)
            .map_or(now, |at| at.and_utc())
            .min(now);
        let id = interviews::insert(connection, &parsed, sam, recorded)?;
        for highlight in &interview.highlights {
            let quote = parse_highlight(&parsed.notes, &highlight.quote)
                .map_err(|errors| invalid(&highlight.quote, errors))?;
            let highlight_id = interviews::add_highlight(connection, id, &quote, sam, recorded)?;
            for pain_point in &highlight.evidence_for {
                pain_point_rows::add_highlight_evidence(
                    connection,
                    pain_points[*pain_point],
                    highlight_id,
                    sam,
                    recorded,
                )?;
            }
        }
    }
    Ok(())
}
