//! A service's one time axis: satisfaction per wave of the headline series
//! (with its interval), SLO attainment and error budget left per month,
//! incidents, and feedback volume with its average rating per month (empty
//! months kept), stacked as panels over the same months, with a mark where
//! a roadmap item shipped. Each panel's axis fits its data; a rise is a
//! solid green segment marked ▲, a fall a dashed red one marked ▼. The same
//! figures are in a table behind a disclosure, for screen readers and for
//! reading exact values.

use chrono::{DateTime, Datelike, Utc};
use maud::{Markup, html};

use crate::domain::service::{MonthlyFeedback, Reliability};
use crate::domain::stats::Estimate;

/// One month of the axis and everything that happened in it.
#[derive(Debug, Clone, Default)]
pub struct Month {
    /// "2026-03".
    pub month: String,
    pub feedback: i64,
    pub average_rating: Option<f64>,
    pub slo_attainment: Option<f64>,
    pub error_budget_remaining: Option<f64>,
    pub incidents: Option<i64>,
    /// The wave of the headline series that opened this month, and this
    /// service's CSAT in it (published through `domain::disclosure`).
    pub wave: Option<(String, Estimate)>,
    /// Roadmap items that shipped this month.
    pub shipped: Vec<String>,
}

/// A wave on the axis: its label, when it opened, this service's CSAT.
pub struct WavePoint<'a> {
    pub label: &'a str,
    pub opened: DateTime<Utc>,
    pub csat: Option<&'a Estimate>,
}

/// The `count` months up to and including `now`'s, oldest first.
fn axis(now: DateTime<Utc>, count: i32) -> Vec<String> {
    let last = now.year() * 12 + now.month0() as i32;
    (last - count + 1..=last)
        .map(|index| {
            format!(
                "{:04}-{:02}",
                index.div_euclid(12),
                index.rem_euclid(12) + 1
            )
        })
        .collect()
}

/// The twelve months up to `now`'s, each with its figures; months without
/// feedback or figures are kept, empty.
pub fn months(
    now: DateTime<Utc>,
    feedback: &[MonthlyFeedback],
    reliability: &[Reliability],
    waves: &[WavePoint<'_>],
    shipped: &[(chrono::NaiveDate, String)],
) -> Vec<Month> {
    axis(now, 12)
        .into_iter()
        .map(|month| {
            let mut row = Month {
                month: month.clone(),
                ..Month::default()
            };
            if let Some(found) = feedback.iter().find(|item| item.month == month) {
                row.feedback = found.count;
                row.average_rating = found.average_rating;
            }
            if let Some(found) = reliability.iter().find(|item| item.period == month) {
                row.slo_attainment = found.slo_attainment;
                row.error_budget_remaining = found.error_budget_remaining;
                row.incidents = found.incidents;
            }
            row.wave = waves
                .iter()
                .rev()
                .find(|wave| wave.opened.format("%Y-%m").to_string() == month)
                .and_then(|wave| wave.csat.map(|csat| (wave.label.to_owned(), *csat)));
            row.shipped = shipped
                .iter()
                .filter(|(day, _)| day.format("%Y-%m").to_string() == month)
                .map(|(_, title)| title.clone())
                .collect();
            row
        })
        .collect()
}

/// Axis bounds that fit `values` with a little room, rounded outward to a
/// readable step, within `limits`.
pub fn fit(values: impl IntoIterator<Item = f64>, limits: (f64, f64)) -> (f64, f64) {
    let values: Vec<f64> = values
        .into_iter()
        .filter(|value| value.is_finite())
        .collect();
    let (Some(low), Some(high)) = (
        values.iter().copied().reduce(f64::min),
        values.iter().copied().reduce(f64::max),
    ) else {
        return limits;
    };
    let span = (high - low).max((high.abs() * 0.002).max(0.01));
    let raw = span / 4.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|factor| factor * magnitude)
        .find(|step| *step >= raw)
        .unwrap_or(10.0 * magnitude);
    // Room on both sides, but an axis of counts or shares that are all on
    // one side of zero does not cross it.
    let mut fitted_low = ((low - span * 0.1) / step).floor() * step;
    let mut fitted_high = ((high + span * 0.1) / step).ceil() * step;
    if low >= 0.0 {
        fitted_low = fitted_low.max(0.0);
    }
    if high <= 0.0 {
        fitted_high = fitted_high.min(0.0);
    }
    (fitted_low.max(limits.0), fitted_high.min(limits.1))
}

const LEFT: f64 = 96.0;
const STEP: f64 = 56.0;
/// A panel's plot height, and the room above it for its title.
const PANEL: f64 = 60.0;
const TITLE: f64 = 26.0;
const GAP: f64 = 12.0;
const RISE: &str = "#1e7b3a";
const FALL: &str = "#b3261e";
const INK: &str = "#2456c7";
const MUTED: &str = "#5d6678";

fn x(index: usize) -> f64 {
    LEFT + STEP / 2.0 + index as f64 * STEP
}

fn label(month: &str) -> String {
    chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map(|day| day.format("%b '%y").to_string())
        .unwrap_or_else(|_| month.to_owned())
}

fn number(value: f64, decimals: usize) -> String {
    format!("{value:.decimals$}")
}

/// A panel of points joined month to month: rises solid green, falls
/// dashed red, each point labelled, the axis fitted.
/// A point of a line panel: its month's index, value, interval and label.
struct Point {
    month: usize,
    value: f64,
    interval: Option<(f64, f64)>,
    label: Option<String>,
}

fn line_panel(
    top: f64,
    title: &str,
    points: &[Point],
    limits: (f64, f64),
    decimals: usize,
    unit: &str,
) -> Markup {
    let (low, high) = fit(
        points.iter().flat_map(|point| {
            let (a, b) = point.interval.unwrap_or((point.value, point.value));
            [point.value, a, b]
        }),
        limits,
    );
    let plot = top + TITLE;
    let y = |value: f64| plot + PANEL - (value - low) / (high - low).max(1e-9) * PANEL;
    html! {
        text x="4" y=(top + 12.0) font-size="12" font-weight="bold" fill="#1d2330" { (title) }
        text x=(LEFT - 4.0) y=(y(high) + 4.0) font-size="10" text-anchor="end" fill=(MUTED) { (number(high, decimals)) (unit) }
        text x=(LEFT - 4.0) y=(y(low) + 4.0) font-size="10" text-anchor="end" fill=(MUTED) { (number(low, decimals)) (unit) }
        line x1=(LEFT) x2=(LEFT + 12.0 * STEP) y1=(y(high)) y2=(y(high)) stroke="#dde2ea" {}
        line x1=(LEFT) x2=(LEFT + 12.0 * STEP) y1=(y(low)) y2=(y(low)) stroke="#dde2ea" {}
        @for pair in points.windows(2) {
            @let (before, after) = (&pair[0], &pair[1]);
            @let rising = after.value >= before.value;
            line x1=(x(before.month)) y1=(y(before.value)) x2=(x(after.month)) y2=(y(after.value))
                stroke=(if rising { RISE } else { FALL }) stroke-width="2"
                stroke-dasharray=(if rising { "none" } else { "5 3" }) {}
        }
        @for (index, point) in points.iter().enumerate() {
            @if let Some((a, b)) = point.interval {
                line x1=(x(point.month)) x2=(x(point.month)) y1=(y(a)) y2=(y(b)) stroke="#9db7ef" stroke-width="6" {}
            }
            circle cx=(x(point.month)) cy=(y(point.value)) r="3.5" fill=(INK) {}
            @let mark = match index.checked_sub(1).map(|previous| points[previous].value) {
                Some(before) if point.value > before => "▲ ",
                Some(before) if point.value < before => "▼ ",
                _ => "",
            };
            text x=(x(point.month)) y=(y(point.value) - 7.0) font-size="10" text-anchor="middle"
                fill=(if mark == "▼ " { FALL } else if mark == "▲ " { RISE } else { "#1d2330" }) {
                (mark) (number(point.value, decimals)) (unit)
            }
            @if let Some(label) = &point.label {
                text x=(x(point.month)) y=(y(point.value) + 14.0) font-size="10" text-anchor="middle" fill=(MUTED) { (label) }
            }
        }
    }
}

/// A panel of bars from zero (below it for an overspent budget).
fn bar_panel(top: f64, title: &str, bars: &[(usize, f64, String)], colour: &str) -> Markup {
    let (low, high) = fit(
        bars.iter().map(|(_, value, _)| *value).chain([0.0]),
        (f64::MIN, f64::MAX),
    );
    let plot = top + TITLE;
    let y = |value: f64| plot + PANEL - (value - low) / (high - low).max(1e-9) * PANEL;
    html! {
        text x="4" y=(top + 12.0) font-size="12" font-weight="bold" fill="#1d2330" { (title) }
        text x=(LEFT - 4.0) y=(y(high) + 4.0) font-size="10" text-anchor="end" fill=(MUTED) { (number(high, 0)) }
        text x=(LEFT - 4.0) y=(y(low) + 4.0) font-size="10" text-anchor="end" fill=(MUTED) { (number(low, 0)) }
        line x1=(LEFT) x2=(LEFT + 12.0 * STEP) y1=(y(0.0)) y2=(y(0.0)) stroke="#9aa3b2" {}
        @for (month, value, text) in bars {
            @let (from, to) = if *value >= 0.0 { (y(*value), y(0.0)) } else { (y(0.0), y(*value)) };
            rect x=(x(*month) - 12.0) y=(from) width="24" height=((to - from).max(1.0))
                fill=(if *value < 0.0 { FALL } else { colour }) {}
            text x=(x(*month)) y=(from - 3.0) font-size="10" text-anchor="middle" fill="#1d2330" { (text) }
        }
    }
}

/// The chart and its table.
pub fn timeline(months: &[Month], series: Option<&str>) -> Markup {
    let csat: Vec<Point> = months
        .iter()
        .enumerate()
        .filter_map(|(index, month)| {
            let (wave, estimate) = month.wave.as_ref()?;
            Some(Point {
                month: index,
                value: estimate.score,
                interval: estimate
                    .interval
                    .map(|interval| (interval.low, interval.high)),
                label: Some(wave.clone()),
            })
        })
        .collect();
    let slo: Vec<Point> = months
        .iter()
        .enumerate()
        .filter_map(|(index, month)| {
            Some(Point {
                month: index,
                value: month.slo_attainment? * 100.0,
                interval: None,
                label: None,
            })
        })
        .collect();
    let budget: Vec<(usize, f64, String)> = months
        .iter()
        .enumerate()
        .filter_map(|(index, month)| {
            let value = month.error_budget_remaining? * 100.0;
            Some((index, value, format!("{value:.0}%")))
        })
        .collect();
    let incidents: Vec<(usize, f64, String)> = months
        .iter()
        .enumerate()
        .filter_map(|(index, month)| {
            let count = month.incidents?;
            Some((index, count as f64, count.to_string()))
        })
        .collect();
    let volume: Vec<(usize, f64, String)> = months
        .iter()
        .enumerate()
        .map(|(index, month)| {
            let rating = month
                .average_rating
                .map_or_else(String::new, |rating| format!(" · {rating:.1}"));
            (
                index,
                month.feedback as f64,
                format!("{}{rating}", month.feedback),
            )
        })
        .collect();
    let band = TITLE + PANEL + GAP;
    let height = 5.0 * band + 34.0;
    let width = LEFT + 12.0 * STEP + 8.0;
    let csat_title = match series {
        Some(series) => format!("CSAT ({series})"),
        None => "CSAT".to_owned(),
    };
    html! {
        // On a phone the chart scrolls sideways in its frame, which keyboard
        // users reach with Tab (axe: scrollable-region-focusable).
        figure.chart.timeline tabindex="0" {
            figcaption { "Satisfaction, reliability and feedback over the same twelve months. ▲ a rise, ▼ a fall; a flag marks a roadmap item shipped." }
            svg width=(width) height=(height) viewBox={ "0 0 " (width) " " (height) } role="img"
                aria-label="Satisfaction, SLO attainment, error budget, incidents and feedback per month; the table below has the same figures" {
                @for (index, month) in months.iter().enumerate() {
                    @if !month.shipped.is_empty() {
                        line x1=(x(index)) x2=(x(index)) y1="14" y2=(height - 28.0) stroke="#8a5a00" stroke-dasharray="2 3" {}
                        text x=(x(index) + 3.0) y="14" font-size="12" fill="#8a5a00" {
                            "⚑" title { "Shipped: " (month.shipped.join("; ")) }
                        }
                    }
                    text x=(x(index)) y=(height - 8.0) font-size="10" text-anchor="middle" fill=(MUTED) { (label(&month.month)) }
                }
                (line_panel(4.0, &csat_title, &csat, (0.0, 100.0), 0, "%"))
                (line_panel(4.0 + band, "SLO attainment", &slo, (0.0, 100.0), 2, "%"))
                (bar_panel(4.0 + 2.0 * band, "Error budget left (%)", &budget, "#5aa56f"))
                (bar_panel(4.0 + 3.0 * band, "Incidents", &incidents, "#e07b67"))
                (bar_panel(4.0 + 4.0 * band, "Feedback · avg rating", &volume, INK))
            }
        }
        details.timeline-table {
            summary { "The same figures as a table" }
            table {
                thead { tr {
                    th scope="col" { "Month" } th scope="col" { "CSAT (wave, 95% interval, n)" }
                    th scope="col" { "SLO attainment" } th scope="col" { "Error budget left" } th scope="col" { "Incidents" }
                    th scope="col" { "Feedback" } th scope="col" { "Average rating (1–5)" } th scope="col" { "Shipped" }
                } }
                tbody {
                    @for month in months {
                        tr {
                            th scope="row" { time datetime=(month.month) { (label(&month.month)) } }
                            td { @if let Some((wave, estimate)) = &month.wave {
                                (wave) ": " (format!("{:.1}%", estimate.score))
                                @if let Some(interval) = &estimate.interval { " (" (format!("{:.1}–{:.1}%", interval.low, interval.high)) ")" }
                                " n = " (estimate.n)
                            } }
                            td { (month.slo_attainment.map_or_else(|| "–".to_owned(), |share| format!("{:.3}%", share * 100.0))) }
                            td { (month.error_budget_remaining.map_or_else(|| "–".to_owned(), |share| format!("{:.0}%", share * 100.0))) }
                            td { (month.incidents.map_or_else(|| "–".to_owned(), |count| count.to_string())) }
                            td { (month.feedback) }
                            td { (month.average_rating.map_or_else(|| "–".to_owned(), |rating| format!("{rating:.1}"))) }
                            td { (month.shipped.join("; ")) }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_axis_keeps_every_month_across_a_year_end() {
        let now: DateTime<Utc> = "2026-02-10T00:00:00Z".parse().unwrap();
        let months = axis(now, 12);
        assert_eq!(months.first().map(String::as_str), Some("2025-03"));
        assert_eq!(months.last().map(String::as_str), Some("2026-02"));
        assert!(months.contains(&"2025-12".to_owned()) && months.contains(&"2026-01".to_owned()));
    }

    #[test]
    fn axes_fit_the_data_not_the_whole_scale() {
        let (low, high) = fit([99.87, 99.95, 99.91], (0.0, 100.0));
        assert!(
            (99.0..99.87).contains(&low) && high <= 100.0,
            "{low}..{high}"
        );
        let (low, high) = fit([46.0, 75.0], (0.0, 100.0));
        assert!(
            (30.0..=46.0).contains(&low) && (75.0..=90.0).contains(&high),
            "{low}..{high}"
        );
        assert_eq!(fit([], (0.0, 100.0)), (0.0, 100.0));
    }
}
