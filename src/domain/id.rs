//! [`Id`], a row's id typed by what it names, so that a survey's id cannot
//! be passed where a question's is wanted.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::{Deserialize, Deserializer};

/// The id of a `T`: a positive whole number. It deserializes from a path
/// segment or JSON number, so a handler's `Path<Id<Survey>>` is parsed once,
/// at the boundary (and a path that is not an id is simply not found); a
/// choice in a form ("42", or "#42" as typed) parses with `str::parse`.
pub struct Id<T> {
    value: i64,
    of: PhantomData<fn() -> T>,
}

impl<T> Id<T> {
    /// An id as stored.
    pub fn new(value: i64) -> Id<T> {
        Id {
            value,
            of: PhantomData,
        }
    }

    /// The number, for the database.
    pub fn get(self) -> i64 {
        self.value
    }
}

// Written out rather than derived: a derive would ask `T` for the same
// traits, and the marker types need not have them.
impl<T> Clone for Id<T> {
    fn clone(&self) -> Id<T> {
        *self
    }
}

impl<T> Copy for Id<T> {}

impl<T> fmt::Debug for Id<T> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "Id({})", self.value)
    }
}

impl<T> fmt::Display for Id<T> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(formatter)
    }
}

/// Text that names no id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAnId;

impl<T> FromStr for Id<T> {
    type Err = NotAnId;

    /// "42" or "#42", spaces around allowed.
    fn from_str(raw: &str) -> Result<Id<T>, NotAnId> {
        match raw.trim().trim_start_matches('#').parse::<i64>() {
            Ok(value) if value >= 1 => Ok(Id::new(value)),
            _ => Err(NotAnId),
        }
    }
}

impl<'de, T> Deserialize<'de> for Id<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Id<T>, D::Error> {
        let value = i64::deserialize(deserializer)?;
        if value < 1 {
            return Err(serde::de::Error::custom("an id is a whole number from 1"));
        }
        Ok(Id::new(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Thing;

    #[test]
    fn an_id_is_a_positive_whole_number() {
        let id: Id<Thing> = serde_json::from_str("42").unwrap();
        assert_eq!(id.get(), 42);
        for bad in ["0", "-3", "1.5", "\"abc\"", "null"] {
            assert!(serde_json::from_str::<Id<Thing>>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_chosen_id_may_be_typed_with_a_hash() {
        for (raw, value) in [("42", 42), ("#42", 42), (" 7 ", 7)] {
            assert_eq!(raw.parse::<Id<Thing>>().map(Id::get), Ok(value), "{raw}");
        }
        for bad in ["", "0", "-3", "#", "abc", "1.5"] {
            assert_eq!(bad.parse::<Id<Thing>>().map(Id::get), Err(NotAnId), "{bad}");
        }
    }
}
