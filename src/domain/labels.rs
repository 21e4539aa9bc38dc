//! The services and tags that interviews, pain points and roadmap items
//! carry, as typed in a form (comma-separated) or sent as JSON lists.

use super::feedback::parse_tags;
use super::people::Email;

/// Splits what a form field holds ("ci-runner, k8s.prod") into items.
pub fn split_list(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(|item| item.trim().to_owned())
        .filter(|item| !item.is_empty())
        .collect()
}

/// Tags from a list (each item may itself hold several): checked like
/// feedback tags, but none at all is allowed.
pub fn parse_tag_list(items: &[String]) -> Result<Vec<String>, String> {
    let joined = items.join(",");
    if joined
        .split(|c: char| c == ',' || c.is_whitespace())
        .all(str::is_empty)
    {
        return Ok(Vec::new());
    }
    parse_tags(&joined)
}

/// Service slugs, trimmed, lowercased and without repeats; whether each
/// exists is checked against the catalog when stored.
pub fn parse_service_list(items: &[String]) -> Vec<String> {
    let mut services: Vec<String> = Vec::new();
    for item in items.iter().flat_map(|item| split_list(item)) {
        let slug = item.to_lowercase();
        if !services.contains(&slug) {
            services.push(slug);
        }
    }
    services
}

/// Email addresses, without repeats; the first bad one is reported.
pub fn parse_email_list(items: &[String]) -> Result<Vec<Email>, String> {
    let mut emails: Vec<Email> = Vec::new();
    for item in items.iter().flat_map(|item| split_list(item)) {
        let email = Email::parse(&item).map_err(|message| format!("{item:?} {message}"))?;
        if !emails.contains(&email) {
            emails.push(email);
        }
    }
    if emails.len() > 10 {
        return Err("name at most 10 people".to_owned());
    }
    Ok(emails)
}

/// Narrows a list of pain points or roadmap items to a service and a tag
/// (`?service=ci-runner&tag=caching`); empty means any.
#[derive(Debug, serde::Deserialize, Default, Clone, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LabelFilter {
    /// Only those linked to this service (its slug).
    #[serde(default)]
    pub service: String,
    /// Only those with this tag.
    #[serde(default)]
    pub tag: String,
}

impl LabelFilter {
    pub fn admits(&self, services: &[String], tags: &[String]) -> bool {
        let service = self.service.trim();
        let tag = self.tag.trim();
        (service.is_empty() || services.iter().any(|slug| slug == service))
            && (tag.is_empty() || tags.iter().any(|name| name == tag))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_may_be_empty_but_not_malformed() {
        assert_eq!(parse_tag_list(&[]).unwrap(), Vec::<String>::new());
        assert_eq!(
            parse_tag_list(&[" , ".into()]).unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(
            parse_tag_list(&["Caching, ci".into(), "caching".into()]).unwrap(),
            vec!["caching", "ci"]
        );
        assert!(parse_tag_list(&["<b>".into()]).is_err());
        assert_eq!(
            parse_service_list(&["ci-runner, K8s.prod".into(), "ci-runner".into()]),
            vec!["ci-runner", "k8s.prod"]
        );
        assert_eq!(
            parse_email_list(&["a@x.io, A@x.io".into()]).unwrap().len(),
            1
        );
        assert!(parse_email_list(&["not-an-email".into()]).is_err());
    }
}
