//! What people answer, checked against the survey's questions and its
//! window, and the checks' messages as people read them.

use chrono::{DateTime, Utc};

use super::QuestionKind;
use crate::domain::text::{FieldErrors, optional_text};

/// The longest free-text answer, in characters.
pub const TEXT_ANSWER_MAX_CHARS: usize = 5_000;

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
