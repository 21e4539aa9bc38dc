//! Pain point pages: the ranked list and one pain point with its evidence
//! and the parts of its impact score.

use maud::{Markup, html};

use super::picker::{Picker, PickerKind, picker};
use super::{Chrome, count_of, csrf_field, date, error_summary, field_error, layout};
use crate::domain::FieldErrors;
use crate::domain::pain_point::{
    AffectedPerson, Evidence, PainPoint, PainPointDraft, PainPointStatus, affected_teams, impact,
};
use crate::domain::roadmap::RoadmapStatus;

/// The ranked list, narrowed to a service and a tag if asked, and the form
/// that names a new pain point.
pub struct ListPage<'a> {
    pub pain_points: &'a [PainPoint],
    pub service: &'a str,
    pub tag: &'a str,
    pub draft: &'a PainPointDraft,
    pub errors: &'a FieldErrors,
}

/// Services and tags as links that narrow a list (`base` is its address).
pub fn labels(base: &str, services: &[String], tags: &[String]) -> Markup {
    html! {
        @for service in services {
            " " a.badge href={ (base) "?service=" (service) } { code { (service) } }
        }
        @for tag in tags {
            " " a.badge href={ (base) "?tag=" (tag) } { "#" (tag) }
        }
    }
}

pub fn list(chrome: &Chrome<'_>, page: &ListPage<'_>) -> Markup {
    let ListPage {
        pain_points,
        draft,
        errors,
        ..
    } = page;
    layout(
        "Pain points",
        chrome,
        html! {
            h1 { "Pain points" }
            p.lede { "Problems in the users' own words, backed by what they said, highest impact first." }
            form.filters method="get" action="/pain-points" {
                label { "Service " input type="text" name="service" value=(page.service) size="12"; }
                label { " Tag " input type="text" name="tag" value=(page.tag) size="12"; }
                button type="submit" { "Filter" }
                @if !page.service.is_empty() || !page.tag.is_empty() { " " a href="/pain-points" { "Clear" } }
            }
            @if pain_points.is_empty() {
                p { "None yet. Name the first problem below, then link feedback to it from the inbox." }
            } @else {
                table.feedback {
                    thead { tr { th { "Pain point" } th { "Status" } th { "Impact" } th { "Teams" } th { "People" } th { "Evidence" } th { "Last heard" } } }
                    tbody {
                        @for pain_point in pain_points.iter() {
                            tr {
                                td data-label="Pain point" {
                                    a href={ "/pain-points/" (pain_point.id) } { (pain_point.title) }
                                    (labels("/pain-points", &pain_point.services, &pain_point.tags))
                                }
                                td data-label="Status" { (pain_point.status.label()) }
                                td data-label="Impact" { strong { (format!("{:.0}", impact(&pain_point.parts))) } }
                                td data-label="Teams" { (pain_point.parts.teams) }
                                td data-label="People" { (pain_point.parts.people) }
                                td data-label="Evidence" { (pain_point.parts.evidence) }
                                td.nowrap data-label="Last heard" { (pain_point.last_heard.map(date).unwrap_or_else(|| "–".into())) }
                            }
                        }
                    }
                }
            }
            section.narrow {
                h2 { "Name a pain point" }
                form method="post" action="/pain-points" {
                    (csrf_field(chrome.csrf))
                    label for="title" { "In the users' words" }
                    input #title type="text" name="title" value=(draft.title) placeholder="CI caches are cold after every deploy";
                    @if let Some(message) = errors.get("title") { p.field-error { (message) } }
                    label for="description" { "What we know (team only)" }
                    textarea #description name="description" rows="3" { (draft.description) }
                    label for="services" { "Services (slugs, comma-separated)" }
                    input #services type="text" name="services" value=(draft.services.join(", ")) placeholder="ci-runner";
                    @if let Some(message) = errors.get("services") { p.field-error { (message) } }
                    label for="tags" { "Tags (comma-separated)" }
                    input #tags type="text" name="tags" value=(draft.tags.join(", ")) placeholder="caching";
                    @if let Some(message) = errors.get("tags") { p.field-error { (message) } }
                    button type="submit" { "Create" }
                }
            }
        },
    )
}

/// One pain point with everything the team knows about it.
pub struct DetailPage<'a> {
    pub pain_point: &'a PainPoint,
    pub evidence: &'a [Evidence],
    /// (interview id, quote) of each highlight among the evidence.
    pub quotes: &'a [(i64, String)],
    pub affected: &'a [AffectedPerson],
    /// Roadmap items that answer it: (id, title, status).
    pub roadmap: &'a [(i64, String, RoadmapStatus)],
    /// What the pickers offer: other pain points, recent feedback, outcomes.
    pub pain_points: &'a [(i64, String)],
    pub feedback: &'a [(i64, String)],
    pub outcomes: &'a [(i64, String)],
    pub errors: &'a FieldErrors,
    /// The edit form as typed, when it came back with problems.
    pub edit: Option<&'a PainPointDraft>,
}

pub fn detail(chrome: &Chrome<'_>, page: &DetailPage<'_>) -> Markup {
    let DetailPage {
        pain_point,
        evidence,
        quotes,
        affected,
        errors,
        ..
    } = *page;
    let others: Vec<(i64, String)> = page
        .pain_points
        .iter()
        .filter(|(id, _)| *id != pain_point.id)
        .cloned()
        .collect();
    let stored = PainPointDraft {
        title: pain_point.title.clone(),
        description: pain_point.description.clone(),
        services: pain_point.services.clone(),
        tags: pain_point.tags.clone(),
    };
    let edit = page.edit.unwrap_or(&stored);
    let teams = affected_teams(affected.iter().map(|person| person.team.as_deref()));
    let parts = &pain_point.parts;
    layout(
        &pain_point.title,
        chrome,
        html! {
            p.back { a href="/pain-points" { "← Pain points" } }
            h1 { (pain_point.title) }
            @if !pain_point.description.is_empty() { div.body { (pain_point.description) } }
            p.meta {
                "Pain point #" (pain_point.id) " · " (pain_point.status.label())
                @if let (Some(first), Some(last)) = (pain_point.first_heard, pain_point.last_heard) {
                    " · first heard " (date(first)) ", last heard " (date(last))
                }
                (labels("/pain-points", &pain_point.services, &pain_point.tags))
            }
            (error_summary(errors))
            section.answers {
                h2 { "Roadmap" }
                @if page.roadmap.is_empty() {
                    p.hint { "No roadmap item answers it yet: link one from the roadmap item's page." }
                } @else {
                    ul {
                        @for (id, title, status) in page.roadmap {
                            li { a href={ "/roadmap/" (id) } { (title) } " · " span.badge { (status.label()) } }
                        }
                    }
                }
            }
            section.triage {
                h2 { "Impact " (format!("{:.0}", impact(parts))) }
                p {
                    "3 × " (parts.teams) " teams + 2 × " (parts.people) " people + "
                    (parts.evidence) " pieces of evidence + " (parts.recent) " in the last 90 days + 2 × (5 − "
                    (parts.average_rating.map_or_else(|| "no rating".to_owned(), |rating| format!("{rating:.1}")))
                    " average rating)"
                }
                p.hint { "Breadth counts most: a problem of many teams is a platform problem." }
                form.inline method="post" action={ "/pain-points/" (pain_point.id) "/status" } {
                    (csrf_field(chrome.csrf))
                    label for="status" { "Status " }
                    select #status name="status" {
                        @for status in PainPointStatus::ALL {
                            option value=(status.as_str()) selected[pain_point.status == *status] { (status.label()) }
                        }
                    }
                    button type="submit" { "Set status" }
                }
                form.inline method="post" action="/pain-points/evidence" {
                    (csrf_field(chrome.csrf))
                    input type="hidden" name="pain_point" value=(pain_point.id);
                    (picker(&Picker { kind: PickerKind::Feedback, name: "feedback_ids", id: "feedback_ids", label: "Add feedback as evidence ", choices: page.feedback, chosen: None, form: None, required: true }))
                    button type="submit" { "Link" }
                    (field_error(errors, "feedback_ids"))
                }
                form.inline method="post" action={ "/pain-points/" (pain_point.id) "/placement" } {
                    (csrf_field(chrome.csrf))
                    label for="outcome" { "In the tree: under outcome " }
                    select #outcome name="outcome" {
                        option value="" { "No outcome" }
                        @for (id, title) in page.outcomes { option value=(id) { (title) } }
                    }
                    (picker(&Picker { kind: PickerKind::PainPoint, name: "parent", id: "parent", label: " and pain point ", choices: &others, chosen: None, form: None, required: false }))
                    button type="submit" { "Place" }
                    (field_error(errors, "outcome"))
                    (field_error(errors, "parent"))
                }
                details open[page.edit.is_some()] {
                    summary { "Edit title, description, services and tags" }
                    form method="post" action={ "/pain-points/" (pain_point.id) "/edit" } {
                        (csrf_field(chrome.csrf))
                        label for="edit-title" { "In the users' words" }
                        input #edit-title type="text" name="title" value=(edit.title)
                            aria-invalid=[errors.get("title").map(|_| "true")];
                        (field_error(errors, "title"))
                        label for="edit-description" { "What we know (team only)" }
                        textarea #edit-description name="description" rows="3" { (edit.description) }
                        (field_error(errors, "description"))
                        label for="edit-services" { "Services (slugs, comma-separated)" }
                        input #edit-services type="text" name="services" value=(edit.services.join(", "));
                        (field_error(errors, "services"))
                        label for="edit-tags" { "Tags (comma-separated)" }
                        input #edit-tags type="text" name="tags" value=(edit.tags.join(", "));
                        (field_error(errors, "tags"))
                        button type="submit" { "Save" }
                    }
                }
                form.inline method="post" action={ "/pain-points/" (pain_point.id) "/merge" } {
                    (csrf_field(chrome.csrf))
                    (picker(&Picker { kind: PickerKind::PainPoint, name: "into", id: "into", label: "Merge into ", choices: &others, chosen: None, form: None, required: true }))
                    button.danger type="submit" { "Merge…" }
                    (field_error(errors, "into"))
                }
            }
            h2 { "Affected" }
            @if affected.is_empty() {
                p { "Nobody by name yet: anonymous feedback counts as evidence but names nobody." }
            } @else {
                p.affected-teams {
                    "Teams: "
                    @for (index, (team, people)) in teams.iter().enumerate() {
                        @if index > 0 { ", " }
                        (team) " (" (people) @if *people == 1 { " person" } @else { " people" } ")"
                    }
                    @if teams.is_empty() { "none known" }
                }
                ul.affected-people {
                    @for person in affected {
                        li {
                            (person.name)
                            @if let Some(team) = &person.team { " (" (team) ")" }
                            " · " (person.evidence) @if person.evidence == 1 { " piece" } @else { " pieces" } " of evidence"
                        }
                    }
                }
                p.hint { "Authors of feedback that was not anonymous, and people interviewed whose words are evidence." }
            }
            h2 { "Evidence" }
            @for (interview, quote) in quotes {
                blockquote { "“" (quote) "” " a href={ "/interviews/" (interview) } { "interview" } }
            }
            @if evidence.is_empty() && quotes.is_empty() {
                p { "No evidence yet: link feedback from the inbox or an item's page." }
            }
            ul {
                @for item in evidence {
                    li {
                        a href={ "/feedback/" (item.feedback_id) } { (item.summary) }
                        " · " code { (item.service) }
                        " · " (item.author.as_deref().unwrap_or("anonymous"))
                        @if let Some(team) = &item.team { " (" (team) ")" }
                        " · " (date(item.created_at)) " · "
                        form.inline method="post" action={ "/pain-points/" (pain_point.id) "/evidence/remove" } {
                            (csrf_field(chrome.csrf))
                            input type="hidden" name="feedback_id" value=(item.feedback_id);
                            button.link.danger-link type="submit" aria-label={ "Remove evidence: " (item.summary) } { "remove" }
                        }
                    }
                }
            }
        },
    )
}

/// Asks before merging, saying what moves and that it cannot be undone.
pub fn confirm_merge(
    chrome: &Chrome<'_>,
    from: &PainPoint,
    into: &PainPoint,
    evidence: u32,
    roadmap: usize,
) -> Markup {
    layout(
        &format!("Merge {}?", from.title),
        chrome,
        html! {
            section.narrow {
                p.back { a href={ "/pain-points/" (from.id) } { "← " (from.title) } }
                h1 { "Merge “" (from.title) "” into “" (into.title) "”?" }
                ul {
                    li { "This moves " (count_of(evidence.into(), "piece of evidence", "pieces of evidence")) " and "
                        (count_of(roadmap as u64, "roadmap link", "roadmap links")) " to “" (into.title) "”, with its services and tags." }
                    li { "“" (from.title) "” stops being listed; its address leads to “" (into.title) "”." }
                    li { "A merge cannot be undone." }
                }
                form method="post" action={ "/pain-points/" (from.id) "/merge" } {
                    (csrf_field(chrome.csrf))
                    input type="hidden" name="into" value=(into.id);
                    input type="hidden" name="confirm" value="yes";
                    button.danger type="submit" { "Merge them" }
                    " "
                    a href={ "/pain-points/" (from.id) } { "Keep them apart" }
                }
            }
        },
    )
}
