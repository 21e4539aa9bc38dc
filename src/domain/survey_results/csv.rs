//! The results as formula-safe CSV: a row for each question overall
//! (`all`), each shown team (`team:<slug>`), hidden teams together
//! (`team:others`, never named one by one) and each service-scoped question
//! (`service:<slug>`). A suppressed row has no count and no figures.

use super::{Figure, Figures, QuestionResult, SurveyResults};
use crate::domain::csv::SafeCsvWriter;

const HEADER: [&str; 9] = [
    "question_id",
    "kind",
    "prompt",
    "group",
    "n",
    "score",
    "ci_low",
    "ci_high",
    "suppressed",
];

fn number(value: Option<f64>) -> String {
    value.map(|value| format!("{value:.2}")).unwrap_or_default()
}

fn line(
    table: &mut SafeCsvWriter,
    question: &QuestionResult,
    group: &str,
    n: Option<u32>,
    figure: Option<&Figure>,
) {
    table.row([
        question.question_id.to_string(),
        question.kind.as_str().to_owned(),
        question.prompt.clone(),
        group.to_owned(),
        n.map(|n| n.to_string()).unwrap_or_default(),
        number(figure.map(|figure| figure.score)),
        number(figure.and_then(|figure| figure.ci_low)),
        number(figure.and_then(|figure| figure.ci_high)),
        n.is_none().to_string(),
    ]);
}

/// The CSV text of `results`.
pub fn results_csv(results: &SurveyResults) -> String {
    let mut table = SafeCsvWriter::with_header(HEADER);
    for question in &results.questions {
        match &question.figures {
            None => line(&mut table, question, "all", None, None),
            Some(Figures::Score(figures)) => {
                line(
                    &mut table,
                    question,
                    "all",
                    Some(figures.figure.n),
                    Some(&figures.figure),
                );
                for team in &figures.breakdowns.team {
                    line(
                        &mut table,
                        question,
                        &format!("team:{}", team.group),
                        Some(team.figure.n),
                        Some(&team.figure),
                    );
                }
                if figures.breakdowns.others_hidden {
                    line(&mut table, question, "team:others", None, None);
                }
            }
            Some(Figures::Choices { n, .. } | Figures::Texts { n, .. }) => {
                line(&mut table, question, "all", Some(*n), None);
            }
        }
        for service in results
            .breakdowns
            .service
            .iter()
            .filter(|row| row.question_id == question.question_id)
        {
            line(
                &mut table,
                question,
                &format!("service:{}", service.group),
                service.figure.map(|figure| figure.n),
                service.figure.as_ref(),
            );
        }
    }
    table.finish()
}
