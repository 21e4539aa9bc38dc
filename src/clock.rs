//! The clock: "now" is an input.
//!
//! One [`Clock`] is chosen at the edge (`serve`, each command-line command,
//! each test) and passed to whatever needs the time: handlers read
//! `state.clock.now()`, jobs and the seed take a `Clock` or an instant.
//! Nothing below the edge reads the wall clock on its own, so a test can
//! pin the day it runs on and the demo can be built for any instant.
//!
//! Monotonic time (`std::time::Instant`) for durations and timeouts is not
//! "now" and stays where it is.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};

/// Where "now" comes from; cheap to clone.
#[derive(Clone, Debug)]
pub struct Clock(Arc<Source>);

#[derive(Debug)]
enum Source {
    /// The machine's wall clock.
    System,
    /// Starts at `at` when made and runs on at the pace of the monotonic
    /// clock (`earshot --clock`, tests that need a particular day while
    /// time still passes).
    From { at: DateTime<Utc>, started: Instant },
    /// Always `at` (tests that compare exact instants).
    Frozen(DateTime<Utc>),
}

impl Clock {
    /// The machine's wall clock.
    pub fn system() -> Clock {
        Clock(Arc::new(Source::System))
    }

    /// A clock that reads `at` now and runs on from there.
    pub fn starting_at(at: DateTime<Utc>) -> Clock {
        Clock(Arc::new(Source::From {
            at,
            started: Instant::now(),
        }))
    }

    /// A clock that always reads `at`.
    pub fn frozen(at: DateTime<Utc>) -> Clock {
        Clock(Arc::new(Source::Frozen(at)))
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        match &*self.0 {
            Source::System => Utc::now(),
            Source::From { at, started } => {
                *at + chrono::Duration::from_std(started.elapsed()).unwrap_or(chrono::Duration::MAX)
            }
            Source::Frozen(at) => *at,
        }
    }
}

impl Default for Clock {
    fn default() -> Clock {
        Clock::system()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frozen_clock_never_moves() {
        let at = "2026-11-29T04:00:00Z".parse().unwrap();
        let clock = Clock::frozen(at);
        assert_eq!(clock.now(), at);
        std::thread::sleep(std::time::Duration::from_millis(2));
        assert_eq!(clock.now(), at);
    }

    #[test]
    fn a_clock_started_at_an_instant_runs_on_from_it() {
        let at: DateTime<Utc> = "2028-02-29T12:00:00Z".parse().unwrap();
        let clock = Clock::starting_at(at);
        let first = clock.now();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = clock.now();
        assert!(first >= at && second > first);
        assert!(second - at < chrono::Duration::seconds(60));
    }
}
