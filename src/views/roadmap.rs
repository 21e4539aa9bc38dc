//! Roadmap pages: the board, an item, what shipped, and opting out.

use maud::{Markup, html};

use super::pain_points::labels;
use super::picker::{Picker, PickerKind, picker};
use super::{Chrome, count_of, csrf_field, error_summary, field_error, layout};
use crate::domain::FieldErrors;
use crate::domain::labels::LabelFilter;
use crate::domain::outcome::{AssumptionTest, TestStatus};
use crate::domain::roadmap::{RoadmapDraft, RoadmapItem, RoadmapStatus};

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

/// The fields of an item as stored or as typed (status is set apart, since
/// shipping tells people), each with its problem if it came back with one.
fn item_fields(draft: &RoadmapDraft, errors: &FieldErrors, prefix: &str) -> Markup {
    let id = |field: &str| format!("{prefix}{field}");
    html! {
        label for=(id("title")) { "Title" }
        input id=(id("title")) type="text" name="title" value=(draft.title) required
            aria-invalid=[errors.get("title").map(|_| "true")];
        (field_error(errors, "title"))
        label for=(id("target_quarter")) { "Target quarter" }
        input id=(id("target_quarter")) type="text" name="target_quarter" value=(draft.target_quarter) placeholder="2027-Q1"
            aria-invalid=[errors.get("target_quarter").map(|_| "true")];
        (field_error(errors, "target_quarter"))
        label for=(id("description")) { "Description" }
        textarea id=(id("description")) name="description" rows="3" { (draft.description) }
        (field_error(errors, "description"))
        label for=(id("services")) { "Services (slugs, comma-separated)" }
        input id=(id("services")) type="text" name="services" value=(draft.services.join(", ")) placeholder="ci-runner"
            aria-invalid=[errors.get("services").map(|_| "true")];
        (field_error(errors, "services"))
        label for=(id("tags")) { "Tags (comma-separated)" }
        input id=(id("tags")) type="text" name="tags" value=(draft.tags.join(", ")) placeholder="caching"
            aria-invalid=[errors.get("tags").map(|_| "true")];
        (field_error(errors, "tags"))
    }
}

/// A stored item's fields, for its edit form.
pub fn draft_of(item: &RoadmapItem) -> RoadmapDraft {
    RoadmapDraft {
        title: item.title.clone(),
        description: item.description.clone(),
        target_quarter: item.target_quarter.clone().unwrap_or_default(),
        status: item.status.as_str().to_owned(),
        services: item.services.clone(),
        tags: item.tags.clone(),
    }
}

/// The board, with the "add an item" form empty or as typed.
pub struct BoardPage<'a> {
    pub items: &'a [RoadmapItem],
    pub filter: &'a LabelFilter,
    pub draft: &'a RoadmapDraft,
    pub errors: &'a FieldErrors,
}

pub fn board(chrome: &Chrome<'_>, page: &BoardPage<'_>) -> Markup {
    let BoardPage {
        items,
        filter,
        draft,
        errors,
    } = *page;
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
            section.narrow #add {
                h2 { "Add an item" }
                (error_summary(errors))
                form method="post" action="/roadmap#add" {
                    (csrf_field(chrome.csrf))
                    (item_fields(draft, errors, ""))
                    button type="submit" { "Add" }
                }
            }
        },
    )
}

/// One item with its links, for the platform team.
pub struct DetailPage<'a> {
    pub item: &'a RoadmapItem,
    pub tests: &'a [AssumptionTest],
    /// Pain points it could answer: (id, title).
    pub pain_points: &'a [(i64, String)],
    /// The edit form's values, as stored or as typed.
    pub draft: &'a RoadmapDraft,
    pub errors: &'a FieldErrors,
}

pub fn detail(chrome: &Chrome<'_>, page: &DetailPage<'_>) -> Markup {
    let DetailPage {
        item,
        tests,
        pain_points: choices,
        draft,
        errors,
    } = *page;
    let editing = errors.iter().any(|error| {
        ["title", "target_quarter", "description", "services", "tags"].contains(&error.field)
    });
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
                @if item.public { " · " span.badge { "public" } }
                (labels("/roadmap", &item.services, &item.tags))
            }
            @if !item.description.is_empty() { div.body { (item.description) } }
            (error_summary(errors))
            details open[editing] {
                summary { "Edit title, quarter, description, services and tags" }
                section.narrow { form method="post" action={ "/roadmap/" (item.id) "/edit" } {
                    (csrf_field(chrome.csrf))
                    (item_fields(draft, errors, "edit-"))
                    button type="submit" { "Save" }
                } }
            }
            h2 { "Answers these pain points" }
            (pain_points(item, true))
            section.triage {
                form.inline method="post" action={ "/roadmap/" (item.id) "/pain-points" } {
                    (csrf_field(chrome.csrf))
                    (picker(&Picker { kind: PickerKind::PainPoint, name: "pain_point", id: "pain_point", label: "Link a pain point ", choices, chosen: None, form: None, required: true }))
                    button type="submit" { "Link" }
                    (field_error(errors, "pain_point"))
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
                p.hint { "Shipping asks first: it tells everyone whose feedback is evidence for these pain points, once (unless they opted out), and marks the pain points addressed (moving the item back from shipped undoes that)." }
                form.inline method="post" action={ "/roadmap/" (item.id) "/public" } {
                    (csrf_field(chrome.csrf))
                    @if item.public {
                        input type="hidden" name="public" value="false";
                        "Everyone sees its title, description and state. "
                        button type="submit" { "Make it team-only" }
                    } @else {
                        input type="hidden" name="public" value="true";
                        "Only the platform team sees it" @if item.status == RoadmapStatus::Shipped { " (shipped items are listed for everyone on Shipped)" } ". "
                        button type="submit" { "Show title, description and state to everyone" }
                    }
                }
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
                input #assumption type="text" name="assumption" placeholder="Teams will use a cache warm-up if it is automatic"
                    aria-invalid=[errors.get("assumption").map(|_| "true")];
                (field_error(errors, "assumption"))
                label for="method" { "How" }
                input #method type="text" name="method" placeholder="prototype with two teams for a week";
                (field_error(errors, "method"))
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
                    Some(email) => {
                        h1 { "Done" }
                        p role="status" { (email) " will get no more messages when something they asked for ships." }
                        form method="post" action={ (action) "/undo" } {
                            (csrf_field(chrome.csrf))
                            button type="submit" { "Undo: keep telling me" }
                        }
                    }
                    None => {
                        h1 { "Stop 'you said, we did' messages?" }
                        form method="post" action=(action) {
                            (csrf_field(chrome.csrf))
                            button type="submit" { "Stop them" }
                        }
                    }
                }
            }
        },
    )
}

/// Asks before shipping, with what shipping does.
pub fn confirm_ship(
    chrome: &Chrome<'_>,
    item: &RoadmapItem,
    people: usize,
    addressed: usize,
) -> Markup {
    layout(
        &format!("Ship {}?", item.title),
        chrome,
        html! {
            section.narrow {
                p.back { a href={ "/roadmap/" (item.id) } { "← " (item.title) } }
                h1 { "Ship “" (item.title) "”?" }
                ul {
                    li { strong { "This will email " (count_of(people as u64, "person", "people")) } ": everyone whose feedback is evidence for its pain points and who did not opt out, once." }
                    li { "It marks " (count_of(addressed as u64, "pain point", "pain points")) " addressed (moving the item back from shipped puts them back)." }
                    li { "It is listed on Shipped for everyone, with the problems it answered." }
                }
                form method="post" action={ "/roadmap/" (item.id) "/status" } {
                    (csrf_field(chrome.csrf))
                    input type="hidden" name="status" value="shipped";
                    input type="hidden" name="confirm" value="yes";
                    button type="submit" {
                        "Ship it and email " (count_of(people as u64, "person", "people"))
                    }
                    " "
                    a href={ "/roadmap/" (item.id) } { "Not yet" }
                }
            }
        },
    )
}

/// A public roadmap item as everyone may read it.
pub fn public_item(chrome: &Chrome<'_>, item: &RoadmapItem) -> Markup {
    layout(
        &item.title,
        chrome,
        html! {
            section.narrow {
                p.back { a href="/feedback/mine" { "← My feedback" } }
                h1 { (item.title) }
                p.meta {
                    "On the platform team's roadmap: " span.badge { (item.status.label()) }
                    @if let Some(quarter) = &item.target_quarter { " · " (quarter) }
                }
                @if !item.description.is_empty() { div.body { (item.description) } }
            }
        },
    )
}

/// After undoing an opt-out.
pub fn opted_back_in(chrome: &Chrome<'_>, action: &str, email: &str) -> Markup {
    layout(
        "You will hear when things ship",
        chrome,
        html! {
            section.narrow {
                h1 { "Undone" }
                p role="status" { (email) " will again be told when something they asked for ships." }
                form method="post" action=(action) {
                    (csrf_field(chrome.csrf))
                    button type="submit" { "Stop them after all" }
                }
            }
        },
    )
}
