//! The services catalog: the SRE services feedback is about.

use super::text::{FieldErrors, optional_text, required_text};

/// A service's short name as people type it: `ci-runner`, `k8s.prod`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServiceSlug(String);

impl ServiceSlug {
    /// Lowercase letters, digits, `-` and `.`, 2 to 40 characters, starting
    /// with a letter or digit.
    pub fn parse(raw: &str) -> Result<ServiceSlug, String> {
        let slug = raw.trim();
        if slug.is_empty() {
            return Err("choose the service this is about".to_owned());
        }
        let well_formed = (2..=40).contains(&slug.len())
            && slug.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        if !well_formed {
            return Err(
                "must be 2 to 40 lowercase letters, digits, '-' or '.', like ci-runner or k8s.prod"
                    .to_owned(),
            );
        }
        Ok(ServiceSlug(slug.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A service to add to the catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct NewService {
    pub slug: ServiceSlug,
    pub name: String,
    pub description: String,
    /// Slug of the owning team, if any.
    pub owner_team: Option<String>,
    pub tier: u8,
}

/// A service as sent to the API, before checks.
#[derive(Debug, Clone, Default)]
pub struct ServiceDraft {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub owner_team: String,
    pub tier: Option<i64>,
}

impl NewService {
    pub fn parse(draft: &ServiceDraft) -> Result<NewService, FieldErrors> {
        let mut errors = FieldErrors::default();
        let slug = ServiceSlug::parse(&draft.slug)
            .map_err(|message| errors.add("slug", message))
            .ok();
        let name = required_text(&draft.name, 100)
            .map_err(|message| errors.add("name", message))
            .ok();
        let description = optional_text(&draft.description, 2_000)
            .map_err(|message| errors.add("description", message))
            .ok()
            .flatten()
            .unwrap_or_default();
        let owner_team = optional_text(&draft.owner_team, 100)
            .map_err(|message| errors.add("owner_team", message))
            .ok()
            .flatten();
        let tier = draft.tier.unwrap_or(2);
        if !(1..=3).contains(&tier) {
            errors.add("tier", "must be 1, 2 or 3");
        }
        errors.into_result(|| NewService {
            slug: slug.expect("checked above"),
            name: name.expect("checked above"),
            description,
            owner_team,
            tier: tier as u8,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_with_hyphens_and_dots_are_accepted() {
        for slug in ["ci-runner", "k8s.prod", "p99", "vault"] {
            assert_eq!(ServiceSlug::parse(slug).unwrap().as_str(), slug);
        }
    }

    #[test]
    fn malformed_slugs_are_refused() {
        for slug in [
            "",
            "x",
            "CI-Runner",
            "-ci",
            "ci runner",
            "ci/runner",
            &"a".repeat(41),
        ] {
            assert!(ServiceSlug::parse(slug).is_err(), "{slug:?} was accepted");
        }
    }
}
