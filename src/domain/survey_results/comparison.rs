//! Comparing a wave with the previous one: which earlier question asks the
//! same, and whether the change is significant (only significant changes
//! are called movers). Whether a comparison may be shown at all is
//! [`crate::domain::disclosure::comparable`]'s to say.

use crate::domain::stats::{self, Comparison};
use crate::domain::survey::QuestionKind;

/// A numeric question as the comparison sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparableQuestion {
    pub id: i64,
    pub kind: QuestionKind,
    pub service: Option<String>,
    pub prompt: String,
}

/// The question of the previous wave that asks the same thing: same kind
/// and service, and the same prompt; failing that, the only question of
/// that kind and service. A reworded question among several of its kind is
/// not compared, since nothing says which earlier one it continues.
pub fn matching_question<'a>(
    question: &ComparableQuestion,
    previous: &'a [ComparableQuestion],
) -> Option<&'a ComparableQuestion> {
    let same_kind: Vec<&ComparableQuestion> = previous
        .iter()
        .filter(|candidate| {
            candidate.kind == question.kind && candidate.service == question.service
        })
        .collect();
    same_kind
        .iter()
        .find(|candidate| candidate.prompt == question.prompt)
        .copied()
        .or(match same_kind.as_slice() {
            [only] => Some(*only),
            _ => None,
        })
}

/// The change from `before` to `after` with its significance: a
/// two-proportion z-test on the top-2-box share for CSAT
/// ([`stats::compare_proportions`]) and the adjusted-Wald z on the NPS
/// difference for NPS ([`stats::compare_nps`]). Other kinds have no test
/// here, so they are never called movers.
pub fn compare(
    kind: QuestionKind,
    before: &[Option<u8>],
    after: &[Option<u8>],
) -> Option<Comparison> {
    match kind {
        QuestionKind::Csat => {
            let (x1, n1) = satisfied(before);
            let (x2, n2) = satisfied(after);
            stats::compare_proportions(x1, n1, x2, n2)
        }
        QuestionKind::Nps => stats::compare_nps(before, after),
        _ => None,
    }
}

/// Satisfied answers (4–5) and valid answers (1–5), N/A excluded.
fn satisfied(values: &[Option<u8>]) -> (u32, u32) {
    let valid = values
        .iter()
        .flatten()
        .filter(|value| (1..=5).contains(*value));
    let (mut x, mut n) = (0, 0);
    for value in valid {
        n += 1;
        if *value >= 4 {
            x += 1;
        }
    }
    (x, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(
        id: i64,
        kind: QuestionKind,
        service: Option<&str>,
        prompt: &str,
    ) -> ComparableQuestion {
        ComparableQuestion {
            id,
            kind,
            service: service.map(str::to_owned),
            prompt: prompt.to_owned(),
        }
    }

    #[test]
    fn the_previous_wave_question_is_found_by_prompt_then_by_being_the_only_one() {
        let previous = [
            question(1, QuestionKind::Csat, Some("ci"), "How satisfied with CI?"),
            question(
                2,
                QuestionKind::Csat,
                Some("ci"),
                "How satisfied with CI caches?",
            ),
            question(3, QuestionKind::Nps, None, "Recommend us?"),
        ];
        let same = question(9, QuestionKind::Csat, Some("ci"), "How satisfied with CI?");
        assert_eq!(matching_question(&same, &previous).map(|q| q.id), Some(1));
        let reworded = question(9, QuestionKind::Csat, Some("ci"), "Are CI runners good?");
        assert_eq!(
            matching_question(&reworded, &previous),
            None,
            "two candidates"
        );
        let nps = question(
            9,
            QuestionKind::Nps,
            None,
            "Would you recommend the platform?",
        );
        assert_eq!(matching_question(&nps, &previous).map(|q| q.id), Some(3));
        let other_service = question(9, QuestionKind::Csat, Some("k8s"), "How satisfied with CI?");
        assert_eq!(matching_question(&other_service, &previous), None);
    }

    #[test]
    fn csat_from_forty_to_eighty_percent_of_a_hundred_is_a_significant_mover() {
        // Pooled p = 120/200 = 0.6, SE = sqrt(0.6 · 0.4 · (1/100 + 1/100)) = 0.069282,
        // z = 0.4 / 0.069282 = 5.7735, p < 1e-8 (two-proportion z-test).
        let before: Vec<Option<u8>> =
            [vec![Some(2); 60], vec![Some(5); 40], vec![None; 7]].concat();
        let after: Vec<Option<u8>> = [vec![Some(3); 20], vec![Some(4); 80]].concat();
        let change = compare(QuestionKind::Csat, &before, &after).unwrap();
        assert!((change.delta - 40.0).abs() < 1e-9);
        assert!((change.z - 5.7735).abs() < 1e-3);
        assert!(change.significant);
    }

    #[test]
    fn a_small_csat_change_is_not_a_mover_and_other_kinds_are_not_tested() {
        // 40/50 → 42/50: pooled p = 0.82, SE = sqrt(0.82 · 0.18 · 0.04) = 0.076837,
        // z = 0.04 / 0.076837 = 0.5206, p = 0.60.
        let before = [vec![Some(5); 40], vec![Some(1); 10]].concat();
        let after = [vec![Some(5); 42], vec![Some(1); 8]].concat();
        let change = compare(QuestionKind::Csat, &before, &after).unwrap();
        assert!((change.z - 0.5206).abs() < 1e-3);
        assert!(!change.significant);
        assert_eq!(compare(QuestionKind::Ces, &before, &after), None);
    }
}
