//! The services catalog: the SRE services feedback is about, their
//! reliability figures and their feedback by month.

use serde::Serialize;

use super::disclosure::rating_average_publishable;
use super::text::{FieldErrors, optional_single_line, optional_text, single_line};

/// A service's short name as people type it: `ci-runner`, `k8s.prod`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServiceSlug(String);

impl ServiceSlug {
    /// Lowercase letters, digits, `-` and `.`, 2 to 40 characters, starting
    /// with a letter or digit.
    pub fn parse(raw: &str) -> Result<ServiceSlug, String> {
        let slug = raw.trim();
        if slug.is_empty() {
            return Err("choose the service this is about".to_owned());
        }
        let well_formed = (2..=40).contains(&slug.len())
            && slug.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        if !well_formed {
            return Err(
                "must be 2 to 40 lowercase letters, digits, '-' or '.', like ci-runner or k8s.prod"
                    .to_owned(),
            );
        }
        Ok(ServiceSlug(slug.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A service to add to the catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct NewService {
    pub slug: ServiceSlug,
    pub name: String,
    pub description: String,
    /// Slug of the owning team, if any.
    pub owner_team: Option<String>,
    pub tier: u8,
}

/// A service as sent to the API, before checks.
#[derive(Debug, Clone, Default)]
pub struct ServiceDraft {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub owner_team: String,
    pub tier: Option<i64>,
}

impl NewService {
    pub fn parse(draft: &ServiceDraft) -> Result<NewService, FieldErrors> {
        let mut errors = FieldErrors::default();
        let slug = ServiceSlug::parse(&draft.slug)
            .map_err(|message| errors.add("slug", message))
            .ok();
        let name = single_line(&draft.name, 100)
            .map_err(|message| errors.add("name", message))
            .ok();
        let description = optional_text(&draft.description, 2_000)
            .map_err(|message| errors.add("description", message))
            .ok()
            .flatten()
            .unwrap_or_default();
        let owner_team = optional_single_line(&draft.owner_team, 100)
            .map_err(|message| errors.add("owner_team", message))
            .ok()
            .flatten();
        let tier = draft.tier.unwrap_or(2);
        if !(1..=3).contains(&tier) {
            errors.add("tier", "must be 1, 2 or 3");
        }
        errors.into_result(|| NewService {
            slug: slug.expect("checked above"),
            name: name.expect("checked above"),
            description,
            owner_team,
            tier: tier as u8,
        })
    }
}

/// How a service is run, as the catalog shows it: objective and links.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceOperationsDraft {
    /// In percent, like "99.9".
    pub slo_percent: String,
    pub slo_window_days: String,
    pub runbook_url: String,
    pub dashboard_url: String,
}

/// Checked operations fields.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Operations {
    pub slo_target: Option<f64>,
    pub slo_window_days: Option<i64>,
    pub runbook_url: Option<String>,
    pub dashboard_url: Option<String>,
}

impl Operations {
    pub fn parse(draft: &ServiceOperationsDraft) -> Result<Operations, FieldErrors> {
        let mut errors = FieldErrors::default();
        let slo_target = match draft.slo_percent.trim().trim_end_matches('%') {
            "" => None,
            raw => match raw.parse::<f64>() {
                Ok(percent) if percent > 0.0 && percent <= 100.0 => Some(percent / 100.0),
                _ => {
                    errors.add(
                        "slo_percent",
                        "must be a percentage above 0 and at most 100, like 99.9",
                    );
                    None
                }
            },
        };
        let slo_window_days = match draft.slo_window_days.trim() {
            "" => None,
            raw => match raw.parse::<i64>() {
                Ok(days) if (1..=365).contains(&days) => Some(days),
                _ => {
                    errors.add("slo_window_days", "must be a number of days from 1 to 365");
                    None
                }
            },
        };
        let mut url = |field: &'static str, raw: &str| -> Option<String> {
            let url = raw.trim();
            if url.is_empty() {
                return None;
            }
            let web = (url.starts_with("https://") || url.starts_with("http://"))
                && url.len() <= 500
                && !url.chars().any(|c| c.is_whitespace() || c.is_control());
            if !web {
                errors.add(field, "must be a web address starting with https://");
                return None;
            }
            Some(url.to_owned())
        };
        let runbook_url = url("runbook_url", &draft.runbook_url);
        let dashboard_url = url("dashboard_url", &draft.dashboard_url);
        errors.into_result(|| Operations {
            slo_target,
            slo_window_days,
            runbook_url,
            dashboard_url,
        })
    }
}

/// Reliability figures for one service and month, pushed by tools.
#[derive(Debug, Clone, PartialEq)]
pub struct ReliabilityReport {
    /// "2026-11".
    pub period: String,
    /// Share of the SLO window the objective was met, 0–1.
    pub slo_attainment: Option<f64>,
    /// Error budget left, as a share of the budget (below 0 when overspent).
    pub error_budget_remaining: Option<f64>,
    pub incidents: Option<u32>,
}

/// Reliability figures as sent, before checks.
#[derive(Debug, Clone, Default)]
pub struct ReliabilityDraft {
    pub period: String,
    pub slo_attainment: Option<f64>,
    pub error_budget_remaining: Option<f64>,
    pub incidents: Option<i64>,
}

impl ReliabilityReport {
    pub fn parse(draft: &ReliabilityDraft) -> Result<ReliabilityReport, FieldErrors> {
        let mut errors = FieldErrors::default();
        let period = draft.period.trim();
        let well_formed = period.len() == 7
            && chrono::NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d").is_ok();
        if !well_formed {
            errors.add("period", "must be a month like 2026-11");
        }
        if draft
            .slo_attainment
            .is_some_and(|value| !(0.0..=1.0).contains(&value))
        {
            errors.add("slo_attainment", "must be a share from 0 to 1, like 0.9991");
        }
        if draft
            .error_budget_remaining
            .is_some_and(|value| !(-10.0..=1.0).contains(&value))
        {
            errors.add(
                "error_budget_remaining",
                "must be a share of the budget, at most 1 (below 0 when overspent)",
            );
        }
        let incidents = match draft.incidents {
            None => None,
            Some(count) => match u32::try_from(count) {
                Ok(count) => Some(count),
                Err(_) => {
                    errors.add("incidents", "must be a whole number, 0 or more");
                    None
                }
            },
        };
        errors.into_result(|| ReliabilityReport {
            period: period.to_owned(),
            slo_attainment: draft.slo_attainment,
            error_budget_remaining: draft.error_budget_remaining,
            incidents,
        })
    }
}

/// A service in the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Service {
    #[serde(skip)]
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub owner_team: Option<String>,
    pub tier: i64,
    pub slo_target: Option<f64>,
    pub slo_window_days: Option<i64>,
    pub runbook_url: Option<String>,
    pub dashboard_url: Option<String>,
}

/// Reliability figures of one month, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Reliability {
    pub period: String,
    pub slo_attainment: Option<f64>,
    pub error_budget_remaining: Option<f64>,
    pub incidents: Option<i64>,
}

/// Feedback received on a service in one month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthlyFeedback {
    pub month: String,
    pub count: i64,
    /// Feedback with a rating.
    pub ratings: u32,
    /// Only where `disclosure::rating_average_publishable` allows it (see
    /// [`MonthlyFeedback::publishable`]).
    pub average_rating: Option<f64>,
}

impl MonthlyFeedback {
    /// Keeps the average only for a month that is over and has at least k
    /// ratings (disclosure rule 9): the page is for everyone, and a month
    /// with one anonymous rating would show that rating.
    pub fn publishable(self, current_month: &str) -> MonthlyFeedback {
        let over = self.month.as_str() < current_month;
        MonthlyFeedback {
            average_rating: self
                .average_rating
                .filter(|_| rating_average_publishable(self.ratings, over)),
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn operations_take_percentages_days_and_only_web_links() {
        let ok = Operations::parse(&ServiceOperationsDraft {
            slo_percent: "99.9%".into(),
            slo_window_days: "30".into(),
            runbook_url: "https://wiki.example/ci".into(),
            dashboard_url: String::new(),
        })
        .unwrap();
        assert!((ok.slo_target.unwrap() - 0.999).abs() < 1e-12);
        let errors = Operations::parse(&ServiceOperationsDraft {
            slo_percent: "120".into(),
            slo_window_days: "0".into(),
            runbook_url: "javascript:alert(1)".into(),
            dashboard_url: "ftp://x".into(),
        })
        .unwrap_err();
        for field in [
            "slo_percent",
            "slo_window_days",
            "runbook_url",
            "dashboard_url",
        ] {
            assert!(errors.get(field).is_some(), "no error for {field}");
        }
    }

    #[test]
    fn reliability_figures_are_checked() {
        let ok = ReliabilityReport::parse(&ReliabilityDraft {
            period: "2026-11".into(),
            slo_attainment: Some(0.9991),
            error_budget_remaining: Some(-0.2),
            incidents: Some(3),
        })
        .unwrap();
        assert_eq!(ok.incidents, Some(3));
        let errors = ReliabilityReport::parse(&ReliabilityDraft {
            period: "2026-13".into(),
            slo_attainment: Some(1.5),
            error_budget_remaining: Some(2.0),
            incidents: Some(-1),
        })
        .unwrap_err();
        for field in [
            "period",
            "slo_attainment",
            "error_budget_remaining",
            "incidents",
        ] {
            assert!(errors.get(field).is_some(), "no error for {field}");
        }
    }

    use super::*;

    #[test]
    fn slugs_with_hyphens_and_dots_are_accepted() {
        for slug in ["ci-runner", "k8s.prod", "p99", "vault"] {
            assert_eq!(ServiceSlug::parse(slug).unwrap().as_str(), slug);
        }
    }

    #[test]
    fn malformed_slugs_are_refused() {
        for slug in [
            "",
            "x",
            "CI-Runner",
            "-ci",
            "ci runner",
            "ci/runner",
            &"a".repeat(41),
        ] {
            assert!(ServiceSlug::parse(slug).is_err(), "{slug:?} was accepted");
        }
    }
}
