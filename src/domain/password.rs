//! What a local password must be: at least 12 characters and not on the
//! embedded list of the most common passwords (NIST SP 800-63B §5.1.1.2:
//! length and a blocklist, no composition rules).

use std::collections::HashSet;
use std::sync::LazyLock;

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longer passwords only cost hashing time.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Common passwords of 12 or more characters (shorter ones are refused by
/// length anyway), lowercased; from public breach-frequency lists.
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("data/common_passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// A password that passed the policy.
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Password, String> {
        let length = raw.chars().count();
        if length < MIN_PASSWORD_CHARS {
            return Err(format!(
                "must be at least {MIN_PASSWORD_CHARS} characters; a few words make a good one"
            ));
        }
        if length > MAX_PASSWORD_CHARS {
            return Err(format!("must be at most {MAX_PASSWORD_CHARS} characters"));
        }
        if raw.chars().any(char::is_control) {
            return Err("must not contain control characters".to_owned());
        }
        if COMMON.contains(raw.to_lowercase().as_str()) {
            return Err("is one of the most common passwords; choose another".to_owned());
        }
        Ok(Password(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_common_passwords_are_refused() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("password1234").is_err());
        assert!(Password::parse("Password1234").is_err());
        assert!(Password::parse("qwertyuiop123").is_err());
        assert!(Password::parse("tab\there and more").is_err());
        assert!(Password::parse("correct horse battery").is_ok());
    }
}
