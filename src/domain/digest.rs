//! Satisfaction summaries: when each subscription is due and which period
//! a message covers, in the subscriber's time zone.
//!
//! A weekly subscription is sent on its weekday at its hour and covers the
//! seven days before; a monthly one is sent on the 1st at its hour and
//! covers the calendar month before. Each period has a key (`weekly:2026-11-23`,
//! `monthly:2026-10`) that, with the subscription, identifies its one message.

use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use super::feedback::text_enum;
use super::people::{Email, Role};
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

/// How often a subscription is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    Weekly(Weekday),
    Monthly,
}

/// When a subscription is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub cadence: Cadence,
    /// Local hour of the day, 0–23.
    pub hour: u8,
    pub timezone: Tz,
}

/// The stretch of time one message covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub key: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// When the message for this period is due.
    pub send_at: DateTime<Utc>,
}

/// Local midnight-or-later instant, resolving DST gaps and overlaps.
fn at_local(timezone: Tz, day: NaiveDate, hour: u8) -> DateTime<Utc> {
    let naive = day
        .and_hms_opt(u32::from(hour), 0, 0)
        .expect("hours are 0 to 23");
    match timezone.from_local_datetime(&naive) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => at.with_timezone(&Utc),
        // The hour does not exist that day (clocks jumped forward): an hour later.
        LocalResult::None => at_local_plus_hour(timezone, naive),
    }
}

fn at_local_plus_hour(timezone: Tz, naive: chrono::NaiveDateTime) -> DateTime<Utc> {
    let later = naive + Duration::hours(1);
    match timezone.from_local_datetime(&later) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => at.with_timezone(&Utc),
        LocalResult::None => Utc.from_utc_datetime(&naive),
    }
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).expect("every month has a 1st")
}

fn previous_month(first: NaiveDate) -> NaiveDate {
    first_of_month(first - Duration::days(1))
}

impl Schedule {
    /// The send day (local) of the latest send time at or before `now`.
    fn latest_send_day(&self, now: DateTime<Utc>) -> NaiveDate {
        let today = now.with_timezone(&self.timezone).date_naive();
        match self.cadence {
            Cadence::Weekly(weekday) => {
                let back = (7 + today.weekday().num_days_from_monday()
                    - weekday.num_days_from_monday())
                    % 7;
                let day = today - Duration::days(i64::from(back));
                if at_local(self.timezone, day, self.hour) <= now {
                    day
                } else {
                    day - Duration::days(7)
                }
            }
            Cadence::Monthly => {
                let day = first_of_month(today);
                if at_local(self.timezone, day, self.hour) <= now {
                    day
                } else {
                    previous_month(day)
                }
            }
        }
    }

    fn period_sent_on(&self, send_day: NaiveDate) -> Period {
        let send_at = at_local(self.timezone, send_day, self.hour);
        match self.cadence {
            Cadence::Weekly(_) => Period {
                key: format!("weekly:{send_day}"),
                start: at_local(self.timezone, send_day - Duration::days(7), self.hour),
                end: send_at,
                send_at,
            },
            Cadence::Monthly => {
                let month = previous_month(send_day);
                Period {
                    key: format!("monthly:{}", month.format("%Y-%m")),
                    start: at_local(self.timezone, month, 0),
                    end: at_local(self.timezone, send_day, 0),
                    send_at,
                }
            }
        }
    }

    /// The latest period whose message is due at `now`.
    pub fn latest_due(&self, now: DateTime<Utc>) -> Period {
        self.period_sent_on(self.latest_send_day(now))
    }

    /// The period in progress at `now`, whose message is due next.
    pub fn in_progress(&self, now: DateTime<Utc>) -> Period {
        let latest = self.latest_send_day(now);
        let next = match self.cadence {
            Cadence::Weekly(_) => latest + Duration::days(7),
            Cadence::Monthly => first_of_month(latest + Duration::days(32)),
        };
        self.period_sent_on(next)
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
        let hour = match draft.hour.trim() {
            "" => Some(8),
            raw => raw.parse::<u8>().ok().filter(|hour| *hour < 24),
        };
        if hour.is_none() {
            errors.add("hour", "must be an hour from 0 to 23");
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
                hour: hour.expect("checked above"),
                timezone: timezone.expect("checked above"),
            },
            services: draft.services.clone(),
            sections,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn weekly(weekday: Weekday, hour: u8, timezone: Tz) -> Schedule {
        Schedule {
            cadence: Cadence::Weekly(weekday),
            hour,
            timezone,
        }
    }

    #[test]
    fn a_weekly_digest_covers_the_seven_days_before_its_send_time() {
        // Thursday 26 November 2026, 11:00 UTC.
        let schedule = weekly(Weekday::Mon, 8, Tz::UTC);
        let period = schedule.latest_due(utc("2026-11-26T11:00:00Z"));
        assert_eq!(period.key, "weekly:2026-11-23");
        assert_eq!(period.send_at, utc("2026-11-23T08:00:00Z"));
        assert_eq!(period.start, utc("2026-11-16T08:00:00Z"));
        assert_eq!(period.end, period.send_at);
    }

    #[test]
    fn the_send_hour_is_in_the_subscribers_time_zone() {
        let schedule = weekly(Weekday::Thu, 9, Tz::Europe__Berlin);
        // 07:59 UTC is 08:59 in Berlin: this week's Thursday 09:00 has not come yet.
        assert_eq!(
            schedule.latest_due(utc("2026-11-26T07:59:00Z")).key,
            "weekly:2026-11-19"
        );
        // 08:00 UTC is 09:00 in Berlin.
        let due = schedule.latest_due(utc("2026-11-26T08:00:00Z"));
        assert_eq!(due.key, "weekly:2026-11-26");
        assert_eq!(due.send_at, utc("2026-11-26T08:00:00Z"));
    }

    #[test]
    fn a_monthly_digest_covers_the_previous_calendar_month() {
        let schedule = Schedule {
            cadence: Cadence::Monthly,
            hour: 8,
            timezone: Tz::America__New_York,
        };
        let period = schedule.latest_due(utc("2026-11-26T11:00:00Z"));
        assert_eq!(period.key, "monthly:2026-10");
        assert_eq!(period.start, utc("2026-10-01T04:00:00Z"));
        assert_eq!(period.end, utc("2026-11-01T04:00:00Z"));
        assert_eq!(period.send_at, utc("2026-11-01T13:00:00Z"));
        let early = schedule.latest_due(utc("2026-11-01T12:59:00Z"));
        assert_eq!(early.key, "monthly:2026-09");
    }

    #[test]
    fn the_period_in_progress_is_the_one_due_next() {
        let schedule = weekly(Weekday::Mon, 8, Tz::UTC);
        let now = utc("2026-11-26T11:00:00Z");
        let next = schedule.in_progress(now);
        assert_eq!(next.key, "weekly:2026-11-30");
        assert_eq!(next.start, schedule.latest_due(now).end);
        let monthly = Schedule {
            cadence: Cadence::Monthly,
            hour: 8,
            timezone: Tz::UTC,
        };
        assert_eq!(monthly.in_progress(now).key, "monthly:2026-11");
        let january = Schedule {
            cadence: Cadence::Monthly,
            hour: 8,
            timezone: Tz::UTC,
        };
        assert_eq!(
            january.in_progress(utc("2026-12-15T00:00:00Z")).key,
            "monthly:2026-12"
        );
    }

    #[test]
    fn a_send_hour_skipped_by_daylight_saving_moves_an_hour_later() {
        // Clocks in Berlin jump from 02:00 to 03:00 on Sunday 29 March 2026.
        let schedule = weekly(Weekday::Sun, 2, Tz::Europe__Berlin);
        let due = schedule.latest_due(utc("2026-03-29T12:00:00Z"));
        assert_eq!(due.send_at, utc("2026-03-29T01:00:00Z"));
    }

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
