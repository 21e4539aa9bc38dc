//! Generated surveys for the auditor: teams of sizes around k, "not
//! applicable", skipped optional questions, respondents without a team,
//! service questions and previous waves, from a seed.

use earshot::domain::survey::QuestionKind;
use earshot::domain::survey_results::{
    PublishedAnswers, PublishedCounts, ResultsQuestion, ResultsSurvey, Tally,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::audit::{TruthQuestion, TruthWave};

/// The organisation's teams: names no other text on a page contains.
pub const TEAMS: [&str; 5] = ["team-xqa", "team-xqb", "team-xqc", "team-xqd", "team-xqe"];

const KINDS: [QuestionKind; 4] = [
    QuestionKind::Nps,
    QuestionKind::Csat,
    QuestionKind::Ces,
    QuestionKind::Likert,
];

/// One generated wave: the survey, its published answers and counts, the
/// truth the auditor judges against, and who answered what.
pub struct Generated {
    pub survey: ResultsSurvey,
    pub answers: PublishedAnswers,
    pub counts: PublishedCounts,
    pub truth: TruthWave,
    /// Each respondent's team and answers, by question: `None` skipped,
    /// `Some(None)` not applicable.
    pub respondents: Vec<Respondent>,
    /// The organisation's teams and their sizes.
    pub teams: Vec<(String, u32)>,
}

/// One generated respondent.
#[derive(Clone)]
pub struct Respondent {
    pub team: Option<String>,
    pub answers: Vec<Option<Answer>>,
}

/// One generated answer.
#[derive(Clone)]
pub enum Answer {
    Value(u8),
    NotApplicable,
    Text(String),
}

/// A question's shape, shared by a wave and its previous one.
#[derive(Clone)]
pub struct Shape {
    pub kind: QuestionKind,
    pub service: Option<String>,
    pub required: bool,
    pub allows_na: bool,
}

pub fn shapes(rng: &mut StdRng) -> Vec<Shape> {
    let mut shapes: Vec<Shape> = (0..rng.random_range(1..=3))
        .map(|_| {
            let kind = KINDS[rng.random_range(0..KINDS.len())];
            Shape {
                kind,
                service: match rng.random_range(0..3) {
                    0 => None,
                    1 => Some("svc-ci".to_owned()),
                    _ => Some("svc-k8s".to_owned()),
                },
                required: rng.random_bool(0.3),
                allows_na: kind != QuestionKind::Nps || rng.random_bool(0.3),
            }
        })
        .collect();
    if rng.random_bool(0.3) {
        shapes.push(Shape {
            kind: QuestionKind::Text,
            service: None,
            required: false,
            allows_na: false,
        });
    }
    shapes
}

/// People of `teams` (sizes around k) and some without a team answer
/// each question: a value, "not applicable", or nothing.
pub fn generate(rng: &mut StdRng, id: i64, shapes: &[Shape], k: u32, closed: bool) -> Generated {
    let teams: Vec<(String, u32)> = (0..rng.random_range(0..=5))
        .map(|index| (TEAMS[index].to_owned(), rng.random_range(0..=2 * k + 1)))
        .collect();
    let without_team = if rng.random_bool(0.5) {
        0
    } else {
        rng.random_range(1..=k + 1)
    };
    let questions: Vec<ResultsQuestion> = shapes
        .iter()
        .enumerate()
        .map(|(index, shape)| ResultsQuestion {
            id: id * 100 + index as i64,
            kind: shape.kind,
            prompt: format!("Question {index} about {:?}?", shape.kind),
            service: shape.service.clone(),
            choices: Vec::new(),
        })
        .collect();
    let mut answers = PublishedAnswers::default();
    let mut truth: Vec<TruthQuestion> = questions
        .iter()
        .map(|question| TruthQuestion {
            id: question.id,
            numeric: question.kind.scale().is_some(),
            kind: question.kind.as_str().to_owned(),
            service: question.service.clone(),
            by_team: Default::default(),
            without_team: 0,
        })
        .collect();
    let mut people: Vec<Option<&str>> = Vec::new();
    for (team, size) in &teams {
        people.extend(std::iter::repeat_n(Some(team.as_str()), *size as usize));
    }
    people.extend(std::iter::repeat_n(None, without_team as usize));
    let mut complete = 0;
    let mut respondents = Vec::new();
    for team in &people {
        let mut answered_all = true;
        let mut given = Vec::new();
        for ((question, shape), truth) in questions.iter().zip(shapes).zip(&mut truth) {
            let roll = rng.random_range(0..10);
            let skipped = !shape.required && roll == 0;
            let not_applicable = shape.allows_na && (1..=2).contains(&roll);
            if skipped {
                answered_all = false;
                given.push(None);
                continue;
            }
            if question.kind == QuestionKind::Text {
                let text = format!("comment {}", rng.random_range(0..1000));
                push_text(&mut answers, question.id, text.clone());
                given.push(Some(Answer::Text(text)));
            } else {
                let value = if not_applicable {
                    None
                } else {
                    let (low, high) = question.kind.scale().expect("numeric");
                    Some(rng.random_range(low..=high))
                };
                push_tally(&mut answers, question.id, team.map(str::to_owned), value);
                given.push(Some(value.map_or(Answer::NotApplicable, Answer::Value)));
                if value.is_none() {
                    continue;
                }
            }
            match team {
                Some(team) => *truth.by_team.entry((*team).to_owned()).or_default() += 1,
                None => truth.without_team += 1,
            }
        }
        complete += u32::from(answered_all);
        respondents.push(Respondent {
            team: team.map(str::to_owned),
            answers: given,
        });
    }
    let invited: u32 = teams.iter().map(|(_, size)| size).sum();
    Generated {
        survey: ResultsSurvey {
            id,
            title: format!("Wave {id}"),
            threshold: k,
            closed,
            questions,
        },
        answers,
        counts: PublishedCounts {
            invited,
            invited_answered: invited,
            responses: people.len() as u32,
            complete,
        },
        truth: TruthWave {
            k,
            closed,
            questions: truth,
            teams: teams.iter().map(|(team, _)| team.clone()).collect(),
        },
        respondents,
        teams,
    }
}

fn push_tally(
    answers: &mut PublishedAnswers,
    question: i64,
    team: Option<String>,
    value: Option<u8>,
) {
    match answers
        .tallies
        .iter_mut()
        .find(|(id, tally)| *id == question && tally.team == team && tally.value == value)
    {
        Some((_, tally)) => tally.answers += 1,
        None => answers.tallies.push((
            question,
            Tally {
                team,
                value,
                answers: 1,
            },
        )),
    }
}

fn push_text(answers: &mut PublishedAnswers, question: i64, text: String) {
    match answers.texts.iter_mut().find(|(id, _)| *id == question) {
        Some((_, texts)) => texts.push(text),
        None => answers.texts.push((question, vec![text])),
    }
}

/// A wave with a previous one (sometimes), as generated for one case.
pub struct Case {
    pub current: Generated,
    pub previous: Option<Generated>,
}

pub fn case(seed: u64) -> Case {
    let mut rng = StdRng::seed_from_u64(seed);
    let shapes = shapes(&mut rng);
    let k = rng.random_range(3..=6);
    let previous = if rng.random_bool(0.5) {
        let previous_k = rng.random_range(3..=6);
        Some(generate(
            &mut rng,
            2 * seed as i64 + 1,
            &shapes,
            previous_k,
            true,
        ))
    } else {
        None
    };
    let closed = rng.random_bool(0.8);
    Case {
        current: generate(&mut rng, 2 * seed as i64 + 2, &shapes, k, closed),
        previous,
    }
}

/// A copy of `case` without the published tallies `drop` picks.
pub fn case_without(case: &Case, drop: impl Fn(&Tally) -> bool) -> Case {
    let copy = |generated: &Generated| Generated {
        survey: generated.survey.clone(),
        answers: PublishedAnswers {
            tallies: generated
                .answers
                .tallies
                .iter()
                .filter(|(_, tally)| !drop(tally))
                .cloned()
                .collect(),
            ..generated.answers.clone()
        },
        counts: generated.counts,
        truth: generated.truth.clone(),
        respondents: generated.respondents.clone(),
        teams: generated.teams.clone(),
    };
    Case {
        current: copy(&case.current),
        previous: case.previous.as_ref().map(copy),
    }
}
