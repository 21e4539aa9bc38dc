//! The dashboard and the recruiting list.

use chrono::{DateTime, Utc};
use maud::{Markup, html};

use super::{Chrome, csrf_field, date, layout};
use crate::domain::cadence::Cadence;
use crate::domain::pain_point::{PainPoint, impact};
use crate::domain::people::Recruit;
use crate::domain::roadmap::RoadmapItem;
use crate::domain::satisfaction::Satisfaction;
use crate::domain::series::Series;
use crate::domain::service::Reliability;
use crate::domain::stats::Estimate;

/// Interviews per week as bars, with the target as a line.
fn cadence_chart(habit: &Cadence) -> Markup {
    let highest = habit
        .weeks
        .iter()
        .map(|week| week.interviews)
        .max()
        .unwrap_or(0)
        .max(habit.target)
        .max(1) as f64;
    let y = |value: f64| 90.0 - value / highest * 80.0;
    let width = habit.weeks.len() * 40;
    html! {
        svg width=(width) height="115" viewBox={ "0 0 " (width) " 115" } role="img" aria-label="Interviews per week against the target" {
            @for (index, week) in habit.weeks.iter().enumerate() {
                @let top = y(f64::from(week.interviews));
                rect x=(index * 40 + 8) y=(top) width="24" height=(90.0 - top) fill=(if week.interviews >= habit.target { "#17794a" } else { "#b8c0cc" }) {
                    title { "Week of " (week.starts) ": " (week.interviews) }
                }
                text x=(index * 40 + 20) y="105" font-size="10" text-anchor="middle" fill="#5d6678" { (week.starts.format("%-d %b")) }
            }
            line x1="0" x2=(width) y1=(y(f64::from(habit.target))) y2=(y(f64::from(habit.target))) stroke="#b42318" stroke-dasharray="4 3" {}
        }
    }
}

/// Everything the dashboard shows.
pub struct DashboardPage<'a> {
    pub habit: &'a Cadence,
    pub cap: u32,
    pub top: &'a [PainPoint],
    pub shipped: &'a [RoadmapItem],
    /// The headline survey series, whose waves `satisfaction` summarises.
    pub series: Option<&'a Series>,
    pub satisfaction: &'a Satisfaction,
    /// For the lowest-scoring services: their biggest pain points.
    pub behind_lowest: &'a [(String, Vec<PainPoint>)],
    /// Latest reliability figures by service slug.
    pub reliability: &'a [(String, Option<Reliability>)],
}

/// A score over the waves as a line, its 95% interval as a band, on an
/// axis fitted to them within the scale (`low`..`high`).
fn trend_chart(
    label: &str,
    estimates: &[Option<Estimate>],
    low: f64,
    high: f64,
    titles: &[String],
) -> Markup {
    // The axis fits the figures and their intervals, within the scale.
    let (low, high) = super::timeline::fit(
        estimates.iter().flatten().flat_map(|estimate| {
            let (a, b) = estimate
                .interval
                .as_ref()
                .map_or((estimate.score, estimate.score), |interval| {
                    (interval.low, interval.high)
                });
            [estimate.score, a, b]
        }),
        (low, high),
    );
    let step = 130.0;
    let width = (estimates.len().max(1) as f64 - 1.0) * step + 100.0;
    let y = |value: f64| 14.0 + (high - value) / (high - low) * 100.0;
    let x = |index: usize| 60.0 + index as f64 * step;
    let points: Vec<(usize, &Estimate)> = estimates
        .iter()
        .enumerate()
        .filter_map(|(index, estimate)| estimate.as_ref().map(|estimate| (index, estimate)))
        .collect();
    let line: Vec<String> = points
        .iter()
        .map(|(index, estimate)| format!("{:.1},{:.1}", x(*index), y(estimate.score)))
        .collect();
    let mut band: Vec<String> = points
        .iter()
        .filter_map(|(index, estimate)| {
            estimate
                .interval
                .as_ref()
                .map(|interval| format!("{:.1},{:.1}", x(*index), y(interval.high)))
        })
        .collect();
    band.extend(points.iter().rev().filter_map(|(index, estimate)| {
        estimate
            .interval
            .as_ref()
            .map(|interval| format!("{:.1},{:.1}", x(*index), y(interval.low)))
    }));
    html! {
        figure.chart {
            figcaption { (label) ", with its 95% interval" }
            svg width=(width) height="150" viewBox={ "0 0 " (width) " 150" } role="img" aria-label={ (label) " per survey wave, with 95% intervals" } {
                text x="4" y=(y(high) + 4.0) font-size="11" fill="#5d6678" { (high) }
                text x="4" y=(y(low) + 4.0) font-size="11" fill="#5d6678" { (low) }
                line x1="40" x2=(width) y1=(y(high)) y2=(y(high)) stroke="#dde2ea" {}
                line x1="40" x2=(width) y1=(y(low)) y2=(y(low)) stroke="#dde2ea" {}
                @for (index, title) in titles.iter().enumerate() {
                    text x=(x(index)) y="142" font-size="11" text-anchor="middle" fill="#5d6678" { (title) }
                }
                polygon points=(band.join(" ")) fill="#dbe7ff" {}
                polyline points=(line.join(" ")) fill="none" stroke="#2456c7" stroke-width="2" {}
                @for (index, estimate) in &points {
                    circle cx=(x(*index)) cy=(y(estimate.score)) r="3.5" fill="#2456c7" {
                        title { (titles.get(*index).map(String::as_str).unwrap_or_default()) ": " (format!("{:.1}", estimate.score)) " (n = " (estimate.n) ")" }
                    }
                    text x=(x(*index)) y=(y(estimate.score) - 8.0) font-size="10" text-anchor="middle" { (format!("{:.0}", estimate.score)) }
                }
            }
        }
    }
}

fn sparkline(estimates: &[Option<Estimate>]) -> Markup {
    let points: Vec<String> = estimates
        .iter()
        .enumerate()
        .filter_map(|(index, estimate)| {
            estimate.as_ref().map(|estimate| {
                format!(
                    "{},{:.1}",
                    index * 16 + 2,
                    22.0 - estimate.score / 100.0 * 20.0
                )
            })
        })
        .collect();
    html! {
        svg width=(estimates.len() * 16) height="24" role="img" aria-label="CSAT trend" {
            polyline points=(points.join(" ")) fill="none" stroke="#2456c7" stroke-width="1.5" {}
        }
    }
}

fn interval(estimate: &Estimate) -> String {
    estimate
        .interval
        .as_ref()
        .map_or_else(String::new, |interval| {
            format!("{:.0}–{:.0}", interval.low, interval.high)
        })
}

pub fn dashboard(chrome: &Chrome<'_>, page: &DashboardPage<'_>) -> Markup {
    let habit = page.habit;
    let satisfaction = page.satisfaction;
    layout(
        "Dashboard",
        chrome,
        html! {
            h1 { "Dashboard" }
            @if page.series.is_none() {
                p.hint { "No headline survey series yet: satisfaction is charted over the waves of the series marked as the headline one on " a href="/surveys/series" { "Survey series" } "." }
            }
            @if let (Some(series), false) = (page.series, satisfaction.waves.is_empty()) {
                section.triage {
                    h2 { "Satisfaction: " (series.name) }
                    p.hint { "Each wave of the " (series.cadence.label()) " series, labelled by its period; ad-hoc surveys have their own results pages and change none of these figures." }
                    div.charts {
                        (trend_chart("NPS (points, −100 to 100)", &satisfaction.nps, -100.0, 100.0, &satisfaction.waves))
                        (trend_chart("CES (1 to 7)", &satisfaction.ces, 1.0, 7.0, &satisfaction.waves))
                    }
                    table.feedback {
                        thead { tr { th { "Service" } th { "CSAT" } th { "95% interval" } th { "Trend" } th { "Answers" } th { "Change" } th { "SLO attainment" } } }
                        tbody {
                            @for row in &satisfaction.services {
                                @let latest = row.csat.iter().rev().flatten().next();
                                tr {
                                    td data-label="Service" { a href={ "/services/" (row.service) } { (row.service) } }
                                    td data-label="CSAT" { @if let Some(estimate) = latest { strong { (format!("{:.0}%", estimate.score)) } } }
                                    td data-label="95% interval" { @if let Some(estimate) = latest { (interval(estimate)) } }
                                    td data-label="Trend" { (sparkline(&row.csat)) }
                                    td data-label="Answers" { @if let Some(estimate) = latest { (estimate.n) } }
                                    td data-label="Change" {
                                        @if let Some(change) = &row.change {
                                            @if change.delta.round() == 0.0 { "0 pts" } @else { (format!("{:+.0} pts", change.delta)) }
                                            @if change.significant { " " span.badge { "mover" } } @else { " " span.hint { "(not significant)" } }
                                        }
                                    }
                                    td data-label="SLO attainment" {
                                        @match page.reliability.iter().find(|(slug, _)| *slug == row.service).and_then(|(_, latest)| latest.as_ref()).and_then(|latest| latest.slo_attainment) {
                                            Some(attainment) => (format!("{:.2}%", attainment * 100.0)),
                                            None => "–",
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @for (service, points) in page.behind_lowest {
                        @if !points.is_empty() {
                            p { "Behind " strong { (service) } ": "
                                @for (index, pain_point) in points.iter().enumerate() {
                                    @if index > 0 { ", " }
                                    a href={ "/pain-points/" (pain_point.id) } { (pain_point.title) }
                                }
                            }
                        }
                    }
                }
            }
            section.triage {
                h2 { "Discovery habit" }
                p {
                    "Target: " (habit.target) " interview" @if habit.target != 1 { "s" } " a week. "
                    strong { "Streak: " (habit.streak) " week" @if habit.streak != 1 { "s" } }
                    ". " a href="/interviews/recruiting" { "Who to talk to next" }
                }
                @if habit.weeks.iter().all(|week| week.interviews == 0) {
                    p.hint { "No interviews in the last " (habit.weeks.len()) " weeks. The dashed line is the target." }
                } @else {
                    p.hint { "Interviews per week; the dashed line is the target." }
                }
                (cadence_chart(habit))
                form.inline method="post" action="/dashboard/settings" {
                    (csrf_field(chrome.csrf))
                    label for="interview_target" { "Interviews a week " }
                    input #interview_target type="text" inputmode="numeric" size="3" name="interview_target" value=(habit.target);
                    label for="contact_cap_days" { " Ask nobody more than once every " }
                    input #contact_cap_days type="text" inputmode="numeric" size="4" name="contact_cap_days" value=(page.cap);
                    " days "
                    button type="submit" { "Save" }
                }
            }
            h2 { "Biggest pain points" }
            ol {
                @for pain_point in page.top {
                    li { a href={ "/pain-points/" (pain_point.id) } { (pain_point.title) } " · impact " (format!("{:.0}", impact(&pain_point.parts))) }
                }
            }
            h2 { "Recently shipped" }
            ul {
                @for item in page.shipped {
                    li { (item.title) @if let Some(day) = item.shipped_on { " · " (day) } }
                }
            }
        },
    )
}

pub fn recruiting(
    chrome: &Chrome<'_>,
    recruits: &[Recruit],
    cap: u32,
    team: Option<&str>,
    service: Option<&str>,
    now: DateTime<Utc>,
) -> Markup {
    layout(
        "Recruiting",
        chrome,
        html! {
            p.back { a href="/interviews" { "← Interviews" } }
            h1 { "Who to talk to" }
            p.lede { "People who ticked \"you may contact me\" on their feedback. Nobody is asked more than once every " (cap) " days." }
            form.filters method="get" action="/interviews/recruiting" {
                label { "Team " input type="text" name="team" value=(team.unwrap_or_default()); }
                label { "Service " input type="text" name="service" value=(service.unwrap_or_default()); }
                button type="submit" { "Filter" }
            }
            table.feedback {
                thead { tr { th { "Person" } th { "Team" } th { "Feedback on" } th { "Items" } th { "Last asked" } th { "" } } }
                tbody {
                    @for recruit in recruits {
                        @let rested = recruit.last_contacted.is_none_or(|last| now - last >= chrono::Duration::days(i64::from(cap)));
                        tr {
                            td data-label="Person" { (recruit.name) br; small { (recruit.email) } }
                            td data-label="Team" { (recruit.team.as_deref().unwrap_or("–")) }
                            td data-label="Feedback on" { (recruit.services.join(", ")) }
                            td data-label="Items" { (recruit.feedback) }
                            td data-label="Last asked" { (recruit.last_contacted.map(date).unwrap_or_else(|| "never".into())) }
                            td {
                                @if rested {
                                    form.inline method="post" action={ "/interviews/recruiting/" (recruit.user_id) "/ask" } {
                                        (csrf_field(chrome.csrf))
                                        button type="submit" { "Mark as asked" }
                                    }
                                } @else { em { "asked recently" } }
                            }
                        }
                    }
                }
            }
        },
    )
}
