//! People: roles and addresses; a person as stored (`User`), as the admin's
//! directory lists them (`Person`, `Team`), as a candidate for an interview
//! (`Recruit`), and their API tokens as listed (`ApiTokenInfo`).

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::feedback::text_enum;

text_enum! {
    /// What a person may do. Team and admin are the platform team; admins
    /// also manage the catalog and accounts.
    Role { Contributor => "contributor", Team => "team", Admin => "admin" }
}

impl Role {
    /// Whether this role belongs to the platform team (team or admin), who
    /// see every feedback item, internal notes and authorship.
    pub fn is_platform_team(self) -> bool {
        matches!(self, Role::Team | Role::Admin)
    }
}

/// An email address, trimmed and lowercased. The check is deliberately
/// modest (one `@`, a dotted domain, no spaces or control characters):
/// delivery is the real test.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, String> {
        let email = raw.trim().to_lowercase();
        let Some((local, domain)) = email.split_once('@') else {
            return Err("must be an email address like name@example.com".to_owned());
        };
        let valid = !local.is_empty()
            && email.len() <= 254
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && !email.chars().any(|c| {
                c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"')
            });
        if !valid {
            return Err("must be an email address like name@example.com".to_owned());
        }
        Ok(Email(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person as the rest of the program sees them.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub team: Option<String>,
}

/// Someone who said "you may contact me about this".
#[derive(Debug, Clone, PartialEq)]
pub struct Recruit {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub team: Option<String>,
    pub services: Vec<String>,
    pub feedback: i64,
    pub last_contacted: Option<DateTime<Utc>>,
}

/// A person as the directory lists them.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Person {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub team: Option<String>,
    /// How they sign in: `password`, `oidc` or `sso` (no password and no
    /// OpenID subject: through the proxy, or not at all).
    pub sign_in: &'static str,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    pub deactivated_at: Option<DateTime<Utc>>,
}

/// A team with how many people are in it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Team {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub members: i64,
}

/// An API token as its owner and admins see it (never the secret).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ApiTokenInfo {
    pub id: i64,
    pub label: String,
    pub owner_id: i64,
    pub owner: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_to_lowercase() {
        assert_eq!(
            Email::parse("  Sam.Rivera@Halcyon.Example ")
                .unwrap()
                .as_str(),
            "sam.rivera@halcyon.example"
        );
    }

    #[test]
    fn addresses_that_could_inject_headers_are_refused() {
        for raw in [
            "a@b",
            "no-at.example",
            "a@b.c\r\nBcc: x@y.z",
            "a b@c.d",
            "<a@b.c>",
            "a@@b.c",
        ] {
            assert!(Email::parse(raw).is_err(), "{raw:?} was accepted");
        }
    }

    #[test]
    fn only_team_and_admin_are_the_platform_team() {
        assert!(!Role::Contributor.is_platform_team());
        assert!(Role::Team.is_platform_team());
        assert!(Role::Admin.is_platform_team());
    }
}
