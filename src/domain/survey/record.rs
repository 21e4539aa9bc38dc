//! A stored survey as read back: its questions, its place in the list of
//! surveys, and a response as its respondent may read it again.

use chrono::{DateTime, Utc};

use super::{Question, QuestionKind};

/// What one respondent wrote and is published, for the team (search
/// results link here).
#[derive(Debug, Clone, PartialEq)]
pub struct WrittenResponse {
    pub survey_id: i64,
    pub survey_title: String,
    /// Shown as the day only.
    pub submitted_at: DateTime<Utc>,
    /// Who answered, only for surveys that are not anonymous.
    pub respondent: Option<String>,
    /// The respondent's team, only for surveys that are not anonymous.
    pub team: Option<String>,
    /// (question prompt, text written), in question order; published
    /// comments only.
    pub comments: Vec<(String, String)>,
}

/// A stored question.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct QuestionRecord {
    pub id: i64,
    pub kind: QuestionKind,
    pub prompt: String,
    pub service: Option<String>,
    pub required: bool,
    pub allow_na: bool,
    pub choices: Vec<String>,
}

impl QuestionRecord {
    pub fn for_checking(&self) -> Question {
        Question {
            id: self.id,
            kind: self.kind,
            required: self.required,
            allow_na: self.allow_na,
            choices: self.choices.clone(),
        }
    }
}

/// A stored survey with its questions.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Survey {
    pub id: i64,
    pub title: String,
    pub introduction: String,
    pub status: String,
    pub anonymous: bool,
    pub threshold: u32,
    /// The earlier wave of the same survey, for comparisons.
    pub previous_wave_id: Option<i64>,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    /// Whether an open link exists (the token itself is shown once, never stored).
    pub open_link: bool,
    pub created_at: DateTime<Utc>,
    pub questions: Vec<QuestionRecord>,
}

/// A survey in the list of surveys.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct SurveySummary {
    pub id: i64,
    pub title: String,
    pub status: String,
    pub anonymous: bool,
    pub created_at: DateTime<Utc>,
    pub questions: u32,
    pub invited: u32,
    /// Published responses (see `survey_publication`).
    pub responses: u32,
}
