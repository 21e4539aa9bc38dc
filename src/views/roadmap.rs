//! Roadmap pages: the board, an item, what shipped, and opting out.

use maud::{Markup, html};

use super::pain_points::labels;
use super::{Chrome, csrf_field, layout};
use crate::db::roadmap::RoadmapItem;
use crate::db::tree::AssumptionTest;
use crate::domain::labels::LabelFilter;
use crate::domain::outcome::TestStatus;
use crate::domain::roadmap::RoadmapStatus;

fn pain_points(item: &RoadmapItem, links: bool) -> Markup {
    html! {
        @if !item.pain_points.is_empty() {
            ul {
                @for (id, title) in &item.pain_points {
                    li { @if links { a href={ "/pain-points/" (id) } { (title) } } @else { (title) } }
                }
            }
        }
    }
}

/// The fields of an item (status is set apart, since shipping tells people).
fn item_fields(item: Option<&RoadmapItem>) -> Markup {
    html! {
        label for="title" { "Title" }
        input #title type="text" name="title" value=[item.map(|item| &item.title)] required;
        label for="target_quarter" { "Target quarter" }
        input #target_quarter type="text" name="target_quarter" value=[item.and_then(|item| item.target_quarter.as_deref())] placeholder="2027-Q1";
        label for="description" { "Description" }
        textarea #description name="description" rows="3" { @if let Some(item) = item { (item.description) } }
        label for="services" { "Services (slugs, comma-separated)" }
        input #services type="text" name="services" value=[item.map(|item| item.services.join(", "))] placeholder="ci-runner";
        label for="tags" { "Tags (comma-separated)" }
        input #tags type="text" name="tags" value=[item.map(|item| item.tags.join(", "))] placeholder="caching";
    }
}

pub fn board(chrome: &Chrome<'_>, items: &[RoadmapItem], filter: &LabelFilter) -> Markup {
    let mut quarters: Vec<Option<&str>> = items
        .iter()
        .map(|item| item.target_quarter.as_deref())
        .collect();
    quarters.dedup();
    layout(
        "Roadmap",
        chrome,
        html! {
            h1 { "Roadmap" }
            form.filters method="get" action="/roadmap" {
                label { "Service " input type="text" name="service" value=(filter.service) size="12"; }
                label { " Tag " input type="text" name="tag" value=(filter.tag) size="12"; }
                button type="submit" { "Filter" }
                @if !filter.service.is_empty() || !filter.tag.is_empty() { " " a href="/roadmap" { "Clear" } }
            }
            div.board {
                @for status in RoadmapStatus::ALL {
                    section.column {
                        h2 { (status.label()) }
                        @for item in items.iter().filter(|item| item.status == *status) {
                            article.card {
                                a href={ "/roadmap/" (item.id) } { (item.title) }
                                @if let Some(quarter) = &item.target_quarter { " " span.badge { (quarter) } }
                                (labels("/roadmap", &item.services, &item.tags))
                            }
                        }
                    }
                }
            }
            h2 { "By quarter" }
            @for quarter in &quarters {
                h3 { (quarter.unwrap_or("No quarter yet")) }
                ul {
                    @for item in items.iter().filter(|item| item.target_quarter.as_deref() == *quarter) {
                        li { a href={ "/roadmap/" (item.id) } { (item.title) } " · " (item.status.label()) }
                    }
                }
            }
            section.narrow {
                h2 { "Add an item" }
                form method="post" action="/roadmap" {
                    (csrf_field(chrome.csrf))
                    (item_fields(None))
                    button type="submit" { "Add" }
                }
            }
        },
    )
}

pub fn detail(chrome: &Chrome<'_>, item: &RoadmapItem, tests: &[AssumptionTest]) -> Markup {
    layout(
        &item.title,
        chrome,
        html! {
            p.back { a href="/roadmap" { "← Roadmap" } }
            h1 { (item.title) }
            p.meta {
                (item.status.label())
                @if let Some(quarter) = &item.target_quarter { " · " (quarter) }
                @if let Some(day) = item.shipped_on { " · shipped " (day) }
                (labels("/roadmap", &item.services, &item.tags))
            }
            @if !item.description.is_empty() { div.body { (item.description) } }
            details {
                summary { "Edit title, quarter, description, services and tags" }
                section.narrow { form method="post" action={ "/roadmap/" (item.id) "/edit" } {
                    (csrf_field(chrome.csrf))
                    (item_fields(Some(item)))
                    button type="submit" { "Save" }
                } }
            }
            h2 { "Answers these pain points" }
            (pain_points(item, true))
            section.triage {
                form.inline method="post" action={ "/roadmap/" (item.id) "/pain-points" } {
                    (csrf_field(chrome.csrf))
                    label for="pain_point" { "Link pain point # " }
                    input #pain_point type="text" inputmode="numeric" name="pain_point" size="5";
                    button type="submit" { "Link" }
                }
                form.inline method="post" action={ "/roadmap/" (item.id) "/status" } {
                    (csrf_field(chrome.csrf))
                    label for="status" { "Status " }
                    select #status name="status" {
                        @for status in RoadmapStatus::ALL {
                            option value=(status.as_str()) selected[item.status == *status] { (status.label()) }
                        }
                    }
                    button type="submit" { "Set status" }
                }
                p.hint { "Shipping tells everyone whose feedback is evidence for these pain points, once (unless they opted out)." }
            }
            h2 { "Assumption tests" }
            ul {
                @for test in tests {
                    li {
                        (test.assumption) @if !test.method.is_empty() { " (" (test.method) ")" } " " span.badge { (test.status) }
                        @if !test.result.is_empty() { " — " (test.result) }
                        form.inline method="post" action={ "/tests/" (test.id) "/result" } {
                            (csrf_field(chrome.csrf))
                            select name="status" aria-label="Result" {
                                @for status in TestStatus::ALL { option value=(status.as_str()) selected[test.status == status.as_str()] { (status.as_str()) } }
                            }
                            input type="text" name="result" placeholder="what we learned" aria-label="What we learned";
                            button type="submit" { "Record" }
                        }
                    }
                }
            }
            section.narrow { form method="post" action={ "/roadmap/" (item.id) "/tests" } {
                (csrf_field(chrome.csrf))
                label for="assumption" { "Assumption to test" }
                input #assumption type="text" name="assumption" placeholder="Teams will use a cache warm-up if it is automatic";
                label for="method" { "How" }
                input #method type="text" name="method" placeholder="prototype with two teams for a week";
                button type="submit" { "Add test" }
            } }
        },
    )
}

pub fn shipped(chrome: &Chrome<'_>, items: &[RoadmapItem]) -> Markup {
    layout(
        "You said, we did",
        chrome,
        html! {
            h1 { "You said, we did" }
            p.lede { "What the platform team shipped, and the problems it answered." }
            @if items.is_empty() { p { "Nothing shipped yet." } }
            @for item in items {
                article.hit id={ "roadmap-" (item.id) } {
                    h2 { (item.title) }
                    p.meta { @if let Some(day) = item.shipped_on { "Shipped " (day) } }
                    @if !item.description.is_empty() { p { (item.description) } }
                    (pain_points(item, false))
                }
            }
        },
    )
}

pub fn opt_out(chrome: &Chrome<'_>, action: &str, done: Option<&str>) -> Markup {
    layout(
        "No more 'you said, we did' mail",
        chrome,
        html! {
            section.narrow {
                @match done {
                    Some(email) => { h1 { "Done" } p { (email) " will get no more messages when something they asked for ships." } }
                    None => {
                        h1 { "Stop 'you said, we did' messages?" }
                        form method="post" action=(action) { button type="submit" { "Stop them" } }
                    }
                }
            }
        },
    )
}
