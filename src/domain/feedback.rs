//! Feedback: what an internal user says about a service; a stored item with
//! its author, notes and assignee, and the inbox's filter.

use chrono::{DateTime, NaiveDate, Utc};

use super::service::ServiceSlug;
use super::text::{FieldErrors, optional_single_line, required_text};

/// The longest feedback text we accept, in characters.
pub const BODY_MAX_CHARS: usize = 10_000;
/// The longest title we accept, in characters.
pub const TITLE_MAX_CHARS: usize = 200;
/// The longest internal note we accept, in characters.
pub const NOTE_MAX_CHARS: usize = 5_000;

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in the order forms list them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(raw: &str) -> Option<Self> {
                match raw.trim() { $($text => Some($name::$variant),)+ _ => None }
            }

            /// Parses the value of form or JSON field `field`, or says what it may be.
            pub fn parse_as(field: &'static str, raw: &str) -> Result<Self, $crate::domain::FieldErrors> {
                Self::parse(raw).ok_or_else(|| {
                    $crate::domain::FieldErrors::one(field, format!("choose one of {}", Self::choices()))
                })
            }

            /// How people read it: "in progress", "won't fix".
            pub fn label(self) -> String {
                self.as_str().replace("wont_", "won't ").replace('_', " ")
            }

            /// "a, b or c", for error messages.
            pub fn choices() -> String {
                let names: Vec<&str> = Self::ALL.iter().map(|value| value.as_str()).collect();
                match names.split_last() {
                    Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
                    _ => names.join(""),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use text_enum;

text_enum! {
    /// What sort of thing the person is telling us.
    FeedbackKind { Pain => "pain", Idea => "idea", Praise => "praise", Question => "question" }
}

text_enum! {
    /// Where the platform team is with a feedback item.
    FeedbackStatus { New => "new", Triaged => "triaged", Planned => "planned", Done => "done", Closed => "closed" }
}

/// Satisfaction on a 1–5 scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rating(u8);

impl Rating {
    pub fn new(value: i64) -> Option<Rating> {
        (1..=5).contains(&value).then_some(Rating(value as u8))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// Feedback as typed into the form or sent as JSON, before any checks.
/// An empty `rating` means "no rating".
#[derive(Debug, Clone, Default)]
pub struct FeedbackDraft {
    pub service: String,
    pub kind: String,
    pub rating: String,
    pub title: String,
    pub body: String,
    pub anonymous: bool,
    pub contact_ok: bool,
}

/// Feedback that passed every check and can be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFeedback {
    pub service: ServiceSlug,
    pub kind: FeedbackKind,
    pub rating: Option<Rating>,
    pub title: Option<String>,
    pub body: String,
    pub anonymous: bool,
    /// "You may contact me about this"; never set on anonymous feedback.
    pub contact_ok: bool,
}

impl NewFeedback {
    /// Checks every field of `draft`, reporting all problems at once. Whether
    /// the service exists is for the catalog to say, not this function.
    pub fn parse(draft: &FeedbackDraft) -> Result<NewFeedback, FieldErrors> {
        let mut errors = FieldErrors::default();
        let service = ServiceSlug::parse(&draft.service)
            .map_err(|message| errors.add("service", message))
            .ok();
        let kind = FeedbackKind::parse(&draft.kind);
        if kind.is_none() {
            errors.add("kind", format!("choose one of {}", FeedbackKind::choices()));
        }
        let rating = match draft.rating.trim() {
            "" => None,
            raw => {
                let rating = raw.parse::<i64>().ok().and_then(Rating::new);
                if rating.is_none() {
                    errors.add(
                        "rating",
                        "must be a whole number from 1 to 5, or left empty",
                    );
                }
                rating
            }
        };
        let title = optional_single_line(&draft.title, TITLE_MAX_CHARS)
            .map_err(|message| errors.add("title", message))
            .ok()
            .flatten();
        let body = match required_text(&draft.body, BODY_MAX_CHARS) {
            Ok(body) => Some(body),
            Err(_) if draft.body.trim().is_empty() => {
                errors.add("body", "tell us what happened or what would help");
                None
            }
            Err(message) => {
                errors.add("body", message);
                None
            }
        };
        if draft.anonymous && draft.contact_ok {
            errors.add(
                "contact_ok",
                "we cannot contact you about anonymous feedback: untick one of the two",
            );
        }
        errors.into_result(|| NewFeedback {
            service: service.expect("checked above"),
            kind: kind.expect("checked above"),
            rating,
            title,
            body: body.expect("checked above"),
            anonymous: draft.anonymous,
            contact_ok: draft.contact_ok && !draft.anonymous,
        })
    }
}

/// Parses tags typed as "caching, flaky ci": lowercase letters, digits and
/// `-`, up to 40 characters each, at most 10 at once. Duplicates are dropped.
pub fn parse_tags(raw: &str) -> Result<Vec<String>, String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in raw.split(|c: char| c == ',' || c.is_whitespace()) {
        let tag = tag.trim().to_lowercase();
        if tag.is_empty() || tags.contains(&tag) {
            continue;
        }
        let well_formed = tag.len() <= 40
            && tag
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !well_formed {
            return Err(format!(
                "{tag:?} is not a tag: use lowercase letters, digits and '-', up to 40 characters"
            ));
        }
        tags.push(tag);
    }
    if tags.is_empty() {
        return Err("type at least one tag".to_owned());
    }
    if tags.len() > 10 {
        return Err("add at most 10 tags at once".to_owned());
    }
    Ok(tags)
}

/// A stored feedback item.
#[derive(Debug, Clone, PartialEq)]
pub struct Feedback {
    pub id: i64,
    pub service_slug: String,
    pub service_name: String,
    pub kind: FeedbackKind,
    pub rating: Option<u8>,
    pub title: Option<String>,
    pub body: String,
    /// `None` for anonymous feedback, which stores no author.
    pub author: Option<Author>,
    pub contact_ok: bool,
    pub status: FeedbackStatus,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Who on the platform team looks after it: (user id, name).
    pub assignee: Option<(i64, String)>,
    /// The submitter asked to be told when the status changes.
    pub notify_status: bool,
}

impl Feedback {
    pub fn is_anonymous(&self) -> bool {
        self.author.is_none()
    }
}

/// Who wrote a non-anonymous item.
#[derive(Debug, Clone, PartialEq)]
pub struct Author {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub team: Option<String>,
}

/// An internal note by the platform team.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub author_name: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// Whom an item is assigned to, for filtering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignee {
    Nobody,
    Person(i64),
}

/// Which feedback to list; `None` fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct FeedbackFilter {
    pub service: Option<String>,
    pub kind: Option<FeedbackKind>,
    pub status: Option<FeedbackStatus>,
    /// First day included.
    pub from: Option<NaiveDate>,
    /// Last day included.
    pub to: Option<NaiveDate>,
    /// Only this person's (non-anonymous) feedback.
    pub author_id: Option<i64>,
    /// Only items with this tag.
    pub tag: Option<String>,
    pub assignee: Option<Assignee>,
    pub rating: Option<u8>,
    /// Words the title or text contains, as typed.
    pub text: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> FeedbackDraft {
        FeedbackDraft {
            service: "ci-runner".into(),
            kind: "pain".into(),
            rating: "2".into(),
            title: "".into(),
            body: "Cache misses on every build since Tuesday".into(),
            anonymous: false,
            contact_ok: true,
        }
    }

    #[test]
    fn a_complete_draft_parses() {
        let feedback = NewFeedback::parse(&draft()).unwrap();
        assert_eq!(feedback.kind, FeedbackKind::Pain);
        assert_eq!(feedback.rating.map(Rating::get), Some(2));
        assert_eq!(feedback.title, None);
        assert!(feedback.contact_ok);
    }

    #[test]
    fn every_wrong_field_is_reported_at_once() {
        let errors = NewFeedback::parse(&FeedbackDraft {
            service: "".into(),
            kind: "rant".into(),
            rating: "6".into(),
            title: "x".repeat(TITLE_MAX_CHARS + 1),
            body: "   ".into(),
            anonymous: true,
            contact_ok: true,
        })
        .unwrap_err();
        for field in ["service", "kind", "rating", "title", "body", "contact_ok"] {
            assert!(errors.get(field).is_some(), "no error for {field}");
        }
    }

    #[test]
    fn ratings_outside_one_to_five_or_not_numbers_are_refused() {
        for rating in ["0", "6", "five", "2.5", "-1"] {
            let result = NewFeedback::parse(&FeedbackDraft {
                rating: rating.into(),
                ..draft()
            });
            assert!(result.is_err(), "rating {rating} was accepted");
        }
    }

    #[test]
    fn tags_are_split_lowercased_and_deduplicated() {
        assert_eq!(
            parse_tags("Caching, flaky  caching,alert-fatigue").unwrap(),
            vec!["caching", "flaky", "alert-fatigue"]
        );
        assert!(parse_tags(" , ").is_err());
        assert!(parse_tags("<script>").is_err());
    }

    #[test]
    fn kinds_and_statuses_read_back_what_they_write() {
        for kind in FeedbackKind::ALL {
            assert_eq!(FeedbackKind::parse(kind.as_str()), Some(*kind));
        }
        for status in FeedbackStatus::ALL {
            assert_eq!(FeedbackStatus::parse(status.as_str()), Some(*status));
        }
        assert_eq!(FeedbackKind::choices(), "pain, idea, praise or question");
    }
}
