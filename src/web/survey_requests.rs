//! The JSON bodies of the survey API, typed: a survey to create, the
//! answers sent through a response link, and an invitation. Like every
//! body (`web::request`), a field of the wrong type is named in the 422
//! problem rather than read as absent; a field the body does not know is
//! refused.

use serde::Deserialize;

use super::request::{Field, Problems};
use crate::domain::survey::{AnswerDraft, QuestionDraft, SurveyDraft};
use crate::error::Result;

/// `POST /api/v1/surveys`: a survey, created as a draft.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyRequest {
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    title: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    introduction: Field<String>,
    /// Whether answers keep no name and no team (the default).
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    anonymous: Field<bool>,
    /// The smallest group whose figures are shown.
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    threshold: Field<i64>,
    /// The earlier wave of the same survey, for comparisons.
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    previous_wave: Field<i64>,
    /// RFC 3339, or `YYYY-MM-DDTHH:MM` read as UTC.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    opens_at: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    closes_at: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<QuestionRequest>>)]
    questions: Field<Vec<QuestionRequest>>,
}

/// One question of a [`SurveyRequest`].
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionRequest {
    /// `nps`, `csat`, `ces`, `likert`, `choice` or `text`.
    kind: String,
    prompt: String,
    /// The slug of the service the question asks about.
    #[serde(default)]
    service: Option<String>,
    #[serde(default)]
    required: bool,
    /// Offer "not applicable"; unset means yes on rating scales, no on NPS.
    #[serde(default)]
    not_applicable: Option<bool>,
    #[serde(default)]
    choices: Vec<String>,
}

impl SurveyRequest {
    /// The survey as sent, or 422 naming every field of the wrong type.
    pub fn draft(self) -> Result<SurveyDraft> {
        let mut problems = Problems::default();
        let questions = self.questions.value(
            "questions",
            "must be a list of questions, each with a kind and a prompt (strings), \
             and optionally a service (a string), required and not_applicable \
             (true or false) and choices (a list of strings)",
            &mut problems,
        );
        let draft = SurveyDraft {
            title: self.title.text("title", &mut problems),
            introduction: self.introduction.text("introduction", &mut problems),
            anonymous: self
                .anonymous
                .value("anonymous", "must be true or false", &mut problems)
                .unwrap_or(true),
            threshold: self
                .threshold
                .value("threshold", "must be a whole number", &mut problems),
            previous_wave: self.previous_wave.value(
                "previous_wave",
                "must be a survey's id (a whole number)",
                &mut problems,
            ),
            opens_at: self.opens_at.text("opens_at", &mut problems),
            closes_at: self.closes_at.text("closes_at", &mut problems),
            questions: questions
                .unwrap_or_default()
                .into_iter()
                .map(|question| QuestionDraft {
                    kind: question.kind,
                    prompt: question.prompt,
                    service: question.service,
                    required: question.required,
                    not_applicable: question.not_applicable,
                    choices: question.choices,
                })
                .collect(),
        };
        problems.check()?;
        Ok(draft)
    }
}

/// `POST /api/v1/responses/{token}`: the answers of one respondent.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswersRequest {
    #[serde(default)]
    #[schema(value_type = Vec<AnswerRequest>, required = true)]
    answers: Field<Vec<AnswerRequest>>,
}

/// One answer of an [`AnswersRequest`].
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    question_id: i64,
    /// A rating.
    #[serde(default)]
    value: Option<f64>,
    /// A free-text answer.
    #[serde(default)]
    text: Option<String>,
    /// The options chosen.
    #[serde(default)]
    choices: Vec<String>,
    #[serde(default)]
    not_applicable: bool,
}

impl AnswersRequest {
    /// The answers as sent, or 422 when they are not a list of answers.
    pub fn drafts(self) -> Result<Vec<AnswerDraft>> {
        let mut problems = Problems::default();
        let answers = self.answers.value(
            "answers",
            "must be a list of answers, each with a question_id (a whole number) \
             and a value (a number), text (a string), choices (a list of strings) \
             or not_applicable (true or false)",
            &mut problems,
        );
        problems.check()?;
        Ok(answers
            .unwrap_or_default()
            .into_iter()
            .map(|answer| AnswerDraft {
                question_id: answer.question_id,
                value: answer.value,
                text: answer.text,
                choices: answer.choices,
                not_applicable: answer.not_applicable,
            })
            .collect())
    }
}

/// `POST /api/v1/surveys/{id}/invitations`: people and teams to invite.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationRequest {
    /// Email addresses of people.
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    emails: Field<Vec<String>>,
    /// Team slugs: every active member is invited.
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    teams: Field<Vec<String>>,
}

impl InvitationRequest {
    /// The addresses and teams, or 422 naming a field of the wrong type.
    pub fn audience(self) -> Result<(Vec<String>, Vec<String>)> {
        let mut problems = Problems::default();
        let emails = self.emails.texts("emails", &mut problems);
        let teams = self.teams.texts("teams", &mut problems);
        problems.check()?;
        Ok((emails, teams))
    }
}
