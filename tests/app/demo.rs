//! The demo organisation is whole at any instant: seeded with `--clock`
//! at instants spread over a year, `digest send --now` has one summary for
//! every demo subscription, the discovery habit keeps its streak and the
//! survey waves fall in consecutive quarters, newest last.

use std::path::Path;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use futures_util::StreamExt;

/// 48 instants: a week walked in steps of seven hours (every hour of the
/// day, every day of the week), each demo subscription's send time and a
/// second either side, month, year and leap-day ends, and the daylight
/// saving changes of Europe and the United States in both directions.
fn instants() -> Vec<DateTime<Utc>> {
    let monday: DateTime<Utc> = "2026-11-30T00:30:00Z".parse().unwrap();
    let mut instants: Vec<DateTime<Utc>> = (0..24)
        .map(|step| monday + Duration::hours(7 * step))
        .collect();
    for send in [
        "2026-11-30T08:00:00Z", // Monday 08:00 in London
        "2026-12-01T08:00:00Z", // the 1st, 09:00 in Berlin
        "2026-12-04T21:00:00Z", // Friday 16:00 in New York
    ] {
        let send: DateTime<Utc> = send.parse().unwrap();
        instants.extend([
            send - Duration::seconds(1),
            send,
            send + Duration::seconds(1),
        ]);
    }
    for edge in [
        "2026-12-31T23:59:00Z",
        "2027-01-01T00:00:00Z",
        "2028-02-28T23:30:00Z",
        "2028-02-29T12:00:00Z",
        "2027-03-01T00:05:00+01:00",
        "2026-11-01T05:30:00Z",
        // Europe springs forward at 01:00 UTC on 29 March 2026, falls back on 25 October.
        "2026-03-29T00:59:00Z",
        "2026-03-29T01:30:00Z",
        "2026-10-25T01:30:00Z",
        "2026-03-30T07:00:00Z", // Monday 08:00 in London, summer time
        // The United States spring forward on 8 March, fall back on 1 November.
        "2026-03-08T07:30:00Z",
        "2026-11-01T06:30:00Z",
        "2026-03-27T20:00:00Z", // Friday 16:00 in New York, Europe still on winter time
        "2026-10-30T20:00:00Z", // Friday 16:00 in New York, Europe back on winter time
        "2026-10-01T07:00:00Z", // the 1st, 09:00 in Berlin, summer time
    ] {
        instants.push(DateTime::parse_from_rfc3339(edge).unwrap().to_utc());
    }
    instants
}

async fn earshot_at(data_dir: &Path, at: DateTime<Utc>, args: &[&str]) -> String {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
        .env("EARSHOT_DATA_DIR", data_dir)
        .env("EARSHOT_CLOCK", at.to_rfc3339())
        // No server has run to record its URL.
        .env("EARSHOT_PUBLIC_URL", "https://earshot.halcyon.example")
        .args(args)
        .output()
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "{args:?} at {at}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// What is wrong with the demo seeded at `at`, if anything.
async fn check_demo_at(at: DateTime<Utc>) -> Option<String> {
    let data = tempfile::tempdir().unwrap();
    earshot_at(data.path(), at, &["seed"]).await;
    let sent = earshot_at(data.path(), at, &["digest", "send", "--now"]).await;
    let connection = rusqlite::Connection::open(data.path().join("earshot.db")).unwrap();
    let per_subscription: Vec<(i64, i64)> = connection
        .prepare(
            "SELECT digest_subscriptions.id, count(email_outbox.id)
               FROM digest_subscriptions
               LEFT JOIN email_outbox ON email_outbox.subscription_id = digest_subscriptions.id
              GROUP BY digest_subscriptions.id ORDER BY digest_subscriptions.id",
        )
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    if per_subscription.len() != 3 || per_subscription.iter().any(|(_, count)| *count != 1) {
        return Some(format!(
            "{at}: summaries per subscription {per_subscription:?} ({})",
            sent.trim()
        ));
    }

    let held: Vec<NaiveDate> = connection
        .prepare("SELECT held_on FROM interviews")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let habit = earshot::domain::cadence::cadence(&held, at.date_naive(), 1, 13);
    if habit.streak < 13 {
        return Some(format!("{at}: the interview streak is {}", habit.streak));
    }

    let waves: Vec<(String, DateTime<Utc>)> = connection
        .prepare("SELECT title, created_at FROM surveys ORDER BY id")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let in_order = waves.windows(2).all(|pair| pair[0].1 < pair[1].1);
    let mut titles: Vec<&String> = waves.iter().map(|(title, _)| title).collect();
    titles.dedup();
    if waves.len() != 4 || !in_order || titles.len() != 4 || waves[3].1 > at {
        return Some(format!("{at}: survey waves {waves:?}"));
    }
    None
}

#[tokio::test]
async fn the_demo_is_whole_at_any_instant() {
    let instants = instants();
    assert_eq!(instants.len(), 48);
    let problems: Vec<String> = futures_util::stream::iter(instants)
        .map(check_demo_at)
        .buffer_unordered(4)
        .filter_map(|problem| async move { problem })
        .collect()
        .await;
    assert!(problems.is_empty(), "{problems:#?}");
}
