//! Monthly reliability figures (SLO attainment, error budget left,
//! incidents) as people type them (percent, in a form or a CSV) and as
//! Prometheus gives them: the PromQL to ask, with a template's `$service`
//! and `$window` filled in, which months to ask about, and the checks on
//! what comes back. The same [`ReliabilityReport`] the API takes comes out
//! of all of them.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

use super::csv;
use super::service::{ReliabilityDraft, ReliabilityReport};
use super::text::FieldErrors;

/// The longest PromQL expression kept, in characters.
pub const MAX_QUERY_CHARS: usize = 4_000;

/// What to ask Prometheus for one service (or, with `$service`, for every
/// service: the team's template). An empty expression asks nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReliabilityQueries {
    /// What the template's `$service` stands for (empty: the service's slug).
    #[serde(default)]
    pub service_label: String,
    /// SLO attainment over the month, a share from 0 to 1.
    #[serde(default)]
    pub slo_attainment: String,
    /// Error budget left at the month's end, a share of the budget.
    #[serde(default)]
    pub error_budget_remaining: String,
    /// Incidents in the month.
    #[serde(default)]
    pub incidents: String,
}

impl ReliabilityQueries {
    /// Trims every field and checks its length; PromQL itself is checked by
    /// Prometheus, whose answer the service page shows.
    pub fn parse(draft: &ReliabilityQueries) -> Result<ReliabilityQueries, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut check = |field: &'static str, raw: &str, max: usize| {
            let value = raw.trim().to_owned();
            if value.chars().count() > max {
                errors.add(field, format!("must be at most {max} characters"));
            }
            value
        };
        let queries = ReliabilityQueries {
            service_label: check("service_label", &draft.service_label, 200),
            slo_attainment: check("slo_attainment", &draft.slo_attainment, MAX_QUERY_CHARS),
            error_budget_remaining: check(
                "error_budget_remaining",
                &draft.error_budget_remaining,
                MAX_QUERY_CHARS,
            ),
            incidents: check("incidents", &draft.incidents, MAX_QUERY_CHARS),
        };
        if queries.service_label.contains(['"', '\\', '\n']) {
            errors.add(
                "service_label",
                "must not contain quotes, backslashes or line breaks",
            );
        }
        errors.into_result(|| queries)
    }

    /// This service's expressions, each falling back to the template's.
    pub fn or_template(&self, template: &ReliabilityQueries) -> ReliabilityQueries {
        let pick = |own: &str, shared: &str| if own.is_empty() { shared } else { own }.to_owned();
        ReliabilityQueries {
            service_label: self.service_label.clone(),
            slo_attainment: pick(&self.slo_attainment, &template.slo_attainment),
            error_budget_remaining: pick(
                &self.error_budget_remaining,
                &template.error_budget_remaining,
            ),
            incidents: pick(&self.incidents, &template.incidents),
        }
    }

    /// Whether anything would be asked.
    pub fn asks_anything(&self) -> bool {
        !(self.slo_attainment.is_empty()
            && self.error_budget_remaining.is_empty()
            && self.incidents.is_empty())
    }
}

/// `expression` with `$service` replaced by `label` and `$window` by the
/// PromQL duration `window` (whole seconds, like `2678400s`), for range
/// selectors such as `increase(incidents_total{service="$service"}[$window])`.
pub fn expand(expression: &str, label: &str, window: Duration) -> String {
    expression
        .replace("$service", label)
        .replace("$window", &format!("{}s", window.num_seconds().max(1)))
}

/// One month to ask Prometheus about: its figures are evaluated at `at`
/// over `window`, the month up to then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthToPull {
    /// "2026-05".
    pub period: String,
    pub at: DateTime<Utc>,
    pub window: Duration,
}

fn month_start(year: i32, month: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(year, month, 1)
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .map(|start| Utc.from_utc_datetime(&start))
        .unwrap_or(DateTime::UNIX_EPOCH)
}

/// The months a pull at `now` asks about: the month so far, and the month
/// before as a whole unless figures for it were already pulled (or pushed)
/// after it ended (`previous_final`), since Prometheus may no longer keep
/// that far back.
pub fn months_to_pull(now: DateTime<Utc>, previous_final: bool) -> Vec<MonthToPull> {
    let start = month_start(now.year(), now.month());
    let previous_start = if now.month() == 1 {
        month_start(now.year() - 1, 12)
    } else {
        month_start(now.year(), now.month() - 1)
    };
    let mut months = Vec::new();
    if !previous_final {
        months.push(MonthToPull {
            period: previous_start.format("%Y-%m").to_string(),
            at: start,
            window: start - previous_start,
        });
    }
    months.push(MonthToPull {
        period: start.format("%Y-%m").to_string(),
        at: now,
        window: now - start,
    });
    months
}

/// The month before `now`'s, as stored ("2026-04").
pub fn previous_period(now: DateTime<Utc>) -> String {
    months_to_pull(now, false)
        .first()
        .map(|month| month.period.clone())
        .unwrap_or_default()
}

/// A month's figures from what Prometheus answered (`None`: no figure), as
/// the API would take them; the message names what was out of range.
pub fn pulled_report(
    period: &str,
    slo_attainment: Option<f64>,
    error_budget_remaining: Option<f64>,
    incidents: Option<f64>,
) -> Result<ReliabilityReport, String> {
    let incidents = match incidents {
        Some(count) if count.is_finite() && count >= 0.0 => Some(count.round() as i64),
        Some(count) => return Err(format!("incidents: {count} is not a count")),
        None => None,
    };
    ReliabilityReport::parse(&ReliabilityDraft {
        period: period.to_owned(),
        slo_attainment,
        error_budget_remaining,
        incidents,
    })
    .map_err(|errors| describe(&errors, &[slo_attainment, error_budget_remaining]))
}

fn describe(errors: &FieldErrors, values: &[Option<f64>]) -> String {
    errors
        .iter()
        .map(|error| {
            let value = match error.field {
                "slo_attainment" => values[0],
                "error_budget_remaining" => values[1],
                _ => None,
            };
            match value {
                Some(value) => format!(
                    "{}: Prometheus gave {value}, which {}",
                    error.field, error.message
                ),
                None => format!("{}: {}", error.field, error.message),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A percentage as typed ("99.87", "99.87%"); empty is no figure.
fn percent(raw: &str) -> Result<Option<f64>, String> {
    let raw = raw.trim().trim_end_matches('%').trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<f64>()
        .ok()
        .filter(|value| value.is_finite())
        // Rounded to ten decimals, so "99.9" is stored as 0.999 exactly as
        // if it had been typed as a share.
        .map(|value| Some((value / 100.0 * 1e10).round() / 1e10))
        .ok_or_else(|| format!("{raw:?} is not a number of percent, like 99.87"))
}

/// A month's figures as typed in the browser: the month, SLO attainment
/// and error budget left in percent, incidents as a count.
#[derive(Debug, Clone, Default)]
pub struct MonthDraft {
    pub period: String,
    pub slo_attainment_percent: String,
    pub error_budget_remaining_percent: String,
    pub incidents: String,
}

impl MonthDraft {
    /// The report the API would take; every problem, by field.
    pub fn parse(&self) -> Result<ReliabilityReport, FieldErrors> {
        let mut errors = FieldErrors::default();
        let slo_attainment = percent(&self.slo_attainment_percent)
            .map_err(|message| errors.add("slo_attainment_percent", message))
            .ok()
            .flatten();
        let error_budget_remaining = percent(&self.error_budget_remaining_percent)
            .map_err(|message| errors.add("error_budget_remaining_percent", message))
            .ok()
            .flatten();
        let incidents = match self.incidents.trim() {
            "" => None,
            raw => raw
                .parse::<i64>()
                .map_err(|_| errors.add("incidents", "must be a whole number, 0 or more"))
                .ok(),
        };
        let report = ReliabilityReport::parse(&ReliabilityDraft {
            period: self.period.clone(),
            slo_attainment,
            error_budget_remaining,
            incidents,
        });
        match report {
            Ok(report) if errors.is_empty() => Ok(report),
            Ok(_) => Err(errors),
            Err(more) => {
                // The shares' messages, in the percent the form asks for.
                for error in more.iter() {
                    match error.field {
                        "slo_attainment" => errors.add(
                            "slo_attainment_percent",
                            "must be a percentage from 0 to 100, like 99.87",
                        ),
                        "error_budget_remaining" => errors.add(
                            "error_budget_remaining_percent",
                            "must be a percentage of the budget, at most 100 (below 0 when overspent)",
                        ),
                        "period" => errors.add("period", "must be a month like 2026-11"),
                        _ => errors.add("incidents", error.message.clone()),
                    }
                }
                Err(errors)
            }
        }
    }
}

/// The columns of a reliability CSV, in this order, with a header row.
pub const CSV_HEADER: [&str; 4] = [
    "month",
    "slo_attainment_percent",
    "error_budget_remaining_percent",
    "incidents",
];

/// Reads a CSV of months (see [`CSV_HEADER`]); all rows or, with every
/// problem by line, none.
pub fn parse_csv(text: &str) -> Result<Vec<ReliabilityReport>, Vec<String>> {
    let records = csv::read_records(text).map_err(|message| vec![message])?;
    let Some((header, rows)) = records.split_first() else {
        return Err(vec![format!(
            "the CSV is empty; its first line must be the header {}",
            CSV_HEADER.join(",")
        )]);
    };
    let header: Vec<String> = header
        .fields
        .iter()
        .map(|name| name.trim().to_lowercase())
        .collect();
    if header != CSV_HEADER {
        return Err(vec![format!(
            "line 1: the header must be {}",
            CSV_HEADER.join(",")
        )]);
    }
    let mut problems = Vec::new();
    let mut reports: Vec<ReliabilityReport> = Vec::new();
    for row in rows {
        let (line, fields) = (row.line, &row.fields);
        if fields.len() != CSV_HEADER.len() {
            problems.push(format!(
                "line {line}: {} fields; every row has {}",
                fields.len(),
                CSV_HEADER.len()
            ));
            continue;
        }
        let draft = MonthDraft {
            period: fields[0].to_owned(),
            slo_attainment_percent: fields[1].to_owned(),
            error_budget_remaining_percent: fields[2].to_owned(),
            incidents: fields[3].to_owned(),
        };
        match draft.parse() {
            Ok(report) if reports.iter().any(|seen| seen.period == report.period) => {
                problems.push(format!("line {line}: {} is listed twice", report.period));
            }
            Ok(report) => reports.push(report),
            Err(errors) => problems.extend(
                errors
                    .iter()
                    .map(|error| format!("line {line}: {} {}", error.field, error.message)),
            ),
        }
    }
    if problems.is_empty() {
        Ok(reports)
    } else {
        Err(problems)
    }
}

/// The outcome of a service's last pull.
#[derive(Debug, Clone, PartialEq)]
pub struct PullStatus {
    pub attempted_at: DateTime<Utc>,
    pub succeeded_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed; `None` when it succeeded.
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pull_asks_about_the_month_so_far_and_the_month_before_until_it_is_final() {
        let now: DateTime<Utc> = "2026-01-10T12:00:00Z".parse().unwrap();
        let months = months_to_pull(now, false);
        assert_eq!(months.len(), 2);
        assert_eq!(months[0].period, "2025-12");
        assert_eq!(months[0].at.to_rfc3339(), "2026-01-01T00:00:00+00:00");
        assert_eq!(months[0].window, Duration::days(31));
        assert_eq!(months[1].period, "2026-01");
        assert_eq!(months[1].window, Duration::hours(9 * 24 + 12));
        assert_eq!(months_to_pull(now, true).len(), 1);
        assert_eq!(previous_period(now), "2025-12");
    }

    #[test]
    fn templates_name_the_service_and_the_window() {
        let expression = r#"sum(increase(incidents_total{service="$service"}[$window]))"#;
        assert_eq!(
            expand(expression, "ci-runner", Duration::days(1)),
            r#"sum(increase(incidents_total{service="ci-runner"}[86400s]))"#
        );
        let own = ReliabilityQueries {
            incidents: "vector(3)".into(),
            ..ReliabilityQueries::default()
        };
        let template = ReliabilityQueries {
            slo_attainment: "1 - x".into(),
            incidents: "y".into(),
            ..ReliabilityQueries::default()
        };
        let merged = own.or_template(&template);
        assert_eq!(
            (merged.slo_attainment.as_str(), merged.incidents.as_str()),
            ("1 - x", "vector(3)")
        );
        assert!(merged.asks_anything() && !ReliabilityQueries::default().asks_anything());
    }

    #[test]
    fn pulled_values_are_checked_like_pushed_ones() {
        let report = pulled_report("2026-05", Some(0.9987), Some(-0.2), Some(2.0)).unwrap();
        assert_eq!(report.incidents, Some(2));
        let wrong = pulled_report("2026-05", Some(99.87), None, None).unwrap_err();
        assert!(wrong.contains("Prometheus gave 99.87"), "{wrong}");
    }

    #[test]
    fn months_are_typed_in_percent_and_imported_all_or_nothing() {
        let month = MonthDraft {
            period: "2026-03".into(),
            slo_attainment_percent: "99.87%".into(),
            error_budget_remaining_percent: "-12".into(),
            incidents: "1".into(),
        }
        .parse()
        .unwrap();
        assert!((month.slo_attainment.unwrap() - 0.9987).abs() < 1e-12);
        assert!((month.error_budget_remaining.unwrap() + 0.12).abs() < 1e-12);
        let csv = "month,slo_attainment_percent,error_budget_remaining_percent,incidents\n\
                   2026-01,99.9,40,0\n2026-02,,,3\n";
        assert_eq!(parse_csv(csv).unwrap().len(), 2);
        let bad = "month,slo_attainment_percent,error_budget_remaining_percent,incidents\n\
                   2026-13,120,x,-1\n2026-01,1,1,1\n2026-01,1,1,1\n";
        let problems = parse_csv(bad).unwrap_err();
        assert!(
            problems.iter().any(|p| p.starts_with("line 2: period")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("line 4: 2026-01 is listed twice")),
            "{problems:?}"
        );
        assert!(parse_csv("month,slo\n").unwrap_err()[0].contains("header"));
    }
}
