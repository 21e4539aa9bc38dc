//! Secrets: password hashing (argon2id) and random tokens for sessions,
//! API tokens and CSRF. Only hashes of tokens are ever stored.
//!
//! Each argon2 check takes 19 MiB and tens of milliseconds of a core, so
//! the server runs them on [`PasswordPool`]: a few threads of its own
//! behind a semaphore. A flood of sign-ins then waits its turn instead of
//! filling the blocking pool (and, with one malloc arena per thread, the
//! process's memory).

use std::sync::{Arc, LazyLock, Mutex, mpsc};

use tokio::sync::Semaphore;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Hashes a password with argon2id and the crate's recommended parameters
/// (19 MiB, 2 passes), as a PHC string. CPU-heavy: call off the async threads.
pub fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt)
        .map_err(|error| Error::Internal(format!("cannot encode a salt: {error}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| Error::Internal(format!("cannot hash a password: {error}")))
}

/// Checks `password` against a stored PHC string. A malformed hash fails
/// closed. CPU-heavy: call off the async threads.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Spends the same time as a real check, so that a missing account cannot
/// be told apart from a wrong password by timing.
pub fn verify_password_against_nothing(password: &str) {
    static DUMMY: LazyLock<String> =
        LazyLock::new(|| hash_password("no such account").unwrap_or_default());
    let _ = verify_password(password, &DUMMY);
}

type Job = Box<dyn FnOnce() + Send>;

/// Threads that hash and check passwords, at most one job per thread at once.
pub struct PasswordPool {
    permits: Semaphore,
    jobs: Mutex<mpsc::SyncSender<Job>>,
}

impl PasswordPool {
    /// Starts `threads` hashing threads (at least one).
    pub fn new(threads: usize) -> Result<PasswordPool> {
        let threads = threads.max(1);
        let (sender, receiver) = mpsc::sync_channel::<Job>(threads);
        let receiver = Arc::new(Mutex::new(receiver));
        for index in 0..threads {
            let receiver = Arc::clone(&receiver);
            std::thread::Builder::new()
                .name(format!("earshot-passwords-{index}"))
                .spawn(move || {
                    loop {
                        let job = match receiver.lock() {
                            Ok(receiver) => receiver.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            // The pool was dropped: the server is stopping.
                            Err(_) => return,
                        }
                    }
                })
                .map_err(|error| {
                    Error::Internal(format!("cannot start a hashing thread: {error}"))
                })?;
        }
        Ok(PasswordPool {
            permits: Semaphore::new(threads),
            jobs: Mutex::new(sender),
        })
    }

    /// Runs `work` on a hashing thread once one is free.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| Error::ShuttingDown)?;
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = reply.send(work());
        });
        // Never blocks: the channel holds as many jobs as there are permits.
        self.jobs
            .lock()
            .map_err(|_| Error::Internal("the hashing pool is poisoned".into()))?
            .send(job)
            .map_err(|_| Error::ShuttingDown)?;
        answer
            .await
            .map_err(|_| Error::Internal("a hashing thread stopped".into()))
    }
}

/// A new random token: 32 bytes from the OS, hex-encoded, with a prefix
/// that says what it is (`esk_` for API keys, so leaked ones are recognisable).
pub fn new_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// What is stored for a token: its SHA-256, hex-encoded. Tokens carry 256
/// bits of entropy, so a fast hash is enough (unlike passwords).
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two secrets in time that depends only on their lengths.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |difference, (x, y)| difference | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct horsf", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn tokens_are_unique_and_hashes_are_stable() {
        let token = new_token("esk_");
        assert!(token.starts_with("esk_") && token.len() == 68);
        assert_ne!(token, new_token("esk_"));
        assert_eq!(hash_token(&token), hash_token(&token));
        assert_ne!(hash_token(&token), token);
    }

    #[test]
    fn equal_secrets_compare_equal() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
