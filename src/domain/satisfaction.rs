//! Satisfaction over the waves of one survey series (the headline one,
//! `domain::series`): organisation-wide NPS and CES, CSAT per service,
//! whether the latest change is significant (domain::stats), and the
//! scores held back for anonymity. Waves hold their published answers;
//! what may be shown of them is `domain::disclosure`'s to decide, by the
//! same rules as the results page. Ad-hoc surveys are never summarised
//! here: only a series' waves are.

use chrono::{DateTime, Utc};

use super::disclosure::{comparable, publishable, team_rows, team_rows_published};
use super::stats;
use super::survey::{QuestionKind, score};

/// Every published numeric answer of one question in one wave.
#[derive(Debug, Clone, PartialEq)]
pub struct WaveQuestion {
    pub kind: QuestionKind,
    pub service: Option<String>,
    pub values: Vec<Option<u8>>,
    /// The same answers by team, one list per team that has any
    /// (respondents without a team are only in `values`).
    pub teams: Vec<Vec<Option<u8>>>,
}

/// A survey that has been opened, with its numeric answers, for trends.
#[derive(Debug, Clone, PartialEq)]
pub struct Wave {
    pub survey_id: i64,
    pub title: String,
    /// The period it stands for in its series, as people read it ("Q1 2026").
    pub label: String,
    pub opened: DateTime<Utc>,
    /// Fewer answers than this are never shown (the survey's anonymity threshold).
    pub threshold: u32,
    /// Closed: its results page shows team rows (rule 7 of `disclosure`).
    pub closed: bool,
    pub questions: Vec<WaveQuestion>,
}

/// Scores over the survey waves.
pub struct Satisfaction {
    /// Wave labels (their periods), oldest first.
    pub waves: Vec<String>,
    /// Organisation-wide NPS per wave.
    pub nps: Vec<Option<stats::Estimate>>,
    /// Organisation-wide CES per wave.
    pub ces: Vec<Option<stats::Estimate>>,
    /// One row per service asked about, lowest latest CSAT first.
    pub services: Vec<ServiceSatisfaction>,
}

pub struct ServiceSatisfaction {
    pub service: String,
    /// CSAT per wave (None where the wave did not ask).
    pub csat: Vec<Option<stats::Estimate>>,
    /// Latest wave against the one before, when both asked.
    pub change: Option<stats::Comparison>,
}

/// Counts of satisfied answers (4–5) and valid answers, for comparisons.
fn satisfied(values: &[Option<u8>]) -> (u32, u32) {
    let valid: Vec<u8> = values
        .iter()
        .flatten()
        .copied()
        .filter(|value| (1..=5).contains(value))
        .collect();
    (
        valid.iter().filter(|value| **value >= 4).count() as u32,
        valid.len() as u32,
    )
}

/// An estimate, unless it rests on fewer real answers than the wave's
/// threshold (the results page hides the same question).
fn shown(estimate: Option<stats::Estimate>, wave: &Wave) -> Option<stats::Estimate> {
    estimate.filter(|estimate| publishable(estimate.n, wave.threshold))
}

/// Whether the results page hides some of a shown question's team rows
/// (or respondents without a team): the same decision, `team_rows`.
fn teams_hidden(question: &WaveQuestion, overall: u32, wave: &Wave) -> bool {
    if !team_rows_published(wave.closed) {
        return false;
    }
    let real: Vec<u32> = question
        .teams
        .iter()
        .map(|values| score(question.kind, values).map_or(0, |estimate| estimate.n))
        .collect();
    let rows = team_rows(overall, &real, wave.threshold);
    let shown_real: u32 = real
        .iter()
        .zip(&rows)
        .filter(|(_, shown)| **shown)
        .map(|(n, _)| n)
        .sum();
    shown_real < overall
}

/// One line per score of `wave` that its results page hides, and per
/// shown score whose team rows it partly hides, with the service it is
/// about. Neither the number of answers nor the teams are given: they
/// would say how small a group is, or who answered.
pub fn held_back(wave: &Wave) -> Vec<(Option<String>, String)> {
    wave.questions
        .iter()
        .filter_map(|question| {
            let score_name = question.kind.as_str().to_uppercase();
            let about = match &question.service {
                Some(service) => format!("{score_name} for {service}"),
                None => score_name,
            };
            let line = match shown(score(question.kind, &question.values), wave) {
                None => format!("{about}: fewer than {} answers", wave.threshold),
                Some(overall) if teams_hidden(question, overall.n, wave) => format!(
                    "{about}, by team: some teams (fewer than {} answers, or recoverable from those shown)",
                    wave.threshold
                ),
                Some(_) => return None,
            };
            Some((question.service.clone(), line))
        })
        .collect()
}

pub fn summarise(waves: &[Wave]) -> Satisfaction {
    fn pick(wave: &Wave, kind: QuestionKind) -> Option<&WaveQuestion> {
        wave.questions
            .iter()
            .find(|question| question.kind == kind && question.service.is_none())
            .or_else(|| wave.questions.iter().find(|question| question.kind == kind))
    }
    let nps = waves
        .iter()
        .map(|wave| {
            pick(wave, QuestionKind::Nps)
                .and_then(|question| shown(stats::nps(&question.values), wave))
        })
        .collect();
    let ces = waves
        .iter()
        .map(|wave| {
            pick(wave, QuestionKind::Ces)
                .and_then(|question| shown(stats::ces(&question.values), wave))
        })
        .collect();
    let mut names: Vec<String> = waves
        .iter()
        .flat_map(|wave| wave.questions.iter())
        .filter(|question| question.kind == QuestionKind::Csat)
        .filter_map(|question| question.service.clone())
        .collect();
    names.sort();
    names.dedup();
    let mut services: Vec<ServiceSatisfaction> = names
        .into_iter()
        .map(|service| {
            let answers: Vec<Option<&Vec<Option<u8>>>> = waves
                .iter()
                .map(|wave| {
                    wave.questions
                        .iter()
                        .find(|question| {
                            question.kind == QuestionKind::Csat
                                && question.service.as_deref() == Some(service.as_str())
                        })
                        .map(|question| &question.values)
                })
                .collect();
            let asked: Vec<(&Vec<Option<u8>>, &Wave)> = answers
                .iter()
                .zip(waves)
                .filter_map(|(values, wave)| values.map(|values| (values, wave)))
                .collect();
            // Only between two waves whose scores are both shown: a change
            // computed from a wave with too few answers would reveal them.
            let change = match asked.as_slice() {
                [.., (before, before_wave), (latest, latest_wave)] => {
                    let ((x1, n1), (x2, n2)) = (satisfied(before), satisfied(latest));
                    comparable(n1, before_wave.threshold, n2, latest_wave.threshold)
                        .then(|| stats::compare_proportions(x1, n1, x2, n2))
                        .flatten()
                }
                _ => None,
            };
            ServiceSatisfaction {
                csat: answers
                    .iter()
                    .zip(waves)
                    .map(|(values, wave)| {
                        values.and_then(|values| shown(stats::csat(values), wave))
                    })
                    .collect(),
                service,
                change,
            }
        })
        .collect();
    let latest = |row: &ServiceSatisfaction| {
        row.csat
            .iter()
            .rev()
            .flatten()
            .next()
            .map_or(f64::MAX, |estimate| estimate.score)
    };
    services.sort_by(|a, b| latest(a).total_cmp(&latest(b)));
    Satisfaction {
        waves: waves.iter().map(|wave| wave.label.clone()).collect(),
        nps,
        ces,
        services,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wave(title: &str, ci: &[u8], nps: &[u8]) -> Wave {
        Wave {
            survey_id: 1,
            title: format!("Platform pulse {title}"),
            label: title.into(),
            opened: "2026-11-29T04:00:00Z".parse().unwrap(),
            threshold: 5,
            closed: false,
            questions: vec![
                WaveQuestion {
                    kind: QuestionKind::Nps,
                    service: None,
                    values: nps.iter().map(|value| Some(*value)).collect(),
                    teams: Vec::new(),
                },
                WaveQuestion {
                    kind: QuestionKind::Csat,
                    service: Some("ci-runner".into()),
                    values: ci.iter().map(|value| Some(*value)).collect(),
                    teams: Vec::new(),
                },
            ],
        }
    }

    #[test]
    fn a_big_rise_in_csat_is_a_significant_mover_and_nps_follows_each_wave() {
        let before = [vec![2u8; 60], vec![5u8; 40]].concat();
        let after = [vec![2u8; 20], vec![5u8; 80]].concat();
        let summary = summarise(&[
            wave("Q1", &before, &[9, 9, 3]),
            wave("Q2", &after, &[10, 10, 10]),
        ]);
        assert_eq!(summary.waves, ["Q1", "Q2"]);
        let ci = &summary.services[0];
        assert_eq!(ci.csat[0].as_ref().unwrap().score, 40.0);
        assert_eq!(ci.csat[1].as_ref().unwrap().score, 80.0);
        let change = ci.change.as_ref().unwrap();
        assert!(change.significant && (change.delta - 40.0).abs() < 1e-9);
        assert!(
            summary.nps[0].is_none(),
            "three answers are under the threshold of five"
        );
        assert!(
            summary.nps[1].is_none(),
            "three answers are under the threshold of five"
        );
    }

    #[test]
    fn no_change_is_computed_against_a_wave_with_too_few_answers() {
        let before = [vec![2u8; 60], vec![5u8; 40]].concat();
        let summary = summarise(&[wave("Q1", &before, &[]), wave("Q2", &[5, 5], &[])]);
        let ci = &summary.services[0];
        assert!(ci.csat[1].is_none(), "two answers are under the threshold");
        assert!(ci.change.is_none(), "{:?}", ci.change);
    }
}
