//! A survey's results as they are published: one typed [`SurveyResults`]
//! that the results page, the results API (as JSON) and the CSV export all
//! render, so they cannot disagree. [`build`] makes it from the published
//! answer counts, and asks [`crate::domain::disclosure`] about every cell.

mod comparison;
pub mod csv;
mod published;

pub use comparison::{ComparableQuestion, compare, matching_question};
pub use published::{
    Change, ChoiceCount, Figure, Figures, Mover, QuestionResult, ScoreFigures, ServiceBreakdown,
    ServiceRow, SurveyResults, TeamBreakdown, TeamFigure, WaveReference,
};

use super::disclosure::{comparable, publishable, team_rows, team_rows_published};
use super::stats::{self, Estimate};
use super::survey::{QuestionKind, score};

/// How many answers one team gave one value of a numeric question.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    /// The respondents' team, `None` when they have none.
    pub team: Option<String>,
    /// The value on the question's scale, `None` for "not applicable".
    pub value: Option<u8>,
    pub answers: u32,
}

/// Every answer value of the tallies, team left out.
pub fn values<'a>(tallies: impl IntoIterator<Item = &'a Tally>) -> Vec<Option<u8>> {
    tallies
        .into_iter()
        .flat_map(|tally| std::iter::repeat_n(tally.value, tally.answers as usize))
        .collect()
}

/// A question as results need it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultsQuestion {
    pub id: i64,
    pub kind: QuestionKind,
    pub prompt: String,
    pub service: Option<String>,
    pub choices: Vec<String>,
}

/// A survey as results need it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultsSurvey {
    pub id: i64,
    pub title: String,
    pub threshold: u32,
    /// Closed: no answer can arrive any more, so team rows may be shown.
    pub closed: bool,
    pub questions: Vec<ResultsQuestion>,
}

/// Published answers of one wave: per-value tallies of numeric questions,
/// choices picked and comments written (published ones only).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PublishedAnswers {
    pub tallies: Vec<(i64, Tally)>,
    /// Per question: the choices each answer picked.
    pub choices: Vec<(i64, Vec<Vec<String>>)>,
    /// Per question: the comments written.
    pub texts: Vec<(i64, Vec<String>)>,
}

impl PublishedAnswers {
    fn tallies_of(&self, question: i64) -> impl Iterator<Item = &Tally> {
        self.tallies
            .iter()
            .filter(move |(id, _)| *id == question)
            .map(|(_, tally)| tally)
    }
}

/// Published response counts of a survey.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PublishedCounts {
    pub invited: u32,
    /// Responses through personal links: the response rate's numerator.
    pub invited_answered: u32,
    /// Every response, open-link and imported ones included.
    pub responses: u32,
    /// Responses that answered every question.
    pub complete: u32,
}

/// Everything results are made from.
pub struct ResultsInput<'a> {
    pub survey: &'a ResultsSurvey,
    pub counts: PublishedCounts,
    pub answers: &'a PublishedAnswers,
    /// The previous wave, to compare with.
    pub previous: Option<(&'a ResultsSurvey, &'a PublishedAnswers)>,
}

/// The published results of a survey: every figure the disclosure rules
/// allow, and nothing else.
pub fn build(input: &ResultsInput<'_>) -> SurveyResults {
    let survey = input.survey;
    let previous_questions: Vec<ComparableQuestion> = input
        .previous
        .map(|(previous, _)| comparable_questions(previous))
        .unwrap_or_default();
    let mut results = SurveyResults {
        survey_id: survey.id,
        title: survey.title.clone(),
        threshold: survey.threshold,
        closed: survey.closed,
        invited: input.counts.invited,
        responses: input.counts.responses,
        invited_responses: input.counts.invited_answered,
        response_rate: stats::response_rate(input.counts.invited_answered, input.counts.invited),
        completion_rate: (input.counts.responses > 0)
            .then(|| f64::from(input.counts.complete) / f64::from(input.counts.responses) * 100.0),
        previous_wave: input.previous.map(|(previous, _)| WaveReference {
            survey_id: previous.id,
            title: previous.title.clone(),
        }),
        movers: Vec::new(),
        breakdowns: ServiceBreakdown {
            service: Vec::new(),
        },
        questions: Vec::new(),
    };
    for question in &survey.questions {
        let figures = match question.kind.scale() {
            Some(scale) => {
                let figures = score_figures(input, question, scale, &previous_questions);
                if let Some(service) = &question.service {
                    results.breakdowns.service.push(ServiceRow {
                        question_id: question.id,
                        kind: question.kind,
                        group: service.clone(),
                        suppressed: figures.is_none(),
                        figure: figures.as_ref().map(|figures| figures.figure),
                        previous: figures
                            .as_ref()
                            .and_then(|figures| figures.previous.clone()),
                    });
                }
                if let Some(change) = figures
                    .as_ref()
                    .and_then(|figures| figures.previous.as_ref())
                    .filter(|change| change.significant)
                {
                    results.movers.push(Mover {
                        question_id: question.id,
                        kind: question.kind,
                        service: question.service.clone(),
                        delta: change.delta,
                        p_value: change.p_value,
                    });
                }
                figures.map(Figures::Score)
            }
            None if question.kind == QuestionKind::Text => {
                let mut texts = answers_of(&input.answers.texts, question.id);
                publishable(texts.len() as u32, survey.threshold).then(|| {
                    texts.sort();
                    Figures::Texts {
                        n: texts.len() as u32,
                        answers: texts,
                    }
                })
            }
            None => {
                let picked = answers_of(&input.answers.choices, question.id);
                publishable(picked.len() as u32, survey.threshold).then(|| Figures::Choices {
                    n: picked.len() as u32,
                    choices: question
                        .choices
                        .iter()
                        .map(|choice| ChoiceCount {
                            choice: choice.clone(),
                            count: picked
                                .iter()
                                .filter(|picked| picked.contains(choice))
                                .count() as u32,
                        })
                        .collect(),
                })
            }
        };
        results.questions.push(QuestionResult {
            question_id: question.id,
            kind: question.kind,
            prompt: question.prompt.clone(),
            service: question.service.clone(),
            suppressed: figures.is_none(),
            figures,
        });
    }
    results
}

fn answers_of<T: Clone>(answers: &[(i64, Vec<T>)], question: i64) -> Vec<T> {
    answers
        .iter()
        .find(|(id, _)| *id == question)
        .map(|(_, answers)| answers.clone())
        .unwrap_or_default()
}

fn comparable_questions(survey: &ResultsSurvey) -> Vec<ComparableQuestion> {
    survey
        .questions
        .iter()
        .filter(|question| question.kind.scale().is_some())
        .map(|question| ComparableQuestion {
            id: question.id,
            kind: question.kind,
            service: question.service.clone(),
            prompt: question.prompt.clone(),
        })
        .collect()
}

/// How many answered each point of the scale, lowest first (NPS from 0).
fn spread(values: &[Option<u8>], lowest: u8, highest: u8) -> Vec<u32> {
    let mut counts = vec![0_u32; usize::from(highest.saturating_sub(lowest)) + 1];
    for value in values.iter().flatten() {
        if let Some(count) = value
            .checked_sub(lowest)
            .and_then(|index| counts.get_mut(usize::from(index)))
        {
            *count = count.saturating_add(1);
        }
    }
    counts
}

/// A numeric question's figures, or `None` when it is hidden.
fn score_figures(
    input: &ResultsInput<'_>,
    question: &ResultsQuestion,
    (lowest, highest): (u8, u8),
    previous_questions: &[ComparableQuestion],
) -> Option<ScoreFigures> {
    let k = input.survey.threshold;
    let all = values(input.answers.tallies_of(question.id));
    let overall = score(question.kind, &all).filter(|estimate| publishable(estimate.n, k))?;
    let mut teams: Vec<(String, Vec<Option<u8>>)> = Vec::new();
    for tally in input.answers.tallies_of(question.id) {
        let Some(team) = &tally.team else { continue };
        let answers = std::iter::repeat_n(tally.value, tally.answers as usize);
        match teams.iter_mut().find(|(name, _)| name == team) {
            Some((_, values)) => values.extend(answers),
            None => teams.push((team.clone(), answers.collect())),
        }
    }
    teams.sort_by(|a, b| a.0.cmp(&b.0));
    let estimates: Vec<Option<Estimate>> = teams
        .iter()
        .map(|(_, values)| score(question.kind, values))
        .collect();
    let real: Vec<u32> = estimates
        .iter()
        .map(|estimate| estimate.map_or(0, |estimate| estimate.n))
        .collect();
    let shown = team_rows(overall.n, &real, k);
    let published = team_rows_published(input.survey.closed);
    let team: Vec<TeamFigure> = teams
        .iter()
        .zip(&estimates)
        .zip(&shown)
        .filter(|_| published)
        .filter_map(|(((group, _), estimate), shown)| {
            let estimate = estimate.as_ref().filter(|_| *shown)?;
            Some(TeamFigure {
                group: group.clone(),
                figure: Figure::from(estimate),
            })
        })
        .collect();
    let shown_real: u32 = team.iter().map(|row| row.figure.n).sum();
    let previous = input.previous.and_then(|(survey, answers)| {
        let this = ComparableQuestion {
            id: question.id,
            kind: question.kind,
            service: question.service.clone(),
            prompt: question.prompt.clone(),
        };
        let earlier = matching_question(&this, previous_questions)?;
        let before = values(answers.tallies_of(earlier.id));
        let before_estimate = score(question.kind, &before)?;
        if !comparable(before_estimate.n, survey.threshold, overall.n, k) {
            return None;
        }
        let change = compare(question.kind, &before, &all)?;
        Some(Change {
            survey_id: survey.id,
            question_id: earlier.id,
            score: before_estimate.score,
            delta: change.delta,
            z: change.z,
            p_value: change.p_value,
            significant: change.significant,
        })
    });
    Some(ScoreFigures {
        figure: Figure::from(&overall),
        not_applicable: all.iter().filter(|value| value.is_none()).count() as u32,
        distribution: Some(spread(&all, lowest, highest)),
        previous,
        breakdowns: TeamBreakdown {
            team,
            others_hidden: published && shown_real < overall.n,
            after_close: !published,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(team: Option<&str>, value: Option<u8>, answers: u32) -> (i64, Tally) {
        (
            1,
            Tally {
                team: team.map(str::to_owned),
                value,
                answers,
            },
        )
    }

    fn survey(closed: bool) -> ResultsSurvey {
        ResultsSurvey {
            id: 7,
            title: "Pulse".into(),
            threshold: 5,
            closed,
            questions: vec![
                ResultsQuestion {
                    id: 1,
                    kind: QuestionKind::Csat,
                    prompt: "CI?".into(),
                    service: Some("ci-runner".into()),
                    choices: Vec::new(),
                },
                ResultsQuestion {
                    id: 2,
                    kind: QuestionKind::Text,
                    prompt: "Else?".into(),
                    service: None,
                    choices: Vec::new(),
                },
            ],
        }
    }

    fn results(closed: bool, answers: &PublishedAnswers) -> SurveyResults {
        build(&ResultsInput {
            survey: &survey(closed),
            counts: PublishedCounts::default(),
            answers,
            previous: None,
        })
    }

    fn score(results: &SurveyResults) -> &ScoreFigures {
        match &results.questions[0].figures {
            Some(Figures::Score(figures)) => figures,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn team_rows_wait_for_the_close_and_hidden_teams_go_unnamed() {
        let answers = PublishedAnswers {
            tallies: vec![
                tally(Some("payments"), Some(5), 6),
                tally(Some("search"), Some(2), 7),
                tally(Some("mobile"), Some(4), 2),
                tally(Some("mobile"), None, 3),
            ],
            ..PublishedAnswers::default()
        };
        let open = results(false, &answers);
        assert!(score(&open).breakdowns.after_close && score(&open).breakdowns.team.is_empty());
        let closed = results(true, &answers);
        let rows: Vec<&str> = score(&closed)
            .breakdowns
            .team
            .iter()
            .map(|row| row.group.as_str())
            .collect();
        assert_eq!(rows, ["search"], "mobile (2 real) and payments to cover it");
        assert!(score(&closed).breakdowns.others_hidden);
        assert_eq!(score(&closed).figure.n, 15);
        assert_eq!(score(&closed).not_applicable, 3);
    }

    #[test]
    fn a_question_under_k_shows_nothing_and_comments_come_in_alphabetical_order() {
        let answers = PublishedAnswers {
            tallies: vec![tally(Some("payments"), Some(5), 4), tally(None, None, 9)],
            texts: vec![(2, ["b", "c", "a", "e", "d"].map(str::to_owned).to_vec())],
            ..PublishedAnswers::default()
        };
        let results = results(true, &answers);
        assert!(results.questions[0].suppressed && results.questions[0].figures.is_none());
        let service = &results.breakdowns.service[0];
        assert!(service.suppressed && service.figure.is_none() && service.previous.is_none());
        assert_eq!(
            results.questions[1].figures,
            Some(Figures::Texts {
                n: 5,
                answers: ["a", "b", "c", "d", "e"].map(str::to_owned).to_vec()
            })
        );
    }
}
