//! Interview snapshot pages.

use maud::{Markup, html};

use super::{Chrome, csrf_field, layout, markdown};
use crate::db::interviews::Interview;

pub fn list(chrome: &Chrome<'_>, interviews: &[Interview], today: &str) -> Markup {
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
                    }
                }
            }
            section.narrow {
                h2 { "Record an interview snapshot" }
                form method="post" action="/interviews" {
                    (csrf_field(chrome.csrf))
                    label for="participant_name" { "Participant" }
                    input #participant_name type="text" name="participant_name" required;
                    label for="participant_team" { "Their team (slug)" }
                    input #participant_team type="text" name="participant_team" placeholder="payments";
                    label for="participant_role" { "Role" }
                    input #participant_role type="text" name="participant_role";
                    label for="held_on" { "Date" }
                    input #held_on type="date" name="held_on" value=(today) required;
                    label for="quote" { "Memorable quote" }
                    input #quote type="text" name="quote";
                    label for="notes" { "Notes (Markdown)" }
                    textarea #notes name="notes" rows="8" {}
                    label for="opportunities" { "Opportunities heard" }
                    textarea #opportunities name="opportunities" rows="3" {}
                    label for="insights" { "Insights" }
                    textarea #insights name="insights" rows="3" {}
                    label for="services" { "Services discussed (slugs, comma-separated)" }
                    input #services type="text" name="services" placeholder="ci-runner, k8s.prod";
                    button type="submit" { "Save" }
                }
            }
        },
    )
}

pub fn detail(chrome: &Chrome<'_>, interview: &Interview, pain_points: &[(i64, String)]) -> Markup {
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
            }
            @if !interview.quote.is_empty() { blockquote { "“" (interview.quote) "”" } }
            article.feedback-item { (markdown::render(&interview.notes)) }
            @if !interview.opportunities.is_empty() { h2 { "Opportunities" } div.body { (interview.opportunities) } }
            @if !interview.insights.is_empty() { h2 { "Insights" } div.body { (interview.insights) } }
            h2 { "Highlights" }
            ul {
                @for highlight in &interview.highlights {
                    li {
                        "“" (highlight.quote) "” "
                        @if !pain_points.is_empty() {
                            form.inline method="post" action="/pain-points/highlights" {
                                (csrf_field(chrome.csrf))
                                input type="hidden" name="highlight" value=(highlight.id);
                                label { " — evidence for "
                                    select name="pain_point" { @for (id, title) in pain_points { option value=(id) { (title) } } }
                                }
                                button type="submit" { "Link" }
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
