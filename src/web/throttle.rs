//! Sign-in throttling: failed attempts are counted per account and per
//! client address in a fixed window; past the limit, further attempts are
//! answered 429 with `Retry-After` before any password is checked, so a
//! flood costs neither hashing time nor memory.
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

    /// `Some(wait)` when this account or address must wait before trying again.
    pub fn check(&self, account: &str, address: IpAddr, now: Instant) -> Option<Duration> {
        let account_wait = wait_of(
            &self.accounts,
            account,
            self.limits.per_account,
            self.limits.window,
            now,
        );
        let address_wait = wait_of(
            &self.addresses,
            &address,
            self.limits.per_address,
            self.limits.window,
            now,
        );
        account_wait.max(address_wait)
    }

    /// Counts a failed attempt against both.
    pub fn failed(&self, account: &str, address: IpAddr, now: Instant) {
        count(&self.accounts, account.to_owned(), self.limits.window, now);
        count(&self.addresses, address, self.limits.window, now);
    }

    /// A successful sign-in clears the account's count (not the address's:
    /// one good password must not unlock guessing at everyone else's).
    pub fn succeeded(&self, account: &str) {
        if let Ok(mut accounts) = self.accounts.lock() {
            accounts.remove(account);
        }
    }
}

fn wait_of<K, Q>(
    table: &Mutex<HashMap<K, Window>>,
    key: &Q,
    limit: u32,
    window: Duration,
    now: Instant,
) -> Option<Duration>
where
    K: std::borrow::Borrow<Q> + std::hash::Hash + Eq,
    Q: std::hash::Hash + Eq + ?Sized,
{
    let table = table.lock().ok()?;
    let entry = table.get(key)?;
    let ends = entry.started + window;
    (entry.failures >= limit && ends > now).then(|| ends - now)
}

fn count<K: std::hash::Hash + Eq + Clone>(
    table: &Mutex<HashMap<K, Window>>,
    key: K,
    window: Duration,
    now: Instant,
) {
    let Ok(mut table) = table.lock() else { return };
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
        assert_eq!(throttle.check("a@x.example", address, start), None);
        throttle.failed("a@x.example", address, start);
        throttle.failed("a@x.example", address, start);
        let wait = throttle.check("a@x.example", address, start + Duration::from_secs(10));
        assert_eq!(wait, Some(Duration::from_secs(50)));
        assert_eq!(throttle.check("b@x.example", address, start), None);
        assert_eq!(
            throttle.check("a@x.example", address, start + Duration::from_secs(60)),
            None
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
            throttle.failed(account, address, now);
        }
        assert!(throttle.check("d", address, now).is_some());
        assert!(throttle.check("d", [10, 0, 0, 8].into(), now).is_none());
    }
}
