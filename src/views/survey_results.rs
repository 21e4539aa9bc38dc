//! A survey's results page: the same [`SurveyResults`] as the API and the
//! CSV, as tables.

use maud::{Markup, html};

use super::{Chrome, count_of, figures, layout};
use crate::domain::survey::{QuestionKind, Survey};
use crate::domain::survey_results::{
    Change, Figure, Figures, QuestionResult, ScoreFigures, SurveyResults,
};

fn figure_cells(kind: QuestionKind, figure: &Figure) -> Markup {
    html! {
        td { (figure.n) }
        td.nowrap { (figures::score(kind, figure.score)) }
        td.nowrap { (figures::interval(kind, figure.ci_low, figure.ci_high)) }
    }
}

/// A change in the unit of its score: points for NPS and CSAT.
fn change(kind: QuestionKind, change: &Change) -> Markup {
    let unit = match kind {
        QuestionKind::Nps | QuestionKind::Csat => " pts",
        _ => "",
    };
    html! {
        (format!("{:+.1}{unit}", change.delta))
        @if change.significant { " " strong { "significant" } } @else { " " span.hint { "not significant" } }
    }
}

/// What the response and completion rates mean, in a sentence.
fn rates(results: &SurveyResults) -> Markup {
    html! {
        p.rates {
            (count_of(u64::from(results.responses), "response", "responses"))
            @if results.invited > 0 {
                ": " (results.invited_responses) " of the " (results.invited) " invited answered"
                @if let Some(rate) = results.response_rate { " (a response rate of " (format!("{rate:.0}")) "%)" }
                @if results.responses > results.invited_responses { ", the others came through an open link or an import" }
            }
            "."
            @if let Some(rate) = results.completion_rate {
                " " (format!("{rate:.0}")) "% of them are complete: they answered every question; the rest skipped optional ones, so a question's n can be smaller."
            }
        }
    }
}

const HIDDEN: &str = "hidden: fewer than k real answers, or recoverable from the figures shown";

fn score_results(question: &QuestionResult, figures: &ScoreFigures) -> Markup {
    let breakdown = &figures.breakdowns;
    html! {
        table {
            thead { tr { th { "Group" } th { "n" } th { "Score" } th { "95% interval" } } }
            tbody {
                tr { td { strong { "Everyone" } } (figure_cells(question.kind, &figures.figure)) }
                @for team in &breakdown.team {
                    tr { td { (team.group) } (figure_cells(question.kind, &team.figure)) }
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
            (figures::distribution(question.kind, distribution))
        }
        @if let Some(previous) = &figures.previous {
            p { "Since the previous wave (" (figures::score(question.kind, previous.score)) "): " (change(question.kind, previous)) " (p = " (format!("{:.3}", previous.p_value)) ")" }
        }
        @if question.kind == QuestionKind::Nps { p.hint { "NPS in points from −100 to 100: promoters' share minus detractors'." } }
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
            (rates(results))
            p.meta { "NPS in points, CSAT in percent satisfied (4 or 5 of 5), CES and Likert as means of their scale; 95% intervals" }
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
                                    Some(figure) => { (figure_cells(row.kind, figure)) }
                                    None => { td colspan="3" { span.hint { (HIDDEN) } } }
                                }
                                td { @if let Some(previous) = &row.previous { (change(row.kind, previous)) } }
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
