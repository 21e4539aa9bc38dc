//! Checked text and the field errors that parsing produces.

use serde::Serialize;

/// One problem with one input field, shown beside the field or listed in a
/// JSON problem body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// Every problem found in one submission, so a person can fix them all at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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

/// Characters that reorder how text around them is shown (bidirectional
/// embeddings, overrides and isolates): in a name or title they can make
/// `exe.txt` read as `txt.exe` or hide what a line really says.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}' | '\u{200E}' | '\u{200F}')
}

/// Trims `raw` and checks it is 1 to `max_chars` characters on one line:
/// no control characters at all (line breaks and tabs included) and no
/// bidirectional controls. For names, titles and labels.
pub fn single_line(raw: &str, max_chars: usize) -> Result<String, String> {
    match optional_single_line(raw, max_chars)? {
        Some(text) => Ok(text),
        None => Err("must not be empty".to_owned()),
    }
}

/// Like [`single_line`], but empty input is `None`.
pub fn optional_single_line(raw: &str, max_chars: usize) -> Result<Option<String>, String> {
    let text = raw.trim();
    if text.chars().any(|c| c.is_control()) {
        return Err("must be one line without control characters".to_owned());
    }
    if text.chars().any(is_bidi_control) {
        return Err("contains characters that reverse how text is shown; remove them".to_owned());
    }
    optional_text(text, max_chars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_line_fields_refuse_line_breaks_and_direction_overrides() {
        assert_eq!(single_line("  Cache misses ", 20).unwrap(), "Cache misses");
        assert!(single_line("two\nlines", 20).is_err());
        assert!(single_line("tab\there", 20).is_err());
        assert!(single_line("invoice\u{202E}fdp.exe", 30).is_err());
        assert!(single_line("isolate\u{2066}x\u{2069}", 30).is_err());
        assert!(single_line("مرحبا Ünïcode", 30).is_ok());
        assert_eq!(optional_single_line("  ", 5).unwrap(), None);
    }

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
