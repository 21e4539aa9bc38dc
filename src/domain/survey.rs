//! Surveys: questions of the kinds platform teams ask, and the checks on
//! what people answer.

use chrono::{DateTime, NaiveDateTime, Utc};

use super::disclosure::check_threshold;
use super::feedback::text_enum;
use super::stats::{self, Estimate};
use super::text::{FieldErrors, optional_text, required_text, single_line};

/// The longest free-text answer, in characters.
pub const TEXT_ANSWER_MAX_CHARS: usize = 5_000;
/// The most questions one survey may have.
pub const MAX_QUESTIONS: usize = 50;

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

/// A question as sent, before checks.
#[derive(Debug, Clone, Default)]
pub struct QuestionDraft {
    pub kind: String,
    pub prompt: String,
    pub service: Option<String>,
    pub required: bool,
    /// Offer "not applicable"; `None` means yes on rating scales, no on NPS.
    pub not_applicable: Option<bool>,
    pub choices: Vec<String>,
}

/// A survey as sent, before checks.
#[derive(Debug, Clone, Default)]
pub struct SurveyDraft {
    pub title: String,
    pub introduction: String,
    pub anonymous: bool,
    pub threshold: Option<i64>,
    /// The earlier wave of the same survey, for comparisons.
    pub previous_wave: Option<i64>,
    /// RFC 3339, or `YYYY-MM-DDTHH:MM` (a browser's datetime-local) read as UTC.
    pub opens_at: String,
    pub closes_at: String,
    pub questions: Vec<QuestionDraft>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewQuestion {
    pub kind: QuestionKind,
    pub prompt: String,
    pub service: Option<String>,
    pub required: bool,
    /// Whether a "not applicable" answer is offered (numeric questions only).
    pub allow_na: bool,
    pub choices: Vec<String>,
}

impl NewQuestion {
    /// Checks one question; the message names what to fix.
    pub fn parse(question: &QuestionDraft) -> Result<NewQuestion, String> {
        let kind = QuestionKind::parse(&question.kind)
            .ok_or_else(|| format!("the kind must be {}", QuestionKind::choices()))?;
        let prompt = required_text(&question.prompt, 500)
            .map_err(|_| "the prompt must be 1 to 500 characters".to_owned())?;
        let choices: Vec<String> = question
            .choices
            .iter()
            .map(|choice| choice.trim().to_owned())
            .filter(|choice| !choice.is_empty())
            .collect();
        if kind.has_choices()
            && (choices.len() < 2 || choices.iter().any(|choice| choice.chars().count() > 200))
        {
            return Err("give 2 or more choices of up to 200 characters".into());
        }
        let mut unique = choices.clone();
        unique.sort();
        unique.dedup();
        if unique.len() != choices.len() {
            return Err("each choice must differ from the others".into());
        }
        // "Not applicable" makes sense on a rating scale (a service one never
        // used); NPS asks everyone, but a team may still offer it.
        let allow_na =
            kind.scale().is_some() && question.not_applicable.unwrap_or(kind != QuestionKind::Nps);
        Ok(NewQuestion {
            kind,
            prompt,
            service: question
                .service
                .clone()
                .map(|service| service.trim().to_owned())
                .filter(|service| !service.is_empty()),
            required: question.required,
            allow_na,
            choices: if kind.has_choices() {
                choices
            } else {
                Vec::new()
            },
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewSurvey {
    pub title: String,
    pub introduction: String,
    pub anonymous: bool,
    /// No figure rests on fewer real answers than this (see `disclosure`).
    pub threshold: u32,
    pub previous_wave: Option<i64>,
    /// No answers are taken before this time.
    pub opens_at: Option<DateTime<Utc>>,
    /// No answers are taken from this time on.
    pub closes_at: Option<DateTime<Utc>>,
    pub questions: Vec<NewQuestion>,
}

/// Reads a time as RFC 3339, or as `YYYY-MM-DDTHH:MM[:SS]` in UTC (what a
/// browser's datetime-local control sends); empty is no time.
pub fn parse_time(raw: &str) -> Result<Option<DateTime<Utc>>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(raw) {
        return Ok(Some(time.with_timezone(&Utc)));
    }
    for format in [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(time) = NaiveDateTime::parse_from_str(raw, format) {
            return Ok(Some(time.and_utc()));
        }
    }
    Err("must be a time like 2025-03-31T09:00 (UTC) or 2025-03-31T09:00:00+02:00".into())
}

/// Whether a survey takes answers at `now`: open, and inside its window.
/// The message says why not, for the person answering.
pub fn taking_answers(
    status: &str,
    opens_at: Option<DateTime<Utc>>,
    closes_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), String> {
    if status != "open" {
        return Err(format!("the survey is {status}; it takes no answers now"));
    }
    if let Some(opens_at) = opens_at
        && now < opens_at
    {
        return Err(format!(
            "the survey opens at {}; it takes no answers before then",
            opens_at.format("%Y-%m-%d %H:%M UTC")
        ));
    }
    if let Some(closes_at) = closes_at
        && now >= closes_at
    {
        return Err(format!(
            "the survey closed at {}; it takes no more answers",
            closes_at.format("%Y-%m-%d %H:%M UTC")
        ));
    }
    Ok(())
}

impl NewSurvey {
    pub fn parse(draft: &SurveyDraft) -> Result<NewSurvey, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = single_line(&draft.title, 200)
            .map_err(|message| errors.add("title", message))
            .ok();
        let introduction = optional_text(&draft.introduction, 5_000)
            .map_err(|message| errors.add("introduction", message))
            .ok()
            .flatten()
            .unwrap_or_default();
        let opens_at = parse_time(&draft.opens_at)
            .map_err(|message| errors.add("opens_at", message))
            .ok()
            .flatten();
        let closes_at = parse_time(&draft.closes_at)
            .map_err(|message| errors.add("closes_at", message))
            .ok()
            .flatten();
        if let (Some(opens_at), Some(closes_at)) = (opens_at, closes_at)
            && closes_at <= opens_at
        {
            errors.add("closes_at", "must be after the opening time");
        }
        let threshold = check_threshold(draft.anonymous, draft.threshold)
            .map_err(|message| errors.add("threshold", message))
            .ok();
        if draft.questions.len() > MAX_QUESTIONS {
            errors.add(
                "questions",
                format!("a survey has at most {MAX_QUESTIONS} questions"),
            );
        }
        let mut questions = Vec::new();
        for (index, question) in draft.questions.iter().enumerate() {
            match NewQuestion::parse(question) {
                Ok(question) => questions.push(question),
                Err(message) => {
                    errors.add("questions", format!("question {}: {message}", index + 1))
                }
            }
        }
        errors.into_result(|| NewSurvey {
            title: title.expect("checked above"),
            introduction,
            anonymous: draft.anonymous,
            threshold: threshold.expect("checked above"),
            previous_wave: draft.previous_wave,
            opens_at,
            closes_at,
            questions,
        })
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

/// One stored question, as answers are checked against it.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub id: i64,
    pub kind: QuestionKind,
    pub required: bool,
    pub allow_na: bool,
    pub choices: Vec<String>,
}

/// An answer as sent: a number, a text, or choices; all empty means skipped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnswerDraft {
    pub question_id: i64,
    pub value: Option<f64>,
    pub text: Option<String>,
    pub choices: Vec<String>,
    pub not_applicable: bool,
}

/// A checked answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Value(u8),
    NotApplicable,
    Text(String),
    Choices(Vec<String>),
}

/// Checks a whole response against the survey's questions: every value on
/// its scale, choices among the question's, required questions answered.
pub fn check_answers(
    questions: &[Question],
    drafts: &[AnswerDraft],
) -> Result<Vec<(i64, Answer)>, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut answers = Vec::new();
    for draft in drafts {
        let Some(question) = questions
            .iter()
            .find(|question| question.id == draft.question_id)
        else {
            errors.add(
                "answers",
                format!("there is no question {} in this survey", draft.question_id),
            );
            continue;
        };
        if answers.iter().any(|(id, _)| *id == question.id) {
            errors.add(
                "answers",
                format!("question {} is answered twice", question.id),
            );
            continue;
        }
        let answer = match (question.kind.scale(), question.kind) {
            (Some(_), _) if draft.not_applicable && question.allow_na => {
                Some(Answer::NotApplicable)
            }
            (Some(_), _) if draft.not_applicable => {
                errors.add(
                    "answers",
                    format!(
                        "question {}: \"not applicable\" is not offered",
                        question.id
                    ),
                );
                continue;
            }
            (Some((low, high)), _) => match draft.value {
                None => None,
                Some(value)
                    if value.fract() == 0.0
                        && value >= f64::from(low)
                        && value <= f64::from(high) =>
                {
                    Some(Answer::Value(value as u8))
                }
                Some(_) => {
                    errors.add(
                        "answers",
                        format!(
                            "question {}: answer with a whole number from {low} to {high}",
                            question.id
                        ),
                    );
                    continue;
                }
            },
            (None, QuestionKind::Text) => match optional_text(
                draft.text.as_deref().unwrap_or_default(),
                TEXT_ANSWER_MAX_CHARS,
            ) {
                Ok(text) => text.map(Answer::Text),
                Err(message) => {
                    errors.add(
                        "answers",
                        format!("question {}: the text {message}", question.id),
                    );
                    continue;
                }
            },
            (None, kind) => {
                let unknown = draft
                    .choices
                    .iter()
                    .find(|choice| !question.choices.contains(choice));
                if let Some(unknown) = unknown {
                    errors.add(
                        "answers",
                        format!(
                            "question {}: {unknown:?} is not one of its choices",
                            question.id
                        ),
                    );
                    continue;
                }
                if kind == QuestionKind::Single && draft.choices.len() > 1 {
                    errors.add("answers", format!("question {}: choose one", question.id));
                    continue;
                }
                (!draft.choices.is_empty()).then(|| Answer::Choices(draft.choices.clone()))
            }
        };
        if let Some(answer) = answer {
            answers.push((question.id, answer));
        }
    }
    for question in questions.iter().filter(|question| question.required) {
        if !answers.iter().any(|(id, _)| *id == question.id) {
            errors.add(
                "answers",
                format!("question {} needs an answer", question.id),
            );
        }
    }
    errors.into_result(|| answers)
}

/// An answer-check message as people read it: every `question <id>`
/// becomes the question's prompt in quotes (ids mean something to API
/// clients, not to someone filling in a form or a spreadsheet).
pub fn name_questions(message: &str, prompts: &[(i64, &str)]) -> String {
    const MARK: &str = "question ";
    let mut named = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(MARK) {
        let after = &rest[at + MARK.len()..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let prompt = after[..digits]
            .parse::<i64>()
            .ok()
            .and_then(|id| prompts.iter().find(|(question, _)| *question == id));
        named.push_str(&rest[..at]);
        match prompt {
            Some((_, prompt)) => named.push_str(&format!("{prompt:?}")),
            None => named.push_str(&rest[at..at + MARK.len() + digits]),
        }
        rest = &after[digits..];
    }
    named.push_str(rest);
    named
}

/// The headline figure of a numeric question: CSAT in percent, NPS in
/// points, CES (and Likert) as a mean.
pub fn score(kind: QuestionKind, values: &[Option<u8>]) -> Option<Estimate> {
    match kind {
        QuestionKind::Csat => stats::csat(values),
        QuestionKind::Nps => stats::nps(values),
        QuestionKind::Ces => stats::ces(values),
        QuestionKind::Likert => stats::mean_interval(values, 1, 5),
        QuestionKind::Single | QuestionKind::Multi | QuestionKind::Text => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn questions() -> Vec<Question> {
        vec![
            Question {
                id: 1,
                kind: QuestionKind::Nps,
                required: true,
                allow_na: false,
                choices: vec![],
            },
            Question {
                id: 2,
                kind: QuestionKind::Csat,
                required: false,
                allow_na: true,
                choices: vec![],
            },
            Question {
                id: 3,
                kind: QuestionKind::Single,
                required: false,
                allow_na: true,
                choices: vec!["a".into(), "b".into()],
            },
            Question {
                id: 4,
                kind: QuestionKind::Text,
                required: false,
                allow_na: true,
                choices: vec![],
            },
        ]
    }

    #[test]
    fn answers_on_their_scales_are_accepted() {
        let answers = check_answers(
            &questions(),
            &[
                AnswerDraft {
                    question_id: 1,
                    value: Some(9.0),
                    ..AnswerDraft::default()
                },
                AnswerDraft {
                    question_id: 2,
                    not_applicable: true,
                    ..AnswerDraft::default()
                },
                AnswerDraft {
                    question_id: 3,
                    choices: vec!["b".into()],
                    ..AnswerDraft::default()
                },
                AnswerDraft {
                    question_id: 4,
                    text: Some("  faster runners  ".into()),
                    ..AnswerDraft::default()
                },
            ],
        )
        .unwrap();
        assert_eq!(answers[0], (1, Answer::Value(9)));
        assert_eq!(answers[1], (2, Answer::NotApplicable));
        assert_eq!(answers[3], (4, Answer::Text("faster runners".into())));
    }

    #[test]
    fn out_of_range_unknown_and_missing_answers_are_refused() {
        for drafts in [
            vec![AnswerDraft {
                question_id: 1,
                value: Some(11.0),
                ..AnswerDraft::default()
            }],
            vec![AnswerDraft {
                question_id: 1,
                value: Some(7.5),
                ..AnswerDraft::default()
            }],
            vec![AnswerDraft {
                question_id: 2,
                value: Some(3.0),
                ..AnswerDraft::default()
            }],
            vec![
                AnswerDraft {
                    question_id: 1,
                    value: Some(7.0),
                    ..AnswerDraft::default()
                },
                AnswerDraft {
                    question_id: 3,
                    choices: vec!["c".into()],
                    ..AnswerDraft::default()
                },
            ],
            vec![
                AnswerDraft {
                    question_id: 1,
                    value: Some(7.0),
                    ..AnswerDraft::default()
                },
                AnswerDraft {
                    question_id: 9,
                    value: Some(1.0),
                    ..AnswerDraft::default()
                },
            ],
        ] {
            assert!(
                check_answers(&questions(), &drafts).is_err(),
                "{drafts:?} was accepted"
            );
        }
    }

    #[test]
    fn not_applicable_is_refused_where_the_question_does_not_offer_it() {
        let refused = check_answers(
            &questions(),
            &[AnswerDraft {
                question_id: 1,
                not_applicable: true,
                ..AnswerDraft::default()
            }],
        )
        .unwrap_err();
        assert!(refused.get("answers").unwrap().contains("not offered"));
    }

    #[test]
    fn answers_are_taken_only_while_open_and_inside_the_window() {
        let now: chrono::DateTime<Utc> = "2028-02-29T12:00:00Z".parse().unwrap();
        let hour = chrono::Duration::hours(1);
        assert!(taking_answers("open", Some(now - hour), Some(now + hour), now).is_ok());
        assert!(
            taking_answers("draft", None, None, now)
                .unwrap_err()
                .contains("draft")
        );
        assert!(
            taking_answers("open", Some(now + hour), None, now)
                .unwrap_err()
                .contains("opens at")
        );
        assert!(
            taking_answers("open", None, Some(now), now)
                .unwrap_err()
                .contains("closed at")
        );
        assert_eq!(
            parse_time("2025-03-31T09:00")
                .unwrap()
                .unwrap()
                .to_rfc3339(),
            "2025-03-31T09:00:00+00:00"
        );
        assert_eq!(
            parse_time("2025-03-31T09:00:00+02:00")
                .unwrap()
                .unwrap()
                .to_rfc3339(),
            "2025-03-31T07:00:00+00:00"
        );
        assert!(parse_time("next tuesday").is_err());
        assert_eq!(parse_time(" ").unwrap(), None);
    }

    #[test]
    fn surveys_need_a_title_and_well_formed_questions() {
        let errors = NewSurvey::parse(&SurveyDraft {
            title: " ".into(),
            threshold: Some(0),
            questions: vec![QuestionDraft {
                kind: "single".into(),
                prompt: "Which?".into(),
                choices: vec!["only".into()],
                ..QuestionDraft::default()
            }],
            ..SurveyDraft::default()
        })
        .unwrap_err();
        for field in ["title", "threshold", "questions"] {
            assert!(errors.get(field).is_some(), "no error for {field}");
        }
    }

    #[test]
    fn messages_name_questions_by_their_prompts() {
        let prompts = [(2, "Fast?"), (27, "Happy with CI?")];
        assert_eq!(
            name_questions(
                "question 27 needs an answer; question 2: choose one",
                &prompts
            ),
            "\"Happy with CI?\" needs an answer; \"Fast?\": choose one"
        );
        assert_eq!(
            name_questions("there is no question 9 in this survey", &prompts),
            "there is no question 9 in this survey"
        );
    }
}
