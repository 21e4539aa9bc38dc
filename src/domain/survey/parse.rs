//! A survey as sent (a form, a JSON body, the builder's pages), checked
//! into a [`NewSurvey`] whose every message names what to fix.

use chrono::{DateTime, NaiveDateTime, Utc};

use super::QuestionKind;
use crate::domain::disclosure::check_threshold;
use crate::domain::text::{FieldErrors, optional_text, required_text, single_line};

/// The most questions one survey may have.
pub const MAX_QUESTIONS: usize = 50;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_read_as_rfc_3339_or_as_a_browsers_local_time_in_utc() {
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
}
