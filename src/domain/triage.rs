//! Triage: what the platform team changes about a feedback item in one
//! save (status, tags, assignee, pain points, a note), what it changes on
//! many items at once, and replies to the person who gave the feedback;
//! saved inbox views and the public plan an item is part of.

use chrono::{DateTime, Utc};

use super::feedback::{FeedbackStatus, NOTE_MAX_CHARS, TITLE_MAX_CHARS, parse_tags};
use super::roadmap::RoadmapStatus;
use super::text::{FieldErrors, optional_text, required_text};

/// The longest reply to a submitter, in characters.
pub const REPLY_MAX_CHARS: usize = 5_000;
/// The longest name of a saved inbox view, in characters.
pub const VIEW_NAME_MAX_CHARS: usize = 80;

/// The triage form as typed. `assignee` and `pain_points` are ids chosen in
/// pickers; `new_pain_point` is the title of a pain point to create from
/// this item.
#[derive(Debug, Clone, Default)]
pub struct TriageDraft {
    pub status: String,
    pub tags: String,
    pub assignee: String,
    pub pain_points: Vec<String>,
    pub new_pain_point: String,
    pub note: String,
}

/// A checked triage: the item's new state and what to add to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Triage {
    pub status: FeedbackStatus,
    /// The item's whole set of tags after saving.
    pub tags: Vec<String>,
    pub assignee: Option<i64>,
    /// Pain points to add the item to as evidence.
    pub pain_points: Vec<i64>,
    pub new_pain_point: Option<String>,
    pub note: Option<String>,
}

/// Tags typed in a field that may be left empty (no tags).
pub fn parse_tag_set(raw: &str) -> Result<Vec<String>, String> {
    if raw.split([',', ' ']).all(|tag| tag.trim().is_empty()) {
        return Ok(Vec::new());
    }
    parse_tags(raw)
}

/// An id chosen in a picker; empty means none.
fn chosen_id(raw: &str) -> Result<Option<i64>, String> {
    match raw.trim() {
        "" => Ok(None),
        raw => raw
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(Some)
            .ok_or_else(|| "choose from the list".to_owned()),
    }
}

impl Triage {
    /// Checks every field, reporting all problems at once. Whether the
    /// assignee is on the platform team and the pain points exist is for
    /// the database to say.
    pub fn parse(draft: &TriageDraft) -> Result<Triage, FieldErrors> {
        let mut errors = FieldErrors::default();
        let status = FeedbackStatus::parse(&draft.status);
        if status.is_none() {
            errors.add(
                "status",
                format!("choose one of {}", FeedbackStatus::choices()),
            );
        }
        let tags = parse_tag_set(&draft.tags)
            .map_err(|message| errors.add("tags", message))
            .unwrap_or_default();
        let assignee = chosen_id(&draft.assignee)
            .map_err(|message| errors.add("assignee", message))
            .unwrap_or_default();
        let mut pain_points = Vec::new();
        for raw in &draft.pain_points {
            match chosen_id(raw) {
                Ok(Some(id)) if !pain_points.contains(&id) => pain_points.push(id),
                Ok(_) => {}
                Err(message) => errors.add("pain_points", message),
            }
        }
        let new_pain_point = optional_text(&draft.new_pain_point, TITLE_MAX_CHARS)
            .map_err(|message| errors.add("new_pain_point", message))
            .unwrap_or_default();
        let note = optional_text(&draft.note, NOTE_MAX_CHARS)
            .map_err(|message| errors.add("note", message))
            .unwrap_or_default();
        errors.into_result(|| Triage {
            status: status.expect("checked above"),
            tags,
            assignee,
            pain_points,
            new_pain_point,
            note,
        })
    }
}

/// One change made to every selected item in the inbox.
#[derive(Debug, Clone, PartialEq)]
pub enum BulkChange {
    Status(FeedbackStatus),
    AddTags(Vec<String>),
    /// `None` unassigns.
    Assign(Option<i64>),
}

impl BulkChange {
    /// The change named by the button pressed (`action`) with its field.
    pub fn parse(
        action: &str,
        status: &str,
        tags: &str,
        assignee: &str,
    ) -> Result<BulkChange, FieldErrors> {
        match action.trim() {
            "status" => FeedbackStatus::parse_as("bulk_status", status).map(BulkChange::Status),
            "tags" => parse_tags(tags)
                .map(BulkChange::AddTags)
                .map_err(|message| FieldErrors::one("bulk_tags", message)),
            "assign" => chosen_id(assignee)
                .map(BulkChange::Assign)
                .map_err(|message| FieldErrors::one("bulk_assignee", message)),
            _ => Err(FieldErrors::one(
                "action",
                "choose what to change: status, tags or assignee",
            )),
        }
    }

    /// What the change did, for the confirmation: "status set to triaged".
    pub fn describe(&self) -> String {
        match self {
            BulkChange::Status(status) => format!("status set to {}", status.as_str()),
            BulkChange::AddTags(tags) => format!("tagged {}", tags.join(", ")),
            BulkChange::Assign(Some(_)) => "assigned".to_owned(),
            BulkChange::Assign(None) => "unassigned".to_owned(),
        }
    }
}

/// Checks a reply to the person who gave the feedback.
pub fn parse_reply(raw: &str) -> Result<String, FieldErrors> {
    if raw.trim().is_empty() {
        return Err(FieldErrors::one("reply", "write the reply first"));
    }
    required_text(raw, REPLY_MAX_CHARS).map_err(|message| FieldErrors::one("reply", message))
}

/// Checks the name of a saved inbox view.
pub fn parse_view_name(raw: &str) -> Result<String, FieldErrors> {
    if raw.trim().is_empty() {
        return Err(FieldErrors::one("view_name", "name the view"));
    }
    required_text(raw, VIEW_NAME_MAX_CHARS)
        .map_err(|message| FieldErrors::one("view_name", message))
}

/// A named inbox filter.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedView {
    pub id: i64,
    pub name: String,
    /// The inbox's query string, without `?`.
    pub query: String,
}

/// A roadmap item as a submitter may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicPlan {
    pub id: i64,
    pub title: String,
    pub status: RoadmapStatus,
    pub target_quarter: Option<String>,
}

/// A reply from the platform team.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub id: i64,
    pub author_name: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> TriageDraft {
        TriageDraft {
            status: "triaged".into(),
            ..TriageDraft::default()
        }
    }

    #[test]
    fn a_triage_with_only_a_status_changes_nothing_else() {
        let triage = Triage::parse(&draft()).unwrap();
        assert_eq!(triage.status, FeedbackStatus::Triaged);
        assert!(triage.tags.is_empty() && triage.pain_points.is_empty());
        assert_eq!((triage.assignee, triage.note), (None, None));
    }

    #[test]
    fn every_problem_of_a_triage_is_reported_at_once() {
        let errors = Triage::parse(&TriageDraft {
            status: "maybe".into(),
            tags: "Not A Tag!".into(),
            assignee: "someone".into(),
            pain_points: vec!["#x".into()],
            ..TriageDraft::default()
        })
        .unwrap_err();
        for field in ["status", "tags", "assignee", "pain_points"] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
    }

    #[test]
    fn chosen_pain_points_are_kept_once_and_empty_choices_ignored() {
        let triage = Triage::parse(&TriageDraft {
            pain_points: vec!["3".into(), "".into(), "3".into(), "7".into()],
            ..draft()
        })
        .unwrap();
        assert_eq!(triage.pain_points, vec![3, 7]);
    }

    #[test]
    fn a_bulk_change_needs_a_known_action_and_its_value() {
        assert_eq!(
            BulkChange::parse("status", "closed", "", "").unwrap(),
            BulkChange::Status(FeedbackStatus::Closed)
        );
        assert_eq!(
            BulkChange::parse("assign", "", "", "").unwrap(),
            BulkChange::Assign(None)
        );
        assert!(BulkChange::parse("tags", "", "", "").is_err());
        assert!(BulkChange::parse("delete", "", "", "").is_err());
    }

    #[test]
    fn an_empty_reply_is_refused() {
        assert!(parse_reply("   ").is_err());
        assert_eq!(parse_reply(" Thanks! ").unwrap(), "Thanks!");
    }
}
