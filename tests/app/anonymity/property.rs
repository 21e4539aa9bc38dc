//! The adversarial property test: generated surveys (teams of sizes around
//! k, "not applicable", skipped optional questions, respondents without a
//! team, service questions, previous waves, open and closed) rendered
//! through every surface, then audited. With the disclosure rules the
//! auditor finds nothing; with each rule weakened it finds leaks. The
//! surfaces render from the same functions the handlers call; a smaller
//! run goes through a real server end to end.

use earshot::domain::satisfaction::{Wave as SatisfactionWave, WaveQuestion, held_back, summarise};
use earshot::domain::survey::{QuestionRecord, Survey};
use earshot::domain::survey_results::csv::results_csv;
use earshot::domain::survey_results::{Figures, ResultsInput, ResultsSurvey, SurveyResults, build};
use earshot::views::Chrome;

use super::audit::{Published, TruthWave, audit};
use super::generate::{Case, Generated, case, case_without};

/// Surveys generated (about 5 s of one core; CI runs the suite at four
/// instants, so it runs no more).
const CASES: u64 = 10_000;

/// The results as every results surface publishes them.
pub fn results(case: &Case, k: u32) -> SurveyResults {
    let survey = ResultsSurvey {
        threshold: k,
        ..case.current.survey.clone()
    };
    build(&ResultsInput {
        survey: &survey,
        counts: case.current.counts,
        answers: &case.current.answers,
        previous: case
            .previous
            .as_ref()
            .map(|previous| (&previous.survey, &previous.answers)),
    })
}

fn satisfaction_wave(generated: &Generated) -> SatisfactionWave {
    let tallies = |question: i64| {
        generated
            .answers
            .tallies
            .iter()
            .filter(move |(id, _)| *id == question)
            .map(|(_, tally)| tally)
    };
    // Each team's answers, as `db::series::waves` reads them.
    let teams = |question: i64| {
        let mut teams: std::collections::BTreeMap<&str, Vec<Option<u8>>> = Default::default();
        for tally in tallies(question) {
            if let Some(team) = &tally.team {
                teams
                    .entry(team.as_str())
                    .or_default()
                    .extend(std::iter::repeat_n(tally.value, tally.answers as usize));
            }
        }
        teams.into_values().collect()
    };
    SatisfactionWave {
        closed: generated.survey.closed,
        survey_id: generated.survey.id,
        title: generated.survey.title.clone(),
        label: generated.survey.title.clone(),
        opened: chrono::DateTime::UNIX_EPOCH,
        threshold: generated.survey.threshold,
        questions: generated
            .survey
            .questions
            .iter()
            .filter(|question| question.kind.scale().is_some())
            .map(|question| WaveQuestion {
                kind: question.kind,
                service: question.service.clone(),
                values: earshot::domain::survey_results::values(tallies(question.id)),
                teams: teams(question.id),
            })
            .collect(),
    }
}

fn page(survey: &ResultsSurvey, results: &SurveyResults) -> String {
    let record = Survey {
        id: survey.id,
        title: survey.title.clone(),
        introduction: String::new(),
        status: if survey.closed { "closed" } else { "open" }.to_owned(),
        anonymous: true,
        threshold: survey.threshold,
        previous_wave_id: None,
        opens_at: None,
        closes_at: None,
        open_link: false,
        created_at: chrono::DateTime::UNIX_EPOCH,
        questions: survey
            .questions
            .iter()
            .map(|question| QuestionRecord {
                id: question.id,
                kind: question.kind,
                prompt: question.prompt.clone(),
                service: question.service.clone(),
                required: false,
                allow_na: true,
                choices: Vec::new(),
            })
            .collect(),
    };
    let chrome = Chrome {
        viewer: None,
        csrf: "",
    };
    earshot::views::survey_results::results(&chrome, &record, results).into_string()
}

/// Renders `results` of `case` through every surface and audits them.
pub fn audit_case(case: &Case, results: &SurveyResults) -> Vec<String> {
    let json = serde_json::to_value(results).unwrap();
    let csv = results_csv(results);
    let html = page(&case.current.survey, results);
    let mut waves: Vec<SatisfactionWave> = case.previous.iter().map(satisfaction_wave).collect();
    waves.push(satisfaction_wave(&case.current));
    audit_surfaces(
        &case.current.truth,
        case.previous.as_ref().map(|previous| &previous.truth),
        &json,
        &csv,
        &html,
        &waves,
    )
}

/// Audits what the surfaces published (the results JSON, CSV and page)
/// and the waves the dashboard, service pages and summaries read (the
/// previous wave, if any, then this one).
pub fn audit_surfaces(
    current: &TruthWave,
    previous: Option<&TruthWave>,
    json: &serde_json::Value,
    csv: &str,
    html: &str,
    waves: &[SatisfactionWave],
) -> Vec<String> {
    let satisfaction = summarise(waves);
    let held: Vec<String> = held_back(waves.last().unwrap())
        .into_iter()
        .map(|(_, line)| line)
        .collect();
    audit(
        current,
        previous,
        &Published {
            json,
            csv,
            html,
            satisfaction: &satisfaction,
            held_back: &held,
        },
    )
}

/// Keeps which rows and questions `decided` shows, with the figures of
/// `truth`: a rule weakened in what it decides, as the findings were.
fn splice(decided: &SurveyResults, truth: &SurveyResults) -> SurveyResults {
    let mut spliced = decided.clone();
    for (question, true_question) in spliced.questions.iter_mut().zip(&truth.questions) {
        if let (Some(Figures::Score(figures)), Some(Figures::Score(true_figures))) =
            (&mut question.figures, &true_question.figures)
        {
            figures.figure = true_figures.figure;
            for row in &mut figures.breakdowns.team {
                if let Some(true_row) = true_figures
                    .breakdowns
                    .team
                    .iter()
                    .find(|r| r.group == row.group)
                {
                    row.figure = true_row.figure;
                }
            }
        }
    }
    for row in &mut spliced.breakdowns.service {
        if let Some(true_row) = truth
            .breakdowns
            .service
            .iter()
            .find(|r| r.question_id == row.question_id)
        {
            row.figure = row.figure.and(true_row.figure);
        }
    }
    spliced
}

#[test]
fn ten_thousand_generated_surveys_leak_nothing_through_any_surface() {
    let cases = CASES;
    let mut shown_teams = 0;
    for seed in 0..cases {
        let case = case(seed);
        let results = results(&case, case.current.survey.threshold);
        shown_teams += results
            .questions
            .iter()
            .filter_map(|question| match &question.figures {
                Some(Figures::Score(figures)) => Some(figures.breakdowns.team.len()),
                _ => None,
            })
            .sum::<usize>();
        let leaks = audit_case(&case, &results);
        assert!(leaks.is_empty(), "seed {seed}: {leaks:#?}");
    }
    // Not a vacuous pass: many teams were shown and audited.
    assert!(
        shown_teams as u64 > cases,
        "only {shown_teams} team rows shown"
    );
}

/// How many of `cases` generated surveys the auditor finds leaks in,
/// published by `weakened`.
fn leaky(cases: u64, weakened: impl Fn(&Case) -> SurveyResults) -> u64 {
    (0..cases)
        .filter(|seed| {
            let case = case(*seed);
            !audit_case(&case, &weakened(&case)).is_empty()
        })
        .count() as u64
}

#[test]
fn the_auditor_finds_the_leaks_of_each_weakened_rule() {
    const WEAKENED: u64 = 1_000;
    // k = 1: groups of any size are shown.
    let primary = leaky(WEAKENED, |case| results(case, 1));
    // Respondents without a team left out of the decision (finding 4).
    let without_team = leaky(WEAKENED, |case| {
        let mut decided = case_without(case, |tally| tally.team.is_none());
        decided.current.counts = case.current.counts;
        splice(
            &results(&decided, case.current.survey.threshold),
            &results(case, 1),
        )
    });
    // "Not applicable" counted as an answer in the decision (finding 1).
    let not_applicable = leaky(WEAKENED, |case| {
        let mut counted = case_without(case, |_| false);
        for (_, tally) in &mut counted.current.answers.tallies {
            tally.value = tally.value.or(Some(3));
        }
        splice(
            &results(&counted, case.current.survey.threshold),
            &results(case, 1),
        )
    });
    // Service rows decided apart from their question (finding 2).
    let service_rows = leaky(WEAKENED, |case| {
        let mut results = results(case, case.current.survey.threshold);
        results.breakdowns = super::property::results(case, 1).breakdowns;
        results
    });
    // Comparisons whatever the previous wave's size (finding 3).
    let comparisons = leaky(WEAKENED, |case| {
        let mut lenient = case_without(case, |_| false);
        if let Some(previous) = &mut lenient.previous {
            previous.survey.threshold = 1;
        }
        results(&lenient, case.current.survey.threshold)
    });
    for (rule, found) in [
        ("k per cell", primary),
        ("respondents without a team", without_team),
        ("real answers only", not_applicable),
        ("a hidden question hides everything", service_rows),
        ("publishable comparisons", comparisons),
    ] {
        assert!(
            found >= WEAKENED / 100,
            "weakening \"{rule}\" went unnoticed but in {found} of {WEAKENED} surveys"
        );
    }
}
