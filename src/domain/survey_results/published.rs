//! The shape of published results: what the API sends as JSON, the CSV
//! lists and the results page shows. Hidden things are absent, not zero.

use serde::Serialize;

use crate::domain::stats::Estimate;
use crate::domain::survey::QuestionKind;

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
    /// How many answered each point of the scale, from its lowest (0 for
    /// NPS, 1 otherwise); always present for a shown question.
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
