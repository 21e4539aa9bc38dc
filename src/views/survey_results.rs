//! A survey's results page: the same [`SurveyResults`] as the API and the
//! CSV, as tables.

use maud::{Markup, html};

use super::{Chrome, count_of, layout};
use crate::domain::survey::{QuestionKind, Survey};
use crate::domain::survey_results::{
    Change, Figure, Figures, QuestionResult, ScoreFigures, SurveyResults,
};

fn decimal(value: Option<f64>) -> String {
    value
        .map(|value| format!("{value:.1}"))
        .unwrap_or_else(|| "–".to_owned())
}

fn figure_cells(figure: &Figure) -> Markup {
    html! {
        td { (figure.n) }
        td { (decimal(Some(figure.score))) }
        td.nowrap { (decimal(figure.ci_low)) " – " (decimal(figure.ci_high)) }
    }
}

fn change(change: &Change) -> Markup {
    html! {
        (format!("{:+.1}", change.delta))
        @if change.significant { " " strong { "significant" } } @else { " " span.hint { "not significant" } }
    }
}

const HIDDEN: &str = "hidden: fewer than k real answers, or recoverable from the figures shown";

fn score_results(question: &QuestionResult, figures: &ScoreFigures) -> Markup {
    let breakdown = &figures.breakdowns;
    html! {
        table {
            thead { tr { th { "Group" } th { "n" } th { "Score" } th { "95% interval" } } }
            tbody {
                tr { td { strong { "Everyone" } } (figure_cells(&figures.figure)) }
                @for team in &breakdown.team {
                    tr { td { (team.group) } (figure_cells(&team.figure)) }
                }
                @if breakdown.others_hidden {
                    tr { td { "Other teams and people without a team" } td colspan="3" { span.hint { (HIDDEN) } } }
                }
            }
        }
        p.hint {
            (figures.not_applicable) " answered “not applicable”."
            @if breakdown.after_close { " Team rows are shown once the survey is closed: while answers arrive, one answer could move a team's figure." }
        }
        @if let Some(distribution) = &figures.distribution {
            p { "Answers from 1 to " (distribution.len()) ": " (distribution.iter().map(u32::to_string).collect::<Vec<_>>().join(" · ")) }
        }
        @if let Some(previous) = &figures.previous {
            p { "Since the previous wave (" (decimal(Some(previous.score))) "): " (change(previous)) " (p = " (format!("{:.3}", previous.p_value)) ")" }
        }
        @if question.kind == QuestionKind::Nps { p.hint { "NPS in points from −100 to 100." } }
    }
}

/// The results page: the same [`SurveyResults`] as the API and the CSV.
pub fn results(chrome: &Chrome<'_>, survey: &Survey, results: &SurveyResults) -> Markup {
    layout(
        &format!("Results: {}", survey.title),
        chrome,
        html! {
            p.back { a href={ "/surveys/" (survey.id) } { "← " (survey.title) } }
            h1 { "Results: " (survey.title) }
            p.meta {
                (count_of(u64::from(results.responses), "response", "responses")) " · " (results.invited_responses) " of " (results.invited) " invited answered"
                @if let Some(rate) = results.response_rate { " (" (format!("{rate:.0}")) "%)" }
                @if let Some(rate) = results.completion_rate { " · " (format!("{rate:.0}")) "% complete" }
                " · NPS in points, CSAT in percent, CES and Likert as means; 95% intervals"
            }
            @if !results.closed {
                p.hint { "The survey is open: figures are refreshed each time at least " (results.threshold) " more people have answered, so that no one's answers can be told apart by reading before and after." }
            }
            @if let Some(previous) = &results.previous_wave {
                p { "Compared with " (previous.title) ". "
                    @if results.movers.is_empty() { "No significant movers (p < 0.05)." } @else { (results.movers.len()) " significant movers (p < 0.05)." }
                }
            }
            @if !results.breakdowns.service.is_empty() {
                h2 { "By service" }
                table {
                    thead { tr { th { "Service" } th { "Kind" } th { "n" } th { "Score" } th { "95% interval" } th { "Change" } } }
                    tbody {
                        @for row in &results.breakdowns.service {
                            tr {
                                td { (row.group) }
                                td { (row.kind.as_str()) }
                                @match &row.figure {
                                    Some(figure) => { (figure_cells(figure)) }
                                    None => { td colspan="3" { span.hint { (HIDDEN) } } }
                                }
                                td { @if let Some(previous) = &row.previous { (change(previous)) } }
                            }
                        }
                    }
                }
            }
            @for question in &results.questions {
                section.question-results {
                    h2 { (question.prompt) " " span.hint { "(" (question.kind.as_str()) ")" } }
                    @match &question.figures {
                        None => { p.hint { "Hidden until at least " (results.threshold) " people have answered this question, so that no one's answers can be told apart." } }
                        Some(Figures::Score(figures)) => { (score_results(question, figures)) }
                        Some(Figures::Choices { n, choices }) => {
                            p { (count_of(u64::from(*n), "answer", "answers")) }
                            table { tbody { @for count in choices { tr { td { (count.choice) } td { (count.count) } } } } }
                        }
                        Some(Figures::Texts { n, answers }) => {
                            p { (count_of(u64::from(*n), "answer", "answers")) ", in alphabetical order" }
                            ul { @for answer in answers.iter().take(200) { li.body { (answer) } } }
                        }
                    }
                }
            }
        },
    )
}
