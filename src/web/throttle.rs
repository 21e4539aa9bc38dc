//! Sign-in throttling: failed attempts are counted per account and per
//! client address in a fixed window; past the limit, further attempts are
//! answered 429 with `Retry-After` before any password is checked, so a
//! flood costs neither hashing time nor memory.
//!
//! An attempt is counted when it starts ([`SignInThrottle::attempt`]) and
//! taken back if it succeeds: counted only after the (slow) check, fifty
//! concurrent guesses would all pass the limit before any of them failed.
//!
//! The counts live in memory: a restart forgets them, which only gives an
//! attacker one more window. The tables are bounded: when full, expired
//! entries are swept, and if none expired the oldest window is dropped.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::SignInLimits;

/// Most keys kept per table.
const MAX_KEYS: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

/// Failed sign-ins per account and per address.
pub struct SignInThrottle {
    limits: SignInLimits,
    accounts: Mutex<HashMap<String, Window>>,
    addresses: Mutex<HashMap<IpAddr, Window>>,
}

impl SignInThrottle {
    pub fn new(limits: SignInLimits) -> SignInThrottle {
        SignInThrottle {
            limits,
            accounts: Mutex::new(HashMap::new()),
            addresses: Mutex::new(HashMap::new()),
        }
    }

    /// Starts an attempt: `Err(wait)` when this account or address must
    /// wait first; otherwise the attempt is counted as failed until
    /// [`SignInThrottle::succeeded`] says otherwise. Both tables are held
    /// at once (accounts first), so concurrent attempts cannot slip past
    /// the limit between the check and the count.
    pub fn attempt(&self, account: &str, address: IpAddr, now: Instant) -> Result<(), Duration> {
        let window = self.limits.window;
        let (Ok(mut accounts), Ok(mut addresses)) = (self.accounts.lock(), self.addresses.lock())
        else {
            return Ok(());
        };
        let account_wait = wait_of(&accounts, account, self.limits.per_account, window, now);
        let address_wait = wait_of(&addresses, &address, self.limits.per_address, window, now);
        if let Some(wait) = account_wait.max(address_wait) {
            return Err(wait);
        }
        count(&mut accounts, account.to_owned(), window, now);
        count(&mut addresses, address, window, now);
        Ok(())
    }

    /// A successful sign-in clears the account's count and takes its
    /// attempt back from the address (whose other failures stand: one good
    /// password must not unlock guessing at everyone else's).
    pub fn succeeded(&self, account: &str, address: IpAddr) {
        if let Ok(mut accounts) = self.accounts.lock() {
            accounts.remove(account);
        }
        if let Ok(mut addresses) = self.addresses.lock()
            && let Some(entry) = addresses.get_mut(&address)
        {
            entry.failures = entry.failures.saturating_sub(1);
        }
    }
}

fn wait_of<K, Q>(
    table: &HashMap<K, Window>,
    key: &Q,
    limit: u32,
    window: Duration,
    now: Instant,
) -> Option<Duration>
where
    K: std::borrow::Borrow<Q> + std::hash::Hash + Eq,
    Q: std::hash::Hash + Eq + ?Sized,
{
    let entry = table.get(key)?;
    let ends = entry.started + window;
    (entry.failures >= limit && ends > now).then(|| ends - now)
}

fn count<K: std::hash::Hash + Eq + Clone>(
    table: &mut HashMap<K, Window>,
    key: K,
    window: Duration,
    now: Instant,
) {
    if table.len() >= MAX_KEYS && !table.contains_key(&key) {
        table.retain(|_, entry| entry.started + window > now);
        if table.len() >= MAX_KEYS
            && let Some(oldest) = table
                .iter()
                .min_by_key(|(_, entry)| entry.started)
                .map(|(key, _)| key.clone())
        {
            table.remove(&oldest);
        }
    }
    let entry = table.entry(key).or_insert(Window {
        started: now,
        failures: 0,
    });
    if entry.started + window <= now {
        *entry = Window {
            started: now,
            failures: 0,
        };
    }
    entry.failures = entry.failures.saturating_add(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_waits_after_its_limit_until_the_window_ends() {
        let throttle = SignInThrottle::new(SignInLimits {
            per_account: 2,
            per_address: 100,
            window: Duration::from_secs(60),
        });
        let address: IpAddr = [127, 0, 0, 1].into();
        let start = Instant::now();
        assert_eq!(throttle.attempt("a@x.example", address, start), Ok(()));
        assert_eq!(throttle.attempt("a@x.example", address, start), Ok(()));
        let later = start + Duration::from_secs(10);
        let wait = throttle.attempt("a@x.example", address, later);
        assert_eq!(wait, Err(Duration::from_secs(50)));
        assert_eq!(throttle.attempt("b@x.example", address, start), Ok(()));
        let next_window = start + Duration::from_secs(60);
        assert_eq!(
            throttle.attempt("a@x.example", address, next_window),
            Ok(())
        );
    }

    #[test]
    fn an_address_waits_after_failing_on_many_accounts() {
        let throttle = SignInThrottle::new(SignInLimits {
            per_account: 100,
            per_address: 3,
            window: Duration::from_secs(60),
        });
        let address: IpAddr = [10, 0, 0, 7].into();
        let now = Instant::now();
        for account in ["a", "b", "c"] {
            assert!(throttle.attempt(account, address, now).is_ok());
        }
        assert!(throttle.attempt("d", address, now).is_err());
        assert!(throttle.attempt("d", [10, 0, 0, 8].into(), now).is_ok());
    }

    #[test]
    fn a_success_takes_its_attempt_back_and_clears_the_account() {
        let throttle = SignInThrottle::new(SignInLimits {
            per_account: 2,
            per_address: 2,
            window: Duration::from_secs(60),
        });
        let address: IpAddr = [10, 0, 0, 9].into();
        let now = Instant::now();
        for _ in 0..5 {
            assert!(throttle.attempt("a", address, now).is_ok());
            throttle.succeeded("a", address);
        }
        assert!(throttle.attempt("a", address, now).is_ok());
    }
}
