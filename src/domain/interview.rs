//! Interview snapshots, in the continuous-discovery form: who, when, a
//! memorable quote, notes, opportunities and insights; and highlights,
//! quoted passages of the notes that can be evidence for pain points.

use chrono::NaiveDate;

use super::labels::{parse_email_list, parse_service_list, parse_tag_list};
use super::people::Email;
use super::text::{FieldErrors, optional_text, single_line};

/// An interview as typed, before checks.
#[derive(Debug, Clone, Default)]
pub struct InterviewDraft {
    pub participant_name: String,
    pub participant_team: String,
    pub participant_role: String,
    pub held_on: String,
    pub quote: String,
    pub notes: String,
    pub opportunities: String,
    pub insights: String,
    pub services: Vec<String>,
    pub tags: Vec<String>,
    /// Emails of the people who held the interview; none means whoever records it.
    pub interviewers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewInterview {
    pub participant_name: String,
    /// Team slug, if known.
    pub participant_team: Option<String>,
    pub participant_role: String,
    pub held_on: NaiveDate,
    pub quote: String,
    /// Markdown; rendered sanitised wherever it is shown.
    pub notes: String,
    pub opportunities: String,
    pub insights: String,
    pub services: Vec<String>,
    pub tags: Vec<String>,
    /// Empty means whoever records the interview held it.
    pub interviewers: Vec<Email>,
}

impl NewInterview {
    pub fn parse(draft: &InterviewDraft) -> Result<NewInterview, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut text = |field: &'static str, raw: &str, max: usize| {
            optional_text(raw, max)
                .map_err(|message| errors.add(field, message))
                .ok()
                .flatten()
                .unwrap_or_default()
        };
        let team = text("participant_team", &draft.participant_team, 100).to_lowercase();
        let role = text("participant_role", &draft.participant_role, 100);
        let quote = text("quote", &draft.quote, 1_000);
        let notes = text("notes", &draft.notes, 50_000);
        let opportunities = text("opportunities", &draft.opportunities, 5_000);
        let insights = text("insights", &draft.insights, 5_000);
        let name = single_line(&draft.participant_name, 100)
            .map_err(|message| errors.add("participant_name", message))
            .ok();
        let held_on = NaiveDate::parse_from_str(draft.held_on.trim(), "%Y-%m-%d").ok();
        if held_on.is_none() {
            errors.add("held_on", "must be a date like 2026-11-26");
        }
        let tags = parse_tag_list(&draft.tags)
            .map_err(|message| errors.add("tags", message))
            .unwrap_or_default();
        let interviewers = parse_email_list(&draft.interviewers)
            .map_err(|message| errors.add("interviewers", message))
            .unwrap_or_default();
        errors.into_result(|| NewInterview {
            participant_name: name.expect("checked above"),
            participant_team: (!team.is_empty()).then_some(team),
            participant_role: role,
            held_on: held_on.expect("checked above"),
            quote,
            notes,
            opportunities,
            insights,
            services: parse_service_list(&draft.services),
            tags,
            interviewers,
        })
    }
}

/// Checks that `quote` is a passage of `notes` (whitespace may differ), so
/// a highlight is always something that was said.
pub fn parse_highlight(notes: &str, quote: &str) -> Result<String, FieldErrors> {
    let normalise = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let quote = normalise(quote);
    if quote.chars().count() < 3 || quote.chars().count() > 1_000 {
        return Err(FieldErrors::one(
            "quote",
            "select 3 to 1000 characters of the notes",
        ));
    }
    if !normalise(notes).contains(&quote) {
        return Err(FieldErrors::one(
            "quote",
            "a highlight must be a passage of the interview notes",
        ));
    }
    Ok(quote)
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Interview {
    pub id: i64,
    pub participant_name: String,
    pub participant_team: Option<String>,
    pub participant_role: String,
    pub held_on: NaiveDate,
    pub quote: String,
    pub notes: String,
    pub opportunities: String,
    pub insights: String,
    pub services: Vec<String>,
    pub tags: Vec<String>,
    pub interviewers: Vec<Interviewer>,
    pub highlights: Vec<Highlight>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Highlight {
    pub id: i64,
    pub quote: String,
}

/// Someone of the platform team who held an interview.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Interviewer {
    pub name: String,
    pub email: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_highlight_is_a_passage_of_the_notes() {
        let notes = "She said the **cache**\nis cold after\n every deploy.";
        assert_eq!(
            parse_highlight(notes, "is cold after every deploy").unwrap(),
            "is cold after every deploy"
        );
        assert!(parse_highlight(notes, "something she never said").is_err());
        assert!(parse_highlight(notes, "is").is_err());
    }

    #[test]
    fn an_interview_needs_a_participant_and_a_date() {
        let errors = NewInterview::parse(&InterviewDraft {
            held_on: "yesterday".into(),
            ..InterviewDraft::default()
        })
        .unwrap_err();
        assert!(errors.get("participant_name").is_some() && errors.get("held_on").is_some());
    }

    #[test]
    fn tags_and_interviewers_are_checked_with_the_rest() {
        let draft = InterviewDraft {
            participant_name: "Lars".into(),
            held_on: "2026-11-20".into(),
            tags: vec!["Caching, onboarding".into()],
            interviewers: vec!["a@example.com".into(), "b@example.com".into()],
            ..InterviewDraft::default()
        };
        let interview = NewInterview::parse(&draft).unwrap();
        assert_eq!(interview.tags, vec!["caching", "onboarding"]);
        assert_eq!(interview.interviewers.len(), 2);
        let errors = NewInterview::parse(&InterviewDraft {
            tags: vec!["no spaces!".into()],
            interviewers: vec!["nobody".into()],
            ..draft
        })
        .unwrap_err();
        assert!(errors.get("tags").is_some() && errors.get("interviewers").is_some());
    }
}
