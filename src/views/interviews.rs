//! Interview snapshot pages.

use maud::{Markup, html};

use super::picker::{Picker, PickerKind, picker};
use super::{Chrome, csrf_field, error_summary, field_error, layout};
use crate::domain::FieldErrors;
use crate::domain::interview::{Interview, InterviewDraft};

/// The fields of an interview snapshot, empty, as stored or as typed, each
/// with its problem if the form came back with one.
fn interview_form(
    chrome: &Chrome<'_>,
    action: &str,
    draft: &InterviewDraft,
    errors: &FieldErrors,
    submit: &str,
) -> Markup {
    let invalid = |field: &str| errors.get(field).map(|_| "true");
    html! {
        (error_summary(errors))
        form method="post" action=(action) {
            (csrf_field(chrome.csrf))
            label for="participant_name" { "Participant" }
            input #participant_name type="text" name="participant_name" value=(draft.participant_name) required aria-invalid=[invalid("participant_name")];
            (field_error(errors, "participant_name"))
            label for="participant_team" { "Their team (slug)" }
            input #participant_team type="text" name="participant_team" value=(draft.participant_team) placeholder="payments" aria-invalid=[invalid("participant_team")];
            (field_error(errors, "participant_team"))
            label for="participant_role" { "Role" }
            input #participant_role type="text" name="participant_role" value=(draft.participant_role);
            (field_error(errors, "participant_role"))
            label for="held_on" { "Date" }
            input #held_on type="date" name="held_on" value=(draft.held_on) required aria-invalid=[invalid("held_on")];
            (field_error(errors, "held_on"))
            label for="interviewers" { "Interviewers (emails, comma-separated; empty means you)" }
            input #interviewers type="text" name="interviewers" value=(draft.interviewers.join(", ")) placeholder="sam.rivera@halcyon.example, ines.okafor@halcyon.example" aria-invalid=[invalid("interviewers")];
            (field_error(errors, "interviewers"))
            label for="quote" { "Memorable quote" }
            input #quote type="text" name="quote" value=(draft.quote);
            (field_error(errors, "quote"))
            label for="notes" { "Notes (Markdown)" }
            textarea #notes name="notes" rows="8" { (draft.notes) }
            (field_error(errors, "notes"))
            label for="opportunities" { "Opportunities heard" }
            textarea #opportunities name="opportunities" rows="3" { (draft.opportunities) }
            (field_error(errors, "opportunities"))
            label for="insights" { "Insights" }
            textarea #insights name="insights" rows="3" { (draft.insights) }
            (field_error(errors, "insights"))
            label for="services" { "Services discussed (slugs, comma-separated)" }
            input #services type="text" name="services" value=(draft.services.join(", ")) placeholder="ci-runner, k8s.prod" aria-invalid=[invalid("services")];
            (field_error(errors, "services"))
            label for="tags" { "Tags (comma-separated)" }
            input #tags type="text" name="tags" value=(draft.tags.join(", ")) placeholder="caching, onboarding" aria-invalid=[invalid("tags")];
            (field_error(errors, "tags"))
            button type="submit" { (submit) }
        }
    }
}

fn tag_list(tags: &[String]) -> Markup {
    html! {
        @for tag in tags {
            " " a.badge href={ "/search?q=tag:" (tag) } { (tag) }
        }
    }
}

/// The interviews, and the form for a new one: empty (dated `today`) or as typed.
pub fn list(
    chrome: &Chrome<'_>,
    interviews: &[Interview],
    draft: &InterviewDraft,
    errors: &FieldErrors,
) -> Markup {
    layout(
        "Interviews",
        chrome,
        html! {
            h1 { "Interviews" }
            @if interviews.is_empty() { p { "No interviews yet." } }
            ul {
                @for interview in interviews {
                    li {
                        a href={ "/interviews/" (interview.id) } { (interview.participant_name) }
                        @if let Some(team) = &interview.participant_team { " (" (team) ")" }
                        " · " (interview.held_on)
                        @if !interview.quote.is_empty() { " · “" (interview.quote) "”" }
                        (tag_list(&interview.tags))
                    }
                }
            }
            section.narrow #record {
                h2 { "Record an interview snapshot" }
                (interview_form(chrome, "/interviews", draft, errors, "Save"))
            }
        },
    )
}

/// An interview's page, with its highlights and what they are evidence for.
pub struct DetailPage<'a> {
    pub interview: &'a Interview,
    /// The notes rendered by `markdown::render` (off the async threads).
    pub notes: Markup,
    /// Pain points a highlight can be linked to: (id, title).
    pub pain_points: &'a [(i64, String)],
    /// (highlight id, pain point id, title) of each evidence link.
    pub links: &'a [(i64, i64, String)],
    /// A problem with linking a highlight: (highlight id, problems).
    pub problem: Option<(i64, &'a FieldErrors)>,
    /// What was just linked.
    pub linked: Option<&'a str>,
}

pub fn detail(chrome: &Chrome<'_>, page: &DetailPage<'_>) -> Markup {
    let interview = page.interview;
    let pain_points = page.pain_points;
    let notes = &page.notes;
    layout(
        &format!("Interview with {}", interview.participant_name),
        chrome,
        html! {
            p.back { a href="/interviews" { "← Interviews" } }
            h1 { "Interview with " (interview.participant_name) }
            p.meta {
                (interview.held_on)
                @if let Some(team) = &interview.participant_team { " · " (team) }
                @if !interview.participant_role.is_empty() { " · " (interview.participant_role) }
                @if !interview.services.is_empty() { " · " (interview.services.join(", ")) }
                @if !interview.interviewers.is_empty() {
                    " · interviewed by "
                    (interview.interviewers.iter().map(|person| person.name.as_str()).collect::<Vec<_>>().join(", "))
                }
                " · " a href={ "/interviews/" (interview.id) "/edit" } { "edit" }
            }
            @if !interview.tags.is_empty() { p.tags { "Tags:" (tag_list(&interview.tags)) } }
            @if !interview.quote.is_empty() { blockquote { "“" (interview.quote) "”" } }
            article.feedback-item { (notes) }
            @if !interview.opportunities.is_empty() { h2 { "Opportunities" } div.body { (interview.opportunities) } }
            @if !interview.insights.is_empty() { h2 { "Insights" } div.body { (interview.insights) } }
            h2 #highlights { "Highlights" }
            @if let Some(linked) = page.linked { p.notice role="status" { (linked) } }
            ul.highlights {
                @for highlight in &interview.highlights {
                    li id={ "highlight-" (highlight.id) } {
                        "“" (highlight.quote) "” "
                        @let links: Vec<_> = page.links.iter().filter(|(id, _, _)| *id == highlight.id).collect();
                        @if !links.is_empty() {
                            span.meta { "Evidence for "
                                @for (index, (_, id, title)) in links.iter().enumerate() {
                                    @if index > 0 { ", " }
                                    a href={ "/pain-points/" (id) } { (title) }
                                }
                            }
                        }
                        @let errors = page.problem.filter(|(id, _)| *id == highlight.id).map(|(_, errors)| errors);
                        form.inline.link-highlight method="post" action="/pain-points/highlights" {
                            (csrf_field(chrome.csrf))
                            input type="hidden" name="highlight" value=(highlight.id);
                            (picker(&Picker { kind: PickerKind::PainPoint, name: "pain_point", id: &format!("pain_point-{}", highlight.id), label: "Evidence for ", choices: pain_points, chosen: None, form: None, required: false }))
                            label for={ "new_pain_point-" (highlight.id) } { "or a new pain point " }
                            input id={ "new_pain_point-" (highlight.id) } type="text" name="new_pain_point" placeholder="title in the user's words";
                            button type="submit" { "Link" }
                            @if let Some(errors) = errors {
                                (field_error(errors, "pain_point"))
                            }
                        }
                    }
                }
            }
            form method="post" action={ "/interviews/" (interview.id) "/highlights" } {
                (csrf_field(chrome.csrf))
                label for="highlight" { "Highlight a passage (paste or select it in the notes)" }
                textarea #highlight name="quote" rows="2" {}
                button type="submit" { "Save highlight" }
            }
        },
    )
}

pub fn edit(chrome: &Chrome<'_>, id: i64, draft: &InterviewDraft, errors: &FieldErrors) -> Markup {
    layout(
        &format!("Edit interview with {}", draft.participant_name),
        chrome,
        html! {
            p.back { a href={ "/interviews/" (id) } { "← Interview" } }
            h1 { "Edit interview with " (draft.participant_name) }
            p.hint { "Highlights keep the text they quoted, even if the notes change." }
            section.narrow {
                (interview_form(chrome, &format!("/interviews/{id}/edit"), draft, errors, "Save changes"))
            }
        },
    )
}
