//! Disclosure control: the one place that decides which figures about
//! people's answers may be published. Every surface publishes through it:
//! the results page, the results API and its CSV export (all three render
//! [`super::survey_results::SurveyResults`]), the dashboard, service pages
//! and summaries by email ([`super::satisfaction`]), search over survey
//! comments (only published comments are indexed), and the monthly
//! averages of feedback ratings. Nothing else computes suppression.
//!
//! # The rules
//!
//! k is the survey's anonymity threshold ([`DEFAULT_THRESHOLD`] unless set;
//! an anonymous survey needs at least [`MIN_ANONYMOUS_THRESHOLD`]).
//!
//! 1. **Only real answers count.** "Not applicable" and skipped questions
//!    are not answers: a group's size is the number of real answers in it.
//! 2. **k per cell.** A figure is shown only if it rests on at least k real
//!    answers.
//! 3. **Complementary suppression.** In a table (one question by team),
//!    what stays hidden is 0 or at least k real answers, respondents
//!    without a team included; and so are the hidden teams alone, since
//!    how many answered without a team can often be read off the response
//!    counts. Teams are hidden, smallest first, until both hold.
//! 4. **A hidden question hides everything about it**: its score and count,
//!    team and service rows, comparisons, movers, distribution and comments.
//! 5. **Comparisons only between publishable figures**: both waves' figures
//!    must be shown, and only such comparisons become movers.
//! 6. **Hidden groups are not named.** A table lists the teams it shows and
//!    says whether anything else is hidden, never which teams: naming a
//!    hidden one-person team would say that its person answered.
//! 7. **Steps.** Published figures move only when at least k new real
//!    answers (k new responses, for response counts) have arrived since the
//!    last refresh, so reading results before and after one person answers
//!    tells nothing. Closing refreshes by the same rule: publishing fewer
//!    than k answers on top of figures already seen would give them away,
//!    and whoever closes the survey chooses when that is. Team rows, which
//!    a single answer could move, are shown only once the survey is closed.
//! 8. **Comments** are published with the same steps, only where their
//!    question has at least k of them, dated by the day.
//! 9. **Feedback ratings** are averaged for others to read (service pages,
//!    summaries) only over at least [`DEFAULT_THRESHOLD`] ratings, and only
//!    for a period that is over, so a new rating never moves a figure.
//!
//! 10. **Coarse times.** Anonymous feedback keeps the hour it was given,
//!     anonymous survey answers the day: too coarse to match against who
//!     signed in when.
//!
//! These are primary and complementary cell suppression in the sense of
//! statistical disclosure control (Hundepool et al., "Statistical
//! Disclosure Control", Wiley 2012, ch. 4 and 5).

use chrono::{DateTime, Duration, DurationRound, NaiveTime, Utc};

/// The anonymity threshold of a survey that does not set one.
pub const DEFAULT_THRESHOLD: u32 = 5;

/// The smallest threshold an anonymous survey may have: below it, a
/// figure is one or two people's own answers.
pub const MIN_ANONYMOUS_THRESHOLD: u32 = 3;

/// The largest threshold a survey may have.
pub const MAX_THRESHOLD: u32 = 1_000;

/// Checks a survey's threshold; the message says what to fix.
pub fn check_threshold(anonymous: bool, threshold: Option<i64>) -> Result<u32, String> {
    let threshold = threshold.unwrap_or(i64::from(DEFAULT_THRESHOLD));
    let least = if anonymous {
        MIN_ANONYMOUS_THRESHOLD
    } else {
        1
    };
    if threshold < i64::from(least) || threshold > i64::from(MAX_THRESHOLD) {
        return Err(if anonymous {
            format!(
                "must be a whole number from {MIN_ANONYMOUS_THRESHOLD} to {MAX_THRESHOLD}: an anonymous survey never shows fewer than {MIN_ANONYMOUS_THRESHOLD} people's answers"
            )
        } else {
            format!("must be a whole number from 1 to {MAX_THRESHOLD}")
        });
    }
    Ok(threshold as u32)
}

/// Whether a figure resting on `real` answers may be shown (rules 1, 2).
pub fn publishable(real: u32, k: u32) -> bool {
    real >= k.max(1)
}

/// Which teams of one question's table are shown (rules 2, 3, 4): `teams`
/// holds each team's real answers, `overall` the question's (respondents
/// without a team included). A team not shown is hidden and not named.
pub fn team_rows(overall: u32, teams: &[u32], k: u32) -> Vec<bool> {
    let k = k.max(1);
    if !publishable(overall, k) {
        return vec![false; teams.len()];
    }
    let mut shown: Vec<bool> = teams.iter().map(|&n| publishable(n, k)).collect();
    let grouped: u64 = teams.iter().map(|&n| u64::from(n)).sum();
    let without_team = u64::from(overall).saturating_sub(grouped);
    let safe = |n: u64| n == 0 || n >= u64::from(k);
    loop {
        let hidden_teams: u64 = teams
            .iter()
            .zip(&shown)
            .filter(|(_, shown)| !**shown)
            .map(|(&n, _)| u64::from(n))
            .sum();
        if safe(hidden_teams) && safe(hidden_teams + without_team) {
            return shown;
        }
        let smallest_shown = teams
            .iter()
            .enumerate()
            .filter(|(index, _)| shown[*index])
            .min_by_key(|(index, n)| (**n, *index))
            .map(|(index, _)| index);
        match smallest_shown {
            Some(index) => shown[index] = false,
            // Every team hidden: what is left cannot be made safer without
            // hiding the question, whose figure rests on k answers or more.
            None => return shown,
        }
    }
}

/// Whether two waves' figures may be compared (rule 5): both shown.
pub fn comparable(before_real: u32, before_k: u32, after_real: u32, after_k: u32) -> bool {
    publishable(before_real, before_k) && publishable(after_real, after_k)
}

/// Whether a question's (or a survey's response counts') published figures
/// are refreshed, with `unpublished` real answers (responses) arrived since
/// the last refresh (rule 7). The same rule holds when the survey closes.
pub fn refresh_due(unpublished: u32, k: u32) -> bool {
    unpublished >= k.max(1)
}

/// Whether team rows are shown at all (rule 7): only once the survey is
/// closed and no answer can move them.
pub fn team_rows_published(closed: bool) -> bool {
    closed
}

/// Whether the average of `ratings` feedback ratings over a period may be
/// shown to others (rule 9).
pub fn rating_average_publishable(ratings: u32, period_is_over: bool) -> bool {
    period_is_over && publishable(ratings, DEFAULT_THRESHOLD)
}

/// The time anonymous feedback keeps: the start of its hour (rule 10).
pub fn anonymous_feedback_time(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(Duration::hours(1)).unwrap_or(at)
}

/// The time an anonymous survey answer keeps: the start of its day (rule 10).
pub fn anonymous_answer_time(at: DateTime<Utc>) -> DateTime<Utc> {
    at.date_naive().and_time(NaiveTime::MIN).and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_surveys_need_a_threshold_of_three_or_more() {
        assert_eq!(check_threshold(true, None), Ok(5));
        assert!(check_threshold(true, Some(1)).is_err());
        assert!(check_threshold(true, Some(2)).is_err());
        assert_eq!(check_threshold(true, Some(3)), Ok(3));
        assert_eq!(check_threshold(false, Some(1)), Ok(1));
        assert!(check_threshold(false, Some(0)).is_err());
        assert!(check_threshold(false, Some(1_001)).is_err());
    }

    #[test]
    fn large_teams_are_all_shown() {
        assert_eq!(team_rows(75, &[20, 30, 25], 5), vec![true, true, true]);
    }

    #[test]
    fn a_hidden_question_shows_no_team() {
        assert_eq!(team_rows(4, &[4], 5), vec![false]);
    }

    #[test]
    fn one_small_team_forces_the_next_smallest_to_be_hidden() {
        // 70 − (30 + 25 + 12) = 3 would be the small team's answers.
        assert_eq!(
            team_rows(70, &[3, 30, 25, 12], 5),
            vec![false, true, true, false]
        );
    }

    #[test]
    fn a_few_respondents_without_a_team_are_covered_by_hiding_a_team() {
        // 52 − 50 = 2 answers without a team would be revealed.
        assert_eq!(team_rows(52, &[20, 30], 5), vec![false, true]);
    }

    #[test]
    fn hidden_teams_alone_are_never_fewer_than_k() {
        // 3 without a team and 2 in a small team make 5, but the 3 can be
        // read off the response counts, which would leave the 2.
        assert_eq!(team_rows(17, &[2, 6, 6], 5), vec![false, false, true]);
    }

    #[test]
    fn two_small_teams_cover_each_other() {
        assert_eq!(
            team_rows(55, &[2, 3, 30, 20], 5),
            vec![false, false, true, true]
        );
    }

    #[test]
    fn teams_without_real_answers_change_nothing() {
        assert_eq!(team_rows(50, &[0, 30, 20], 5), vec![false, true, true]);
    }

    #[test]
    fn comparisons_and_refreshes_follow_k() {
        assert!(!comparable(1, 5, 40, 5));
        assert!(comparable(5, 5, 40, 5));
        assert!(!refresh_due(4, 5));
        assert!(refresh_due(5, 5));
    }

    #[test]
    fn anonymous_times_keep_the_hour_or_the_day() {
        let at: DateTime<Utc> = "2026-03-04T10:41:07.123Z".parse().unwrap();
        assert_eq!(
            anonymous_feedback_time(at).to_rfc3339(),
            "2026-03-04T10:00:00+00:00"
        );
        assert_eq!(
            anonymous_answer_time(at).to_rfc3339(),
            "2026-03-04T00:00:00+00:00"
        );
    }

    #[test]
    fn rating_averages_wait_for_the_period_and_k_ratings() {
        assert!(!rating_average_publishable(1, true));
        assert!(!rating_average_publishable(50, false));
        assert!(rating_average_publishable(5, true));
    }
}
