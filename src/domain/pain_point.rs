//! Pain points (opportunities): problems in the users' own words, backed by
//! evidence, ranked by an impact score whose parts are shown.

use chrono::{DateTime, Utc};

use super::feedback::text_enum;
use super::labels::{parse_service_list, parse_tag_list};
use super::text::{FieldErrors, optional_text, single_line};

text_enum! {
    /// Where the team is with a pain point.
    PainPointStatus { Open => "open", Exploring => "exploring", Addressed => "addressed", WontFix => "wont_fix" }
}

/// A pain point as typed, before checks.
#[derive(Debug, Clone, Default)]
pub struct PainPointDraft {
    pub title: String,
    pub description: String,
    pub services: Vec<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewPainPoint {
    pub title: String,
    pub description: String,
    pub services: Vec<String>,
    pub tags: Vec<String>,
}

impl NewPainPoint {
    pub fn parse(draft: &PainPointDraft) -> Result<NewPainPoint, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = single_line(&draft.title, 200)
            .map_err(|message| errors.add("title", message))
            .ok();
        let description = optional_text(&draft.description, 5_000)
            .map_err(|message| errors.add("description", message))
            .ok()
            .flatten()
            .unwrap_or_default();
        let tags = parse_tag_list(&draft.tags)
            .map_err(|message| errors.add("tags", message))
            .unwrap_or_default();
        errors.into_result(|| NewPainPoint {
            title: title.expect("checked above"),
            description,
            services: parse_service_list(&draft.services),
            tags,
        })
    }
}

/// What the impact score is made of.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ImpactParts {
    /// Distinct teams among the people heard (anonymous feedback has none).
    pub teams: u32,
    /// Distinct people heard.
    pub people: u32,
    /// Pieces of evidence: feedback items and interview highlights.
    pub evidence: u32,
    /// Evidence received in the last 90 days.
    pub recent: u32,
    /// Average satisfaction of the rated feedback among the evidence (1–5).
    pub average_rating: Option<f64>,
}

/// The impact score, shown with its parts on every pain point:
///
/// `impact = 3 × teams + 2 × people + evidence + recent + 2 × (5 − average rating)`
///
/// Breadth counts most (a problem of many teams is a platform problem), then
/// how many people, then how often and how lately it was heard; unhappy
/// ratings add up to 8. The weights are a starting point the team can argue
/// with, which is why the page shows the parts.
pub fn impact(parts: &ImpactParts) -> f64 {
    let unhappiness = parts
        .average_rating
        .map_or(0.0, |rating| (5.0 - rating).clamp(0.0, 4.0));
    3.0 * f64::from(parts.teams)
        + 2.0 * f64::from(parts.people)
        + f64::from(parts.evidence)
        + f64::from(parts.recent)
        + 2.0 * unhappiness
}

/// The teams of the people heard (`None` for someone without a team), each
/// with how many people of it were heard, most first.
pub fn affected_teams<'a>(teams: impl Iterator<Item = Option<&'a str>>) -> Vec<(String, u32)> {
    let mut counted: Vec<(String, u32)> = Vec::new();
    for team in teams.flatten() {
        match counted.iter_mut().find(|(name, _)| name == team) {
            Some((_, people)) => *people += 1,
            None => counted.push((team.to_owned(), 1)),
        }
    }
    counted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counted
}

/// A pain point with the figures its impact is computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct PainPoint {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub status: PainPointStatus,
    pub merged_into: Option<i64>,
    pub parts: ImpactParts,
    pub first_heard: Option<DateTime<Utc>>,
    pub last_heard: Option<DateTime<Utc>>,
    pub services: Vec<String>,
    pub tags: Vec<String>,
}

/// Someone the evidence was heard from.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AffectedPerson {
    pub name: String,
    pub team: Option<String>,
    /// Pieces of evidence from this person.
    pub evidence: u32,
}

/// A feedback item attached as evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub feedback_id: i64,
    pub summary: String,
    pub service: String,
    pub author: Option<String>,
    pub team: Option<String>,
    pub rating: Option<u8>,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impact_adds_up_its_weighted_parts() {
        let parts = ImpactParts {
            teams: 3,
            people: 5,
            evidence: 7,
            recent: 2,
            average_rating: Some(2.0),
        };
        assert_eq!(impact(&parts), 9.0 + 10.0 + 7.0 + 2.0 + 6.0);
        assert_eq!(impact(&ImpactParts::default()), 0.0);
        let happy = ImpactParts {
            evidence: 1,
            average_rating: Some(5.0),
            ..ImpactParts::default()
        };
        assert_eq!(impact(&happy), 1.0);
    }

    #[test]
    fn affected_teams_count_people_most_first() {
        let teams = [Some("payments"), None, Some("search"), Some("payments")];
        assert_eq!(
            affected_teams(teams.into_iter()),
            vec![("payments".to_owned(), 2), ("search".to_owned(), 1)]
        );
    }

    #[test]
    fn a_pain_point_needs_a_title() {
        assert!(NewPainPoint::parse(&PainPointDraft::default()).is_err());
        let parsed = NewPainPoint::parse(&PainPointDraft {
            title: " Flaky CI caches ".into(),
            ..PainPointDraft::default()
        })
        .unwrap();
        assert_eq!(parsed.title, "Flaky CI caches");
    }
}
