//! Checked text and the field errors that parsing produces.

use serde::Serialize;

/// One problem with one input field, shown beside the field or listed in a
/// JSON problem body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// Every problem found in one submission, so a person can fix them all at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// A single error on one field.
    pub fn one(field: &'static str, message: impl Into<String>) -> FieldErrors {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        errors
    }

    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push(FieldError {
            field,
            message: message.into(),
        });
    }

    /// Adds every error of `other`.
    pub fn extend(&mut self, other: FieldErrors) {
        self.0.extend(other.0);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for `field`, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|error| error.field == field)
            .map(|error| error.message.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    /// `Ok(value)` when no error was recorded.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }
}

impl From<FieldError> for FieldErrors {
    fn from(error: FieldError) -> Self {
        FieldErrors(vec![error])
    }
}

/// Trims `raw` and checks it is between 1 and `max_chars` characters of
/// printable text (line breaks and tabs allowed).
pub fn required_text(raw: &str, max_chars: usize) -> Result<String, String> {
    match optional_text(raw, max_chars)? {
        Some(text) => Ok(text),
        None => Err("must not be empty".to_owned()),
    }
}

/// Like [`required_text`], but empty input is `None`.
pub fn optional_text(raw: &str, max_chars: usize) -> Result<Option<String>, String> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let length = text.chars().count();
    if length > max_chars {
        return Err(format!(
            "is {length} characters long; the limit is {max_chars}"
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err("contains control characters; remove them and try again".to_owned());
    }
    Ok(Some(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_limited_by_characters_not_bytes() {
        assert_eq!(required_text("  déjà vu \n", 7).unwrap(), "déjà vu");
        assert!(required_text("déjà vu!", 7).is_err());
    }

    #[test]
    fn blank_text_is_missing() {
        assert!(required_text(" \n\t ", 10).is_err());
        assert_eq!(optional_text("   ", 10).unwrap(), None);
    }

    #[test]
    fn control_characters_are_refused_but_line_breaks_are_kept() {
        assert!(required_text("a\u{0}b", 10).is_err());
        assert_eq!(required_text("a\r\nb\tc", 10).unwrap(), "a\r\nb\tc");
    }
}
