//! Surveys: questions of the kinds platform teams ask, and the checks on
//! what people answer. A survey as sent is checked in `parse`, answers in
//! `answers`; `scoring` gives a numeric question's headline figure.

mod answers;
mod parse;
mod record;
mod scoring;

pub use answers::{
    Answer, AnswerDraft, Question, TEXT_ANSWER_MAX_CHARS, check_answers, name_questions,
    taking_answers,
};
pub use parse::{MAX_QUESTIONS, NewQuestion, NewSurvey, QuestionDraft, SurveyDraft, parse_time};
pub use record::{QuestionRecord, Survey, SurveySummary, WrittenResponse};
pub use scoring::score;

use super::feedback::text_enum;

text_enum! {
    /// What a question asks for.
    QuestionKind {
        Nps => "nps", Csat => "csat", Ces => "ces", Likert => "likert",
        Single => "single", Multi => "multi", Text => "text",
    }
}

impl QuestionKind {
    /// The scale of a numeric question, inclusive.
    pub fn scale(self) -> Option<(u8, u8)> {
        match self {
            QuestionKind::Nps => Some((0, 10)),
            QuestionKind::Csat | QuestionKind::Likert => Some((1, 5)),
            QuestionKind::Ces => Some((1, 7)),
            QuestionKind::Single | QuestionKind::Multi | QuestionKind::Text => None,
        }
    }

    fn has_choices(self) -> bool {
        matches!(self, QuestionKind::Single | QuestionKind::Multi)
    }
}

/// What inviting did, by address. The personal links themselves are
/// mailed to their people and shown to nobody else.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct InvitationOutcome {
    /// Newly invited: each got one message with their link.
    pub invited: Vec<String>,
    pub already_invited: Vec<String>,
    /// Not known to Earshot.
    pub unknown: Vec<String>,
    /// Asked for an interview or survey within the contact cap.
    pub contacted_recently: Vec<String>,
}
