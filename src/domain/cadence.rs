//! The discovery habit: interviews per week against the team's target, and
//! the streak of weeks that met it.

use chrono::{Datelike, Duration, NaiveDate};

/// Interviews held in one week (Monday to Sunday).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Week {
    pub starts: NaiveDate,
    pub interviews: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cadence {
    /// Oldest first; the last is the current week, still in progress.
    pub weeks: Vec<Week>,
    pub target: u32,
    /// Weeks in a row that met the target, up to this week. This week
    /// counts once it has met the target; until then it does not break
    /// the streak.
    pub streak: u32,
}

pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The last `weeks` weeks up to `today`, from the days interviews were held.
pub fn cadence(held: &[NaiveDate], today: NaiveDate, target: u32, weeks: u32) -> Cadence {
    let this_week = monday_of(today);
    let count =
        |starts: NaiveDate| held.iter().filter(|day| monday_of(**day) == starts).count() as u32;
    let shown: Vec<Week> = (0..weeks)
        .rev()
        .map(|back| {
            let starts = this_week - Duration::weeks(i64::from(back));
            Week {
                starts,
                interviews: count(starts),
            }
        })
        .collect();
    let mut streak = u32::from(count(this_week) >= target);
    let mut starts = this_week - Duration::weeks(1);
    while target > 0 && count(starts) >= target {
        streak += 1;
        starts -= Duration::weeks(1);
    }
    Cadence {
        weeks: shown,
        target,
        streak,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_streak_counts_weeks_that_met_the_target_and_this_week_does_not_break_it() {
        // Thursday 26 November 2026; weeks start on Mondays 23, 16, 9 and 2 November.
        let held = [
            day("2026-11-17"),
            day("2026-11-19"),
            day("2026-11-10"),
            day("2026-11-11"),
            day("2026-11-03"),
        ];
        let today = day("2026-11-26");
        let two = cadence(&held, today, 2, 4);
        assert_eq!(
            two.weeks
                .iter()
                .map(|week| week.interviews)
                .collect::<Vec<_>>(),
            [1, 2, 2, 0]
        );
        assert_eq!(two.weeks[3].starts, day("2026-11-23"));
        assert_eq!(two.streak, 2, "this week has none yet, but is not over");
        let one = cadence(&held, today, 1, 4);
        assert_eq!(one.streak, 3);
        let with_this_week = cadence(&[&held[..], &[day("2026-11-24")]].concat(), today, 1, 4);
        assert_eq!(with_this_week.streak, 4);
    }
}
