//! Typed JSON request bodies that still name every wrong field.
//!
//! A request body is a struct of [`Field`]s (each `#[serde(default)]`, the
//! struct `#[serde(deny_unknown_fields)]`), read by [`read`]: reading it
//! never stops at the first field of the wrong type, because each field keeps what was sent (absent, null, a value
//! of its type, or something else). The handler then takes each field's
//! value through [`Field::value`], which notes a wrong one on its name, and
//! [`Problems::check`] answers 422 naming every field that needs fixing.
//! Absent and null stay apart, for `PATCH` (absent keeps what is stored).

use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::domain::FieldErrors;
use crate::error::{Error, Result};

/// One field of a JSON body, as it was sent.
#[derive(Debug, Default)]
pub enum Field<T> {
    #[default]
    Absent,
    Null,
    Given(T),
    /// A value of another type than the field takes.
    Wrong,
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(deserializer)? {
            Value::Null => Field::Null,
            value => serde_json::from_value(value).map_or(Field::Wrong, Field::Given),
        })
    }
}

/// The fields of one body that were of the wrong type.
#[derive(Default)]
pub struct Problems(FieldErrors);

impl Problems {
    /// The result of checking the values, with the wrong fields added to
    /// its problems: every problem of the body in one answer.
    pub fn together_with<T>(self, checked: std::result::Result<T, FieldErrors>) -> Result<T> {
        match checked {
            Ok(value) if self.0.is_empty() => Ok(value),
            Ok(_) => Err(Error::Invalid(self.0)),
            Err(mut errors) => {
                errors.extend(self.0);
                Err(Error::Invalid(errors))
            }
        }
    }

    /// 422 naming every wrong field, if there was one.
    pub fn check(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self.0))
        }
    }
}

/// Reads a JSON body into `T`: it must be an object, and hold no field `T`
/// does not know (serde names the first such field).
pub fn read<T: DeserializeOwned>(body: Value) -> Result<T> {
    if !body.is_object() {
        return Err(Error::Rejected {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            detail: "the body must be a JSON object".into(),
        });
    }
    serde_json::from_value(body).map_err(|error| Error::Rejected {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        detail: error.to_string(),
    })
}

impl<T> Field<T> {
    /// The value sent, or `None` when absent or null; a value of the wrong
    /// type is noted on `name` as `expected` ("must be a string").
    pub fn value(self, name: &'static str, expected: &str, problems: &mut Problems) -> Option<T> {
        match self {
            Field::Absent | Field::Null => None,
            Field::Given(value) => Some(value),
            Field::Wrong => {
                problems.0.add(name, expected);
                None
            }
        }
    }
}

impl Field<String> {
    /// The text sent, or "" when absent or null.
    pub fn text(self, name: &'static str, problems: &mut Problems) -> String {
        self.value(name, "must be a string", problems)
            .unwrap_or_default()
    }
}

impl Field<String> {
    /// For `PATCH`: `None` when absent (keep what is stored), "" when null.
    pub fn change(self, name: &'static str, problems: &mut Problems) -> Option<String> {
        match self {
            Field::Absent => None,
            Field::Null => Some(String::new()),
            field => Some(field.text(name, problems)),
        }
    }
}

impl Field<Vec<String>> {
    /// The list sent, or empty when absent or null.
    pub fn texts(self, name: &'static str, problems: &mut Problems) -> Vec<String> {
        self.value(name, "must be a list of strings", problems)
            .unwrap_or_default()
    }

    /// For `PATCH`: `None` when absent (keep what is stored), empty when null.
    pub fn change_texts(self, name: &'static str, problems: &mut Problems) -> Option<Vec<String>> {
        match self {
            Field::Absent => None,
            field => Some(field.texts(name, problems)),
        }
    }
}

impl Field<bool> {
    /// The flag sent, or false when absent or null.
    pub fn flag(self, name: &'static str, problems: &mut Problems) -> bool {
        self.value(name, "must be true or false", problems)
            .unwrap_or_default()
    }
}
