//! The dashboard and the recruiting list.

use chrono::{DateTime, Utc};
use maud::{Markup, html};

use super::{Chrome, csrf_field, date, layout};
use crate::db::pain_points::PainPoint;
use crate::db::people::Recruit;
use crate::db::roadmap::RoadmapItem;
use crate::domain::cadence::Cadence;
use crate::domain::pain_point::impact;

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
                text x=(index * 40 + 20) y="105" font-size="9" text-anchor="middle" fill="#5d6678" { (week.starts.format("%-d %b")) }
            }
            line x1="0" x2=(width) y1=(y(f64::from(habit.target))) y2=(y(f64::from(habit.target))) stroke="#b42318" stroke-dasharray="4 3" {}
        }
    }
}

pub fn dashboard(
    chrome: &Chrome<'_>,
    habit: &Cadence,
    cap: u32,
    top: &[PainPoint],
    shipped: &[RoadmapItem],
) -> Markup {
    layout(
        "Dashboard",
        chrome,
        html! {
            h1 { "Dashboard" }
            section.triage {
                h2 { "Discovery habit" }
                p {
                    "Target: " (habit.target) " interview" @if habit.target != 1 { "s" } " a week. "
                    strong { "Streak: " (habit.streak) " week" @if habit.streak != 1 { "s" } }
                    ". " a href="/interviews/recruiting" { "Who to talk to next" }
                }
                (cadence_chart(habit))
                form.inline method="post" action="/dashboard/settings" {
                    (csrf_field(chrome.csrf))
                    label for="interview_target" { "Interviews a week " }
                    input #interview_target type="text" inputmode="numeric" size="3" name="interview_target" value=(habit.target);
                    label for="contact_cap_days" { " Ask nobody more than once every " }
                    input #contact_cap_days type="text" inputmode="numeric" size="4" name="contact_cap_days" value=(cap);
                    " days "
                    button type="submit" { "Save" }
                }
            }
            h2 { "Biggest pain points" }
            ol {
                @for pain_point in top {
                    li { a href={ "/pain-points/" (pain_point.id) } { (pain_point.title) } " · impact " (format!("{:.0}", impact(&pain_point.parts))) }
                }
            }
            h2 { "Recently shipped" }
            ul {
                @for item in shipped {
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
