//! A survey's results as they are published: one typed [`SurveyResults`]
//! that the results page, the results API (as JSON) and the CSV export all
//! render, so they cannot disagree. [`build`] makes it from the published
//! answer counts, and asks [`crate::domain::disclosure`] about every cell.

mod comparison;
pub mod csv;

use serde::Serialize;

pub use comparison::{ComparableQuestion, compare, matching_question};

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

/// A score with its interval, from one estimate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Figure {
    /// Real answers (not applicable and skipped are not counted).
    pub n: u32,
    pub score: f64,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

impl From<&Estimate> for Figure {
    fn from(estimate: &Estimate) -> Figure {
        Figure {
            n: estimate.n,
            score: estimate.score,
            ci_low: estimate.interval.map(|interval| interval.low),
            ci_high: estimate.interval.map(|interval| interval.high),
        }
    }
}

/// The change since the previous wave; only between two shown figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub survey_id: i64,
    pub question_id: i64,
    /// The previous wave's score.
    pub score: f64,
    pub delta: f64,
    pub z: f64,
    pub p_value: f64,
    pub significant: bool,
}

/// One shown team.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamFigure {
    pub group: String,
    #[serde(flatten)]
    pub figure: Figure,
}

/// A question's team rows: the shown teams, and whether anything else is
/// hidden (never which teams).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamBreakdown {
    pub team: Vec<TeamFigure>,
    /// Teams or respondents without a team are hidden.
    pub others_hidden: bool,
    /// The survey is still open: team rows are shown once it is closed.
    pub after_close: bool,
}

/// A numeric question's published figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreFigures {
    #[serde(flatten)]
    pub figure: Figure,
    pub not_applicable: u32,
    /// Likert: how many answered each point of the scale.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distribution: Option<Vec<u32>>,
    pub previous: Option<Change>,
    pub breakdowns: TeamBreakdown,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChoiceCount {
    pub choice: String,
    pub count: u32,
}

/// What a question shows, by kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Figures {
    Score(ScoreFigures),
    Choices {
        n: u32,
        choices: Vec<ChoiceCount>,
    },
    /// Comments, in alphabetical order (so the order says nothing about
    /// who answered when).
    Texts {
        n: u32,
        answers: Vec<String>,
    },
}

/// One question's results; a suppressed question shows nothing but itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionResult {
    pub question_id: i64,
    pub kind: QuestionKind,
    pub prompt: String,
    pub service: Option<String>,
    pub suppressed: bool,
    #[serde(flatten)]
    pub figures: Option<Figures>,
}

/// A service-scoped question's row in the service breakdown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceRow {
    pub question_id: i64,
    pub kind: QuestionKind,
    /// The service's slug.
    pub group: String,
    pub suppressed: bool,
    #[serde(flatten)]
    pub figure: Option<Figure>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<Change>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceBreakdown {
    pub service: Vec<ServiceRow>,
}

/// A significant change since the previous wave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mover {
    pub question_id: i64,
    pub kind: QuestionKind,
    pub service: Option<String>,
    pub delta: f64,
    pub p_value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaveReference {
    pub survey_id: i64,
    pub title: String,
}

/// A survey's published results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyResults {
    pub survey_id: i64,
    pub title: String,
    pub threshold: u32,
    pub closed: bool,
    pub invited: u32,
    pub responses: u32,
    pub invited_responses: u32,
    /// Of those invited, how many answered, in percent: open-link and
    /// imported responses count in the results but not here.
    pub response_rate: Option<f64>,
    pub completion_rate: Option<f64>,
    pub previous_wave: Option<WaveReference>,
    pub movers: Vec<Mover>,
    pub breakdowns: ServiceBreakdown,
    pub questions: Vec<QuestionResult>,
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
            Some((_, points)) => {
                let figures = score_figures(input, question, points, &previous_questions);
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

/// A numeric question's figures, or `None` when it is hidden.
fn score_figures(
    input: &ResultsInput<'_>,
    question: &ResultsQuestion,
    points: u8,
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
        distribution: (question.kind == QuestionKind::Likert)
            .then(|| stats::distribution(&all, points)),
        previous,
        breakdowns: TeamBreakdown {
            team,
            others_hidden: published && shown_real < overall.n,
            after_close: !published,
        },
    })
}
