//! When summaries are sent and which stretch of time each one covers, in
//! the subscriber's time zone.
//!
//! A weekly subscription is sent on its weekday at its time and covers the
//! seven days before; a monthly one is sent on the 1st at its time and
//! covers the calendar month before. Each period has a key
//! (`weekly:2026-11-23`, `monthly:2026-10`) that, with the subscription,
//! identifies its one message. Consecutive periods meet without a gap or an
//! overlap, across daylight-saving changes, month and year ends and 29
//! February, so a scheduler that asks at any moments sends each period once.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, Offset, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

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
    /// Minute of that hour, 0–59.
    pub minute: u8,
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

/// The instant of local time `hour:minute` on `day` in `timezone`.
///
/// Daylight saving, as cron and most schedulers resolve it: a time that
/// occurs twice (clocks going back) is its first occurrence; a time that
/// does not exist (clocks jumping forward) is read with the offset before
/// the jump, so 02:30 on the day Berlin skips from 02:00 to 03:00 is 03:30.
/// Either way each day has exactly one send time.
fn at_local(timezone: Tz, day: NaiveDate, hour: u8, minute: u8) -> DateTime<Utc> {
    let naive = day
        .and_hms_opt(u32::from(hour), u32::from(minute), 0)
        .expect("hours are 0 to 23 and minutes 0 to 59");
    match timezone.from_local_datetime(&naive) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => at.with_timezone(&Utc),
        LocalResult::None => {
            // The offset in force just before the gap: that of the same wall
            // time a day earlier (no zone has two changes a day apart).
            let before = naive - Duration::days(1);
            let offset = match timezone.from_local_datetime(&before) {
                LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => {
                    at.offset().fix().local_minus_utc()
                }
                LocalResult::None => 0,
            };
            Utc.from_utc_datetime(&(naive - Duration::seconds(i64::from(offset))))
        }
    }
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).expect("every month has a 1st")
}

fn previous_month(first: NaiveDate) -> NaiveDate {
    first_of_month(first - Duration::days(1))
}

impl Schedule {
    /// When a message is sent on the local day `day`.
    fn send_time(&self, day: NaiveDate) -> DateTime<Utc> {
        at_local(self.timezone, day, self.hour, self.minute)
    }

    /// The send day (local) of the latest send time at or before `now`.
    fn latest_send_day(&self, now: DateTime<Utc>) -> NaiveDate {
        let today = now.with_timezone(&self.timezone).date_naive();
        match self.cadence {
            Cadence::Weekly(weekday) => {
                let back = (7 + today.weekday().num_days_from_monday()
                    - weekday.num_days_from_monday())
                    % 7;
                let day = today - Duration::days(i64::from(back));
                if self.send_time(day) <= now {
                    day
                } else {
                    day - Duration::days(7)
                }
            }
            Cadence::Monthly => {
                let day = first_of_month(today);
                if self.send_time(day) <= now {
                    day
                } else {
                    previous_month(day)
                }
            }
        }
    }

    fn period_sent_on(&self, send_day: NaiveDate) -> Period {
        let send_at = self.send_time(send_day);
        match self.cadence {
            Cadence::Weekly(_) => Period {
                key: format!("weekly:{send_day}"),
                start: self.send_time(send_day - Duration::days(7)),
                end: send_at,
                send_at,
            },
            Cadence::Monthly => {
                let month = previous_month(send_day);
                Period {
                    key: format!("monthly:{}", month.format("%Y-%m")),
                    start: at_local(self.timezone, month, 0, 0),
                    end: at_local(self.timezone, send_day, 0, 0),
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

/// A send time as people type it: an hour (`8`, `16`) or hour and minute
/// (`08:30`); empty means 08:00.
pub(super) fn parse_send_time(raw: &str) -> Option<(u8, u8)> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Some((8, 0));
    }
    let (hour, minute) = raw.split_once(':').unwrap_or((raw, "0"));
    let digits = |text: &str| {
        !text.is_empty() && text.len() <= 2 && text.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(hour) || !digits(minute) {
        return None;
    }
    let (hour, minute) = (hour.parse::<u8>().ok()?, minute.parse::<u8>().ok()?);
    (hour < 24 && minute < 60).then_some((hour, minute))
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
            minute: 0,
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
            minute: 0,
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
            minute: 0,
            timezone: Tz::UTC,
        };
        assert_eq!(monthly.in_progress(now).key, "monthly:2026-11");
        let january = Schedule {
            cadence: Cadence::Monthly,
            hour: 8,
            minute: 0,
            timezone: Tz::UTC,
        };
        assert_eq!(
            january.in_progress(utc("2026-12-15T00:00:00Z")).key,
            "monthly:2026-12"
        );
    }

    fn at(timezone: Tz, weekday: Weekday, hour: u8, minute: u8) -> Schedule {
        Schedule {
            cadence: Cadence::Weekly(weekday),
            hour,
            minute,
            timezone,
        }
    }

    /// Runs a scheduler every `step` from `from` to `to` and returns
    /// every period it found due, in order, with a check that each period
    /// was due over one unbroken stretch (sent once, never twice), that
    /// each follows the one before without a gap, and that the period in
    /// progress is always the next one.
    fn walk_every(step: Duration, schedule: &Schedule, from: &str, to: &str) -> Vec<Period> {
        let (mut now, to) = (utc(from), utc(to));
        let mut due: Vec<Period> = Vec::new();
        while now <= to {
            let latest = schedule.latest_due(now);
            assert!(latest.send_at <= now, "{latest:?} is not due at {now}");
            let next = schedule.in_progress(now);
            assert_eq!(next.start, latest.end, "a gap after {latest:?} at {now}");
            assert!(next.send_at > now, "{next:?} should be due by {now}");
            match due.last() {
                Some(last) if *last == latest => {}
                Some(last) => {
                    assert!(
                        !due.contains(&latest),
                        "{} due twice (again at {now})",
                        latest.key
                    );
                    assert_eq!(last.end, latest.start, "{} then {}", last.key, latest.key);
                    due.push(latest);
                }
                None => due.push(latest),
            }
            now += step;
        }
        due
    }

    fn walk(schedule: &Schedule, from: &str, to: &str) -> Vec<Period> {
        walk_every(Duration::minutes(5), schedule, from, to)
    }

    fn keys(periods: &[Period]) -> Vec<&str> {
        periods.iter().map(|period| period.key.as_str()).collect()
    }

    #[test]
    fn a_weekly_summary_at_0230_on_the_day_berlin_skips_that_hour_is_sent_once() {
        // Clocks in Berlin jump from 02:00 to 03:00 on Sunday 29 March 2026.
        let schedule = at(Tz::Europe__Berlin, Weekday::Sun, 2, 30);
        let due = walk(&schedule, "2026-03-21T00:00:00Z", "2026-04-06T00:00:00Z");
        assert_eq!(
            keys(&due),
            [
                "weekly:2026-03-15",
                "weekly:2026-03-22",
                "weekly:2026-03-29",
                "weekly:2026-04-05"
            ]
        );
        // 02:30 read on winter time: 01:30 UTC, which is 03:30 in Berlin that day.
        assert_eq!(due[2].send_at, utc("2026-03-29T01:30:00Z"));
        assert_eq!(due[3].send_at, utc("2026-04-05T00:30:00Z"));
        // The week around the change is an hour shorter, as the clocks say.
        assert_eq!(
            due[3].end - due[3].start,
            Duration::hours(7 * 24) - Duration::hours(1)
        );
    }

    #[test]
    fn a_weekly_summary_at_an_hour_that_happens_twice_is_sent_once_at_the_first() {
        // Berlin goes back from 03:00 to 02:00 on Sunday 25 October 2026.
        let schedule = at(Tz::Europe__Berlin, Weekday::Sun, 2, 30);
        let due = walk(&schedule, "2026-10-17T00:00:00Z", "2026-11-02T00:00:00Z");
        assert_eq!(
            keys(&due),
            [
                "weekly:2026-10-11",
                "weekly:2026-10-18",
                "weekly:2026-10-25",
                "weekly:2026-11-01"
            ]
        );
        assert_eq!(due[2].send_at, utc("2026-10-25T00:30:00Z"));
        assert_eq!(due[3].send_at, utc("2026-11-01T01:30:00Z"));
    }

    #[test]
    fn new_york_summaries_are_sent_once_across_both_changes() {
        // 8 March 2026: 02:00 → 03:00; 1 November 2026: 02:00 → 01:00.
        let schedule = at(Tz::America__New_York, Weekday::Sun, 1, 30);
        let spring = walk(&schedule, "2026-03-01T00:00:00Z", "2026-03-16T00:00:00Z");
        assert_eq!(
            keys(&spring),
            [
                "weekly:2026-02-22",
                "weekly:2026-03-01",
                "weekly:2026-03-08",
                "weekly:2026-03-15"
            ]
        );
        let autumn = walk(&schedule, "2026-10-25T00:00:00Z", "2026-11-09T00:00:00Z");
        assert_eq!(
            keys(&autumn),
            [
                "weekly:2026-10-18",
                "weekly:2026-10-25",
                "weekly:2026-11-01",
                "weekly:2026-11-08"
            ]
        );
        // 01:30 happens twice on 1 November: the first, still on summer time.
        assert_eq!(autumn[2].send_at, utc("2026-11-01T05:30:00Z"));
        let skipped = at(Tz::America__New_York, Weekday::Sun, 2, 15);
        let due = walk(&skipped, "2026-03-07T00:00:00Z", "2026-03-09T00:00:00Z");
        assert_eq!(keys(&due), ["weekly:2026-03-01", "weekly:2026-03-08"]);
        assert_eq!(due[1].send_at, utc("2026-03-08T07:15:00Z"));
    }

    #[test]
    fn monthly_summaries_cover_every_month_once_across_a_year_end_and_a_leap_day() {
        let schedule = Schedule {
            cadence: Cadence::Monthly,
            hour: 9,
            minute: 0,
            timezone: Tz::Europe__Berlin,
        };
        let due = walk(&schedule, "2027-11-20T00:00:00Z", "2028-04-10T00:00:00Z");
        assert_eq!(
            keys(&due),
            [
                "monthly:2027-10",
                "monthly:2027-11",
                "monthly:2027-12",
                "monthly:2028-01",
                "monthly:2028-02",
                "monthly:2028-03"
            ]
        );
        let december = &due[2];
        assert_eq!(december.start, utc("2027-11-30T23:00:00Z"));
        assert_eq!(december.end, utc("2027-12-31T23:00:00Z"));
        assert_eq!(december.send_at, utc("2028-01-01T08:00:00Z"));
        let february = &due[4];
        assert_eq!(february.end - february.start, Duration::days(29));
        assert_eq!(february.send_at, utc("2028-03-01T08:00:00Z"));
        // March loses an hour to summer time.
        let march = &due[5];
        assert_eq!(
            march.end - march.start,
            Duration::days(31) - Duration::hours(1)
        );
    }

    #[test]
    fn every_schedule_sends_each_period_once_over_a_whole_year() {
        for timezone in [
            Tz::UTC,
            Tz::Europe__Berlin,
            Tz::Europe__London,
            Tz::America__New_York,
            Tz::Australia__Sydney,
            Tz::Asia__Kolkata,
        ] {
            for (hour, minute) in [(0, 0), (1, 30), (2, 30), (23, 45)] {
                let weekly = walk_every(
                    Duration::minutes(45),
                    &at(timezone, Weekday::Sun, hour, minute),
                    "2026-01-01T00:00:00Z",
                    "2027-01-05T00:00:00Z",
                );
                // The Sunday before 2026 began, the 52 Sundays of 2026 and 3 January 2027.
                assert_eq!(weekly.len(), 54, "{timezone} {hour}:{minute}");
            }
            let monthly = walk_every(
                Duration::minutes(45),
                &Schedule {
                    cadence: Cadence::Monthly,
                    hour: 0,
                    minute: 30,
                    timezone,
                },
                "2027-12-31T00:00:00Z",
                "2029-01-02T00:00:00Z",
            );
            // November 2027 (due on 1 December), then every month to December 2028.
            assert_eq!(monthly.len(), 14, "{timezone}");
        }
    }

    #[test]
    fn send_times_are_read_as_people_type_them() {
        for (raw, expected) in [
            ("", Some((8, 0))),
            ("8", Some((8, 0))),
            ("08:30", Some((8, 30))),
            (" 23:59 ", Some((23, 59))),
            ("24", None),
            ("7:60", None),
            ("-1", None),
            ("8:", None),
            ("eight", None),
            ("+8", None),
        ] {
            assert_eq!(parse_send_time(raw), expected, "{raw:?}");
        }
    }
}
