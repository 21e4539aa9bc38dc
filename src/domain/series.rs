//! Survey series: the waves of one recurring survey ("Platform pulse",
//! quarterly). A wave stands for one period of its series ("2026-Q1") and
//! is labelled by it; the series the team marks as the headline one is
//! what the dashboard, service pages and summaries chart and compare.
//! A survey outside any series is ad hoc: it has its own results page and
//! never replaces a series figure.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::feedback::text_enum;
use super::text::{FieldErrors, single_line};

text_enum! {
    /// How often a series runs: one wave per period.
    SeriesCadence {
        Monthly => "monthly",
        Quarterly => "quarterly",
        HalfYearly => "half-yearly",
        Yearly => "yearly",
    }
}

/// One period of a series, such as the first quarter of 2026.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WavePeriod {
    pub cadence: SeriesCadence,
    pub year: i32,
    /// The month, quarter or half within the year, from 1 (1 for yearly).
    pub index: u32,
}

impl SeriesCadence {
    /// Months in one period.
    fn months(self) -> u32 {
        match self {
            SeriesCadence::Monthly => 1,
            SeriesCadence::Quarterly => 3,
            SeriesCadence::HalfYearly => 6,
            SeriesCadence::Yearly => 12,
        }
    }

    /// The period `at` falls in.
    pub fn period_of(self, at: DateTime<Utc>) -> WavePeriod {
        WavePeriod {
            cadence: self,
            year: at.year(),
            index: at.month0() / self.months() + 1,
        }
    }

    /// What a period looks like when typed: for error messages.
    fn example(self) -> &'static str {
        match self {
            SeriesCadence::Monthly => "2026-03",
            SeriesCadence::Quarterly => "2026-Q1",
            SeriesCadence::HalfYearly => "2026-H1",
            SeriesCadence::Yearly => "2026",
        }
    }

    /// Reads a period as [`WavePeriod::key`] writes it (`2026-Q1`, `2026-03`,
    /// `2026-H2`, `2026`); the message says what to type.
    pub fn parse_period(self, raw: &str) -> Result<WavePeriod, String> {
        let raw = raw.trim().to_ascii_uppercase();
        let wrong = || format!("must be a {} period like {}", self.label(), self.example());
        let (year, rest) = match raw.split_once('-') {
            Some((year, rest)) => (year, Some(rest)),
            None => (raw.as_str(), None),
        };
        let year: i32 = year
            .parse()
            .ok()
            .filter(|year| (1970..=9999).contains(year))
            .ok_or_else(wrong)?;
        let index = match (self, rest) {
            (SeriesCadence::Yearly, None) => Some(1),
            (SeriesCadence::Monthly, Some(month)) => month.parse().ok(),
            (SeriesCadence::Quarterly, Some(quarter)) => {
                quarter.strip_prefix('Q').and_then(|q| q.parse().ok())
            }
            (SeriesCadence::HalfYearly, Some(half)) => {
                half.strip_prefix('H').and_then(|h| h.parse().ok())
            }
            _ => None,
        }
        .filter(|index| (1..=12 / self.months()).contains(index))
        .ok_or_else(wrong)?;
        Ok(WavePeriod {
            cadence: self,
            year,
            index,
        })
    }
}

impl WavePeriod {
    /// How it is stored, and sorts: `2026-Q1`, `2026-03`, `2026-H1`, `2026`.
    pub fn key(&self) -> String {
        match self.cadence {
            SeriesCadence::Monthly => format!("{}-{:02}", self.year, self.index),
            SeriesCadence::Quarterly => format!("{}-Q{}", self.year, self.index),
            SeriesCadence::HalfYearly => format!("{}-H{}", self.year, self.index),
            SeriesCadence::Yearly => self.year.to_string(),
        }
    }

    /// How people read it: "Q1 2026", "Mar 2026", "H1 2026", "2026".
    pub fn label(&self) -> String {
        match self.cadence {
            SeriesCadence::Monthly => NaiveDate::from_ymd_opt(self.year, self.index, 1)
                .map_or_else(|| self.key(), |day| day.format("%b %Y").to_string()),
            SeriesCadence::Quarterly => format!("Q{} {}", self.index, self.year),
            SeriesCadence::HalfYearly => format!("H{} {}", self.index, self.year),
            SeriesCadence::Yearly => self.year.to_string(),
        }
    }
}

/// A series as typed, before checks.
#[derive(Debug, Clone, Default)]
pub struct SeriesDraft {
    pub name: String,
    pub cadence: String,
}

/// A series that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSeries {
    pub name: String,
    pub cadence: SeriesCadence,
}

impl NewSeries {
    pub fn parse(draft: &SeriesDraft) -> Result<NewSeries, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = single_line(&draft.name, 100)
            .map_err(|message| errors.add("name", message))
            .ok();
        let cadence = SeriesCadence::parse(&draft.cadence)
            .ok_or_else(|| {
                errors.add(
                    "cadence",
                    format!("choose one of {}", SeriesCadence::choices()),
                )
            })
            .ok();
        match (name, cadence) {
            (Some(name), Some(cadence)) => Ok(NewSeries { name, cadence }),
            _ => Err(errors),
        }
    }
}

/// A survey's place in a series: which series, and the period it stands for.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct WaveOf {
    pub series_id: i64,
    pub series: String,
    /// As stored: `2026-Q1`.
    pub period: String,
    /// As read: "Q1 2026".
    pub label: String,
}

/// The period a wave stands for: the one typed, or else the one its survey
/// opens in (`opens`).
pub fn wave_period(
    cadence: SeriesCadence,
    typed: &str,
    opens: DateTime<Utc>,
) -> Result<WavePeriod, FieldErrors> {
    if typed.trim().is_empty() {
        return Ok(cadence.period_of(opens));
    }
    cadence
        .parse_period(typed)
        .map_err(|message| FieldErrors::one("period", message))
}

/// A stored series.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Series {
    pub id: i64,
    pub name: String,
    pub cadence: SeriesCadence,
    /// The one the dashboard, service pages and summaries chart.
    pub headline: bool,
    /// Its waves (surveys), drafts included.
    pub waves: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(raw: &str) -> DateTime<Utc> {
        raw.parse().unwrap()
    }

    #[test]
    fn periods_are_found_keyed_and_labelled_for_every_cadence() {
        let day = at("2026-08-31T23:59:00Z");
        let cases = [
            (SeriesCadence::Monthly, "2026-08", "Aug 2026"),
            (SeriesCadence::Quarterly, "2026-Q3", "Q3 2026"),
            (SeriesCadence::HalfYearly, "2026-H2", "H2 2026"),
            (SeriesCadence::Yearly, "2026", "2026"),
        ];
        for (cadence, key, label) in cases {
            let period = cadence.period_of(day);
            assert_eq!(
                (period.key().as_str(), period.label().as_str()),
                (key, label)
            );
            assert_eq!(cadence.parse_period(key), Ok(period), "{key} reads back");
        }
    }

    #[test]
    fn periods_that_do_not_exist_are_refused_with_an_example() {
        assert!(SeriesCadence::Quarterly.parse_period("2026-Q5").is_err());
        assert!(SeriesCadence::Monthly.parse_period("2026-13").is_err());
        assert!(SeriesCadence::HalfYearly.parse_period("2026-Q1").is_err());
        let message = SeriesCadence::Quarterly.parse_period("spring").unwrap_err();
        assert!(message.contains("2026-Q1"), "{message}");
        assert_eq!(
            SeriesCadence::Quarterly
                .parse_period(" 2026-q2 ")
                .map(|p| p.key()),
            Ok("2026-Q2".to_owned())
        );
    }

    #[test]
    fn keys_sort_in_time_order() {
        let mut keys: Vec<String> = ["2026-02", "2025-11", "2026-10"]
            .iter()
            .map(|key| SeriesCadence::Monthly.parse_period(key).unwrap().key())
            .collect();
        keys.sort();
        assert_eq!(keys, ["2025-11", "2026-02", "2026-10"]);
    }

    #[test]
    fn a_wave_without_a_typed_period_takes_the_one_it_opens_in() {
        let opens = at("2026-04-01T00:00:00Z");
        assert_eq!(
            wave_period(SeriesCadence::Quarterly, "", opens).map(|p| p.key()),
            Ok("2026-Q2".to_owned())
        );
        assert!(wave_period(SeriesCadence::Quarterly, "2026", opens).is_err());
    }
}
