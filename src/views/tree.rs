//! The opportunity solution tree: outcomes, the pain points under them (and
//! under each other), the roadmap items that answer them, and the
//! assumption tests under those. Branches fold with `<details>`, no script.

use maud::{Markup, html};

use super::{Chrome, csrf_field, error_summary, field_error, layout};
use crate::domain::FieldErrors;
use crate::domain::outcome::{TreePainPoint, TreeRows};

/// A pain point, then what is under it in a branch that folds. The links
/// sit outside the fold's `<summary>`, which must hold no link of its own.
fn pain_point_branch(rows: &TreeRows, node: &TreePainPoint, depth: usize) -> Markup {
    html! {
        p.node {
            "Pain point " a href={ "/pain-points/" (node.id) } { (node.title) } " "
            span.badge { (node.status.replace("wont_", "won't ").replace('_', " ")) }
        }
        details.branch open {
            summary { "Under “" (node.title) "”" }
            ul.tree {
                // Placement refuses cycles; the depth limit is a second guard.
                @if depth < 8 {
                    @for child in rows.pain_points.iter().filter(|child| child.parent == Some(node.id)) {
                        li { (pain_point_branch(rows, child, depth + 1)) }
                    }
                }
                @for item in rows.solutions.iter().filter(|item| item.pain_point == node.id) {
                    li {
                        p.node {
                            "Solution " a href={ "/roadmap/" (item.id) } { (item.title) } " "
                            span.badge { (item.status.replace('_', " ")) }
                        }
                        @let tests: Vec<_> = rows.tests.iter().filter(|test| test.roadmap_item_id == item.id).collect();
                        @if !tests.is_empty() {
                            details.branch open {
                                summary { "Tests of “" (item.title) "”" }
                                ul.tree {
                                    @for test in tests {
                                        li { "Test: " (test.assumption) " " span.badge { (test.status) }
                                            @if !test.result.is_empty() { " — " (test.result) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The "add an outcome" form as typed.
#[derive(Debug, Clone, Default)]
pub struct OutcomeDraft {
    pub title: String,
    pub metric: String,
    pub target: String,
}

pub fn tree(
    chrome: &Chrome<'_>,
    rows: &TreeRows,
    draft: &OutcomeDraft,
    errors: &FieldErrors,
) -> Markup {
    let roots = |outcome: Option<i64>| {
        rows.pain_points
            .iter()
            .filter(move |node| node.outcome == outcome && node.parent.is_none())
    };
    layout(
        "Opportunity solution tree",
        chrome,
        html! {
            h1 { "Opportunity solution tree" }
            p.lede { "Outcomes, the pain points that stand in their way, the solutions that answer them, and the tests of those solutions. Click a branch to fold it." }
            @for outcome in &rows.outcomes {
                details.outcome open {
                    summary { strong { "Outcome: " (outcome.title) } @if !outcome.target.is_empty() { " (" (outcome.metric) " " (outcome.target) ")" } }
                    ul.tree { @for node in roots(Some(outcome.id)) { li { (pain_point_branch(rows, node, 0)) } } }
                }
            }
            details.outcome open {
                summary { strong { "Not under an outcome yet" } }
                ul.tree { @for node in roots(None) { li { (pain_point_branch(rows, node, 0)) } } }
            }
            section.narrow #add-outcome {
                h2 { "Add an outcome" }
                (error_summary(errors))
                form method="post" action="/outcomes" {
                    (csrf_field(chrome.csrf))
                    label for="title" { "Outcome" }
                    input #title type="text" name="title" value=(draft.title) placeholder="Time to first deploy under 1 day" required
                        aria-invalid=[errors.get("title").map(|_| "true")];
                    (field_error(errors, "title"))
                    label for="metric" { "Metric" }
                    input #metric type="text" name="metric" value=(draft.metric) placeholder="median hours from repo to first deploy";
                    (field_error(errors, "metric"))
                    label for="target" { "Target" }
                    input #target type="text" name="target" value=(draft.target) placeholder="< 24";
                    (field_error(errors, "target"))
                    button type="submit" { "Add" }
                }
            }
        },
    )
}
