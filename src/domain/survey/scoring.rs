//! The headline figure of a numeric question, with its interval.

use super::QuestionKind;
use crate::domain::stats::{self, Estimate};

/// The headline figure of a numeric question: CSAT in percent, NPS in
/// points, CES (and Likert) as a mean.
pub fn score(kind: QuestionKind, values: &[Option<u8>]) -> Option<Estimate> {
    match kind {
        QuestionKind::Csat => stats::csat(values),
        QuestionKind::Nps => stats::nps(values),
        QuestionKind::Ces => stats::ces(values),
        QuestionKind::Likert => stats::mean_interval(values, 1, 5),
        QuestionKind::Single | QuestionKind::Multi | QuestionKind::Text => None,
    }
}
