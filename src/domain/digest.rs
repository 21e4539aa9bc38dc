//! Satisfaction summaries: what a subscription asks for (address, schedule,
//! services, sections) and what each reader may be sent. When a
//! subscription is due is [`super::schedule`]. A stored subscription, and
//! what a summary reports for a period (feedback volume, discovery work).

use std::str::FromStr;

use chrono::{DateTime, Utc, Weekday};
use chrono_tz::Tz;

use super::feedback::text_enum;
use super::people::{Email, Role};
use super::schedule::parse_send_time;
pub use super::schedule::{Cadence, Period, Schedule};
use super::text::FieldErrors;

text_enum! {
    /// The parts of a summary a subscription can choose; none chosen means all.
    Section {
        Feedback => "feedback",
        Satisfaction => "satisfaction",
        Shipped => "shipped",
        PainPoints => "pain_points",
        Interviews => "interviews",
    }
}

impl Section {
    /// The heading people see on the subscription form.
    pub fn title(self) -> &'static str {
        match self {
            Section::Feedback => "Feedback volume by service",
            Section::Satisfaction => "Satisfaction scores (CSAT, NPS, CES)",
            Section::Shipped => "Shipped roadmap items",
            Section::PainPoints => "New and growing pain points",
            Section::Interviews => "Interviews held",
        }
    }
}

/// What every signed-in person may read; the rest of a summary (feedback
/// figures, satisfaction, pain points, interviews) is the platform team's.
pub const PUBLIC_SECTIONS: &[Section] = &[Section::Shipped];

/// The sections a subscription gets: the ones it chose, or all of them;
/// for an address that belongs to a contributor, the public ones whatever
/// was chosen, so a summary never shows more than its reader could open
/// in Earshot.
pub fn effective_sections(chosen: &[Section], recipient: Option<Role>) -> Vec<Section> {
    if recipient == Some(Role::Contributor) {
        PUBLIC_SECTIONS.to_vec()
    } else if chosen.is_empty() {
        Section::ALL.to_vec()
    } else {
        chosen.to_vec()
    }
}

/// A subscription as typed, before checks.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionDraft {
    pub email: String,
    /// "weekly" or "monthly".
    pub cadence: String,
    /// "monday" … "sunday", for weekly subscriptions.
    pub weekday: String,
    pub hour: String,
    pub timezone: String,
    /// Service slugs; empty means every service.
    pub services: Vec<String>,
    /// Section names; empty means every section.
    pub sections: Vec<String>,
}

/// A subscription that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSubscription {
    pub email: Email,
    pub schedule: Schedule,
    pub services: Vec<String>,
    /// Empty means every section.
    pub sections: Vec<Section>,
}

/// Weekday names as people type them.
pub fn parse_weekday(raw: &str) -> Option<Weekday> {
    Weekday::from_str(raw.trim()).ok()
}

/// Monday = 0 … Sunday = 6, as stored.
pub fn weekday_number(weekday: Weekday) -> u8 {
    weekday.num_days_from_monday() as u8
}

pub fn weekday_from_number(number: i64) -> Option<Weekday> {
    u8::try_from(number)
        .ok()
        .and_then(|number| Weekday::try_from(number).ok())
}

impl NewSubscription {
    pub fn parse(draft: &SubscriptionDraft) -> Result<NewSubscription, FieldErrors> {
        let mut errors = FieldErrors::default();
        let email = Email::parse(&draft.email)
            .map_err(|message| errors.add("email", message))
            .ok();
        let cadence = match draft.cadence.trim() {
            "monthly" => Some(Cadence::Monthly),
            "weekly" | "" => match parse_weekday(if draft.weekday.trim().is_empty() {
                "monday"
            } else {
                &draft.weekday
            }) {
                Some(weekday) => Some(Cadence::Weekly(weekday)),
                None => {
                    errors.add("weekday", "choose a day of the week, like monday");
                    None
                }
            },
            _ => {
                errors.add("cadence", "choose weekly or monthly");
                None
            }
        };
        let time = parse_send_time(&draft.hour);
        if time.is_none() {
            errors.add("hour", "must be a time of day like 8, 16 or 08:30");
        }
        let timezone = match draft.timezone.trim() {
            "" => Some(Tz::UTC),
            raw => Tz::from_str(raw).ok(),
        };
        if timezone.is_none() {
            errors.add("timezone", "must be a time zone like Europe/Berlin or UTC");
        }
        let mut sections = Vec::new();
        for raw in draft.sections.iter().filter(|raw| !raw.trim().is_empty()) {
            match Section::parse(raw) {
                Some(section) if !sections.contains(&section) => sections.push(section),
                Some(_) => {}
                None => errors.add(
                    "sections",
                    format!(
                        "{raw:?} is not a section; choose from {}",
                        Section::choices()
                    ),
                ),
            }
        }
        errors.into_result(|| NewSubscription {
            email: email.expect("checked above"),
            schedule: Schedule {
                cadence: cadence.expect("checked above"),
                hour: time.expect("checked above").0,
                minute: time.expect("checked above").1,
                timezone: timezone.expect("checked above"),
            },
            services: draft.services.clone(),
            sections,
        })
    }
}

/// Discovery work in a period, for summaries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DiscoveryActivity {
    /// Pain points named in the period: (id, title).
    pub new_pain_points: Vec<(i64, String)>,
    /// Pain points that gained the most evidence: (id, title, pieces added).
    pub growing_pain_points: Vec<(i64, String, i64)>,
    /// Roadmap items shipped: (title, the pain points they answered).
    pub shipped: Vec<(String, Vec<String>)>,
    pub interviews_held: i64,
}

/// Feedback for one service in a period.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceVolume {
    pub slug: String,
    pub name: String,
    pub count: u64,
    /// Feedback with a rating.
    pub ratings: u32,
    /// The caller keeps it only where `disclosure::rating_average_publishable` allows.
    pub average_rating: Option<f64>,
}

/// A stored subscription.
#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    pub id: i64,
    pub email: String,
    pub schedule: Schedule,
    /// Service slugs in scope; empty means every service.
    pub services: Vec<String>,
    /// Sections chosen; empty means every section.
    pub sections: Vec<Section>,
    /// The role of the Earshot user with this address, if there is one
    /// (a list or an outside stakeholder has none).
    pub recipient_role: Option<Role>,
    pub created_at: DateTime<Utc>,
    pub unsubscribed_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscriptions_check_every_field() {
        let errors = NewSubscription::parse(&SubscriptionDraft {
            email: "not an address".into(),
            cadence: "daily".into(),
            hour: "25".into(),
            timezone: "Mars/Olympus".into(),
            sections: vec!["gossip".into()],
            ..SubscriptionDraft::default()
        })
        .unwrap_err();
        for field in ["email", "cadence", "hour", "timezone", "sections"] {
            assert!(errors.get(field).is_some(), "no error for {field}");
        }
        let ok = NewSubscription::parse(&SubscriptionDraft {
            email: "Leads@Example.com".into(),
            cadence: "weekly".into(),
            weekday: "friday".into(),
            hour: "9".into(),
            timezone: "Europe/Paris".into(),
            services: vec![],
            sections: vec!["shipped".into(), "satisfaction".into(), "shipped".into()],
        })
        .unwrap();
        assert_eq!(ok.sections, [Section::Shipped, Section::Satisfaction]);
        assert_eq!(ok.email.as_str(), "leads@example.com");
        assert_eq!(ok.schedule.cadence, Cadence::Weekly(Weekday::Fri));
    }

    #[test]
    fn a_contributor_gets_only_the_public_sections() {
        assert_eq!(effective_sections(&[], None), Section::ALL);
        assert_eq!(
            effective_sections(&[], Some(Role::Team)),
            Section::ALL.to_vec()
        );
        assert_eq!(
            effective_sections(&[Section::Interviews], Some(Role::Contributor)),
            [Section::Shipped]
        );
    }
}
