//! Satisfaction statistics for surveys: CSAT, NPS and CES with 95% confidence
//! intervals, wave-to-wave comparisons and response
//! rates. What may be shown of them is `domain::disclosure`'s to decide.
//!
//! Only `std` is used, so the normal and Student-t distributions are
//! implemented here (`distributions`), to about 1e-12 or better, far beyond
//! what a dashboard shows.
//!
//! Small samples are the norm for internal surveys, so every interval uses a
//! method that keeps its coverage at small n instead of the plain Wald
//! interval, which collapses to zero width when everyone gives the same answer.

mod distributions;

use distributions::{t_quantile, two_sided_p};

/// Two-sided 95% critical value of the standard normal distribution, Φ⁻¹(0.975).
const Z95: f64 = 1.959964;

/// Significance level of the wave comparisons.
const ALPHA: f64 = 0.05;

/// A two-sided 95% confidence interval in the same unit as its estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

/// A score computed from `n` valid answers, with its 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Number of valid answers the score is based on.
    pub n: u32,
    /// The point estimate, in the unit of the metric (percent, points or scale value).
    pub score: f64,
    /// The 95% interval, `None` when the sample is too small to have one.
    pub interval: Option<Interval>,
}

/// The change between two survey waves and whether it is statistically significant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    /// Second wave minus first wave, in percentage points (CSAT) or NPS points.
    pub delta: f64,
    /// The test statistic.
    pub z: f64,
    /// Two-sided p-value from the standard normal distribution.
    pub p_value: f64,
    /// Whether `p_value` is below 0.05.
    pub significant: bool,
}

/// CSAT as the top-2-box share (answers 4 and 5 on a 1–5 scale) in percent,
/// with an adjusted-Wald (Agresti–Coull) 95% interval.
///
/// `None` answers ("not applicable") and values outside 1–5 are excluded
/// from n: a malformed value says nothing about satisfaction, and counting
/// it as dissatisfied would bias the score downwards. Returns `None` when no
/// valid answer remains.
///
/// The score is the raw share x/n; the interval is the Agresti–Coull one,
/// which is centred on the adjusted share and therefore not symmetric around
/// the score. Agresti & Coull (1998), "Approximate is better than 'exact' for
/// interval estimation of binomial proportions", The American Statistician
/// 52(2); recommended for small samples by Sauro & Lewis, "Quantifying the
/// User Experience" (2nd ed., 2016), ch. 3.
pub fn csat(answers: &[Option<u8>]) -> Option<Estimate> {
    let (satisfied, n) = valid(answers, 1, 5).fold((0_u64, 0_u64), |(x, n), answer| {
        (x + u64::from(answer >= 4), n + 1)
    });
    if n == 0 {
        return None;
    }
    let (low, high) = agresti_coull(satisfied as f64, n as f64);
    Some(Estimate {
        n: saturating_u32(n),
        score: 100.0 * satisfied as f64 / n as f64,
        interval: Some(Interval {
            low: (100.0 * low).clamp(0.0, 100.0),
            high: (100.0 * high).clamp(0.0, 100.0),
        }),
    })
}

/// Net Promoter Score on a 0–10 scale in points (−100…100), with the
/// adjusted-Wald 95% interval recommended by MeasuringU.
///
/// Promoters answer 9–10, detractors 0–6. Skipped answers (`None`) and values
/// above 10 are not part of n. Returns `None` when no valid answer remains.
///
/// The score shown is the raw NPS, but the interval is centred on the
/// adjusted NPS' (¾ added to promoters and detractors, 3 to n), so it is not
/// symmetric around the score; the adjustment is what keeps the interval
/// from collapsing when, say, every respondent is a promoter. Lewis & Sauro,
/// "Confidence Intervals for Net Promoter Scores",
/// <https://measuringu.com/nps-confidence-intervals/>, after Rocks (2016),
/// "Interval Estimation for the 'Net Promoter Score'", The American
/// Statistician 70(4).
pub fn nps(answers: &[Option<u8>]) -> Option<Estimate> {
    let tally = NpsTally::of(answers)?;
    let (adjusted, se) = tally.adjusted();
    Some(Estimate {
        n: saturating_u32(tally.n),
        score: tally.raw(),
        interval: Some(Interval {
            low: (100.0 * (adjusted - Z95 * se)).clamp(-100.0, 100.0),
            high: (100.0 * (adjusted + Z95 * se)).clamp(-100.0, 100.0),
        }),
    })
}

/// Customer Effort Score: the mean of 1–7 answers with a 95% Student-t interval.
///
/// `None` answers and values outside 1–7 are excluded from n. Returns `None`
/// when no valid answer remains; the interval is `None` for a single answer
/// because its spread is unknown. The interval is clamped to the scale,
/// since a mean outside 1–7 is impossible (Sauro & Lewis 2016, ch. 3,
/// confidence interval for a mean of rating-scale data).
pub fn ces(answers: &[Option<u8>]) -> Option<Estimate> {
    mean_interval(answers, 1, 7)
}

/// The mean of answers on a `low`–`high` scale with a 95% Student-t
/// interval clamped to the scale (CES, and Likert items read as a mean).
pub fn mean_interval(answers: &[Option<u8>], low: u8, high: u8) -> Option<Estimate> {
    let values: Vec<f64> = valid(answers, low, high).map(f64::from).collect();
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let interval = (values.len() > 1).then(|| {
        let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let half_width = t_quantile(0.975, n - 1.0) * (variance / n).sqrt();
        Interval {
            low: (mean - half_width).clamp(f64::from(low), f64::from(high)),
            high: (mean + half_width).clamp(f64::from(low), f64::from(high)),
        }
    });
    Some(Estimate {
        n: saturating_u32(values.len() as u64),
        score: mean,
        interval,
    })
}

/// Two-proportion z-test with pooled standard error between two CSAT waves
/// (`x` satisfied out of `n` valid answers in each).
///
/// `delta` is in percentage points, second minus first. Returns `None` when
/// a wave has no answers, a count exceeds its n, or the pooled standard
/// error is 0 (both waves all satisfied or all dissatisfied: nothing to
/// test). Sauro & Lewis (2016), ch. 5, discuss this test and its N−1
/// variant for small samples; the classic pooled form is used here.
pub fn compare_proportions(x1: u32, n1: u32, x2: u32, n2: u32) -> Option<Comparison> {
    if n1 == 0 || n2 == 0 || x1 > n1 || x2 > n2 {
        return None;
    }
    let (x1, n1, x2, n2) = (f64::from(x1), f64::from(n1), f64::from(x2), f64::from(n2));
    let (p1, p2) = (x1 / n1, x2 / n2);
    let pooled = (x1 + x2) / (n1 + n2);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    if se.is_nan() || se <= 0.0 {
        return None;
    }
    Some(comparison(100.0 * (p2 - p1), (p2 - p1) / se))
}

/// Tests the difference between the NPS of two waves with the adjusted-Wald
/// method; `delta` is the raw NPS change in points, second minus first.
///
/// z is the difference of the adjusted NPS' values over
/// sqrt(SE₁² + SE₂²), as in Lewis & Sauro, "How to Statistically Compare Two
/// Net Promoter Scores", <https://measuringu.com/nps-significance-test/>.
/// Returns `None` when either wave has no valid answer.
pub fn compare_nps(first: &[Option<u8>], second: &[Option<u8>]) -> Option<Comparison> {
    let (first, second) = (NpsTally::of(first)?, NpsTally::of(second)?);
    let (adjusted1, se1) = first.adjusted();
    let (adjusted2, se2) = second.adjusted();
    let se = se1.hypot(se2);
    if se.is_nan() || se <= 0.0 {
        return None;
    }
    Some(comparison(
        second.raw() - first.raw(),
        (adjusted2 - adjusted1) / se,
    ))
}

/// Responses as a percentage of invitations; `None` when nobody was invited.
///
/// Not capped at 100: a value above it means the survey link travelled
/// beyond the invitation list, which is worth seeing rather than hiding.
pub fn response_rate(responses: u32, invited: u32) -> Option<f64> {
    (invited > 0).then(|| 100.0 * f64::from(responses) / f64::from(invited))
}

/// Valid answers: present and within `low..=high`.
fn valid(answers: &[Option<u8>], low: u8, high: u8) -> impl Iterator<Item = u8> + '_ {
    answers
        .iter()
        .flatten()
        .copied()
        .filter(move |answer| (low..=high).contains(answer))
}

fn saturating_u32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Agresti–Coull 95% interval for x successes in n trials, as proportions.
fn agresti_coull(x: f64, n: f64) -> (f64, f64) {
    let z2 = Z95 * Z95;
    let n_adjusted = n + z2;
    let p_adjusted = (x + z2 / 2.0) / n_adjusted;
    let half_width = Z95 * (p_adjusted * (1.0 - p_adjusted) / n_adjusted).sqrt();
    (p_adjusted - half_width, p_adjusted + half_width)
}

fn comparison(delta: f64, z: f64) -> Comparison {
    let p_value = two_sided_p(z);
    Comparison {
        delta,
        z,
        p_value,
        significant: p_value < ALPHA,
    }
}

/// Promoter and detractor counts of one NPS wave, with n > 0.
struct NpsTally {
    promoters: u64,
    detractors: u64,
    n: u64,
}

impl NpsTally {
    fn of(answers: &[Option<u8>]) -> Option<NpsTally> {
        let mut tally = NpsTally {
            promoters: 0,
            detractors: 0,
            n: 0,
        };
        for answer in valid(answers, 0, 10) {
            tally.n += 1;
            match answer {
                9..=10 => tally.promoters += 1,
                0..=6 => tally.detractors += 1,
                _ => {}
            }
        }
        (tally.n > 0).then_some(tally)
    }

    /// The NPS in points as respondents see it.
    fn raw(&self) -> f64 {
        100.0 * (self.promoters as f64 - self.detractors as f64) / self.n as f64
    }

    /// Adjusted NPS' and its standard error, both as proportions (−1…1).
    ///
    /// The variance is that of a difference of two proportions from one
    /// multinomial sample: (pP + pD − (pP − pD)²) / n'.
    fn adjusted(&self) -> (f64, f64) {
        let n = self.n as f64 + 3.0;
        let promoters = (self.promoters as f64 + 0.75) / n;
        let detractors = (self.detractors as f64 + 0.75) / n;
        let adjusted = promoters - detractors;
        let se = ((promoters + detractors - adjusted * adjusted) / n).sqrt();
        (adjusted, se)
    }
}

#[cfg(test)]
mod tests {
    use super::distributions::normal_quantile;
    use super::*;

    /// `count` copies of each answer value.
    fn answers(spec: &[(u8, usize)]) -> Vec<Option<u8>> {
        spec.iter()
            .flat_map(|&(value, count)| std::iter::repeat_n(Some(value), count))
            .collect()
    }

    fn interval(estimate: &Estimate) -> Interval {
        estimate.interval.expect("estimate should have an interval")
    }

    fn assert_close(actual: f64, expected: f64, tolerance: f64) {
        assert!(
            (actual - expected).abs() <= tolerance,
            "expected {expected} ± {tolerance}, got {actual}"
        );
    }

    #[test]
    fn forty_of_fifty_satisfied_is_eighty_percent_with_an_agresti_coull_interval() {
        // p̃ = (40 + 1.920732) / (50 + 3.841459) = 0.778596,
        // half-width = 1.959964 · sqrt(p̃(1 − p̃) / 53.841459) = 0.110902,
        // so the interval is [66.77, 88.95] percent.
        let estimate = csat(&answers(&[(5, 25), (4, 15), (3, 5), (2, 3), (1, 2)]))
            .expect("fifty answers give an estimate");
        assert_eq!(estimate.n, 50);
        assert_close(estimate.score, 80.0, 1e-9);
        assert_close(interval(&estimate).low, 66.77, 0.1);
        assert_close(interval(&estimate).high, 88.95, 0.1);
    }

    #[test]
    fn not_applicable_and_out_of_scale_answers_are_left_out_of_csat() {
        let mut input = answers(&[(5, 3), (2, 1)]);
        input.extend([None, None, Some(0), Some(6), Some(200)]);
        let estimate = csat(&input).expect("four valid answers");
        assert_eq!(estimate.n, 4);
        assert_close(estimate.score, 75.0, 1e-9);
    }

    #[test]
    fn no_valid_answers_give_no_estimate() {
        assert_eq!(csat(&[]), None);
        assert_eq!(csat(&[None, Some(0), Some(9)]), None);
        assert_eq!(nps(&[None, Some(11)]), None);
        assert_eq!(ces(&[None, Some(8)]), None);
    }

    #[test]
    fn a_fully_satisfied_sample_keeps_a_csat_interval_below_one_hundred() {
        let estimate = csat(&answers(&[(5, 10)])).expect("ten answers");
        assert_close(estimate.score, 100.0, 1e-9);
        let interval = interval(&estimate);
        assert!(interval.low > 60.0 && interval.low < 100.0, "{interval:?}");
        assert_close(interval.high, 100.0, 1e-9);
    }

    #[test]
    fn fifty_promoters_thirty_passives_and_twenty_detractors_score_thirty() {
        // n' = 103, pP = 50.75/103 = 0.492718, pD = 20.75/103 = 0.201456,
        // NPS' = 0.291262, SE = sqrt((0.694175 − 0.084834) / 103) = 0.076915,
        // so the interval is 29.13 ± 15.08 = [14.05, 44.20] points.
        let estimate = nps(&answers(&[
            (10, 20),
            (9, 30),
            (8, 20),
            (7, 10),
            (6, 10),
            (0, 10),
        ]))
        .expect("a hundred answers");
        assert_eq!(estimate.n, 100);
        assert_close(estimate.score, 30.0, 1e-9);
        assert_close(interval(&estimate).low, 14.05, 0.1);
        assert_close(interval(&estimate).high, 44.20, 0.1);
    }

    #[test]
    fn all_promoters_score_one_hundred_with_a_real_interval() {
        // NPS' = (10.75 − 0.75) / 13 = 0.7692, SE = 0.1501: [47.50, 106.34]
        // before clamping to the scale.
        let estimate = nps(&answers(&[(9, 4), (10, 6)])).expect("ten answers");
        assert_close(estimate.score, 100.0, 1e-9);
        let interval = interval(&estimate);
        assert_close(interval.low, 47.50, 0.1);
        assert_close(interval.high, 100.0, 1e-9);
        assert!(interval.low < interval.high);
    }

    #[test]
    fn all_detractors_score_minus_one_hundred() {
        let estimate = nps(&answers(&[(0, 5), (6, 5)])).expect("ten answers");
        assert_close(estimate.score, -100.0, 1e-9);
        let interval = interval(&estimate);
        assert_close(interval.low, -100.0, 1e-9);
        assert_close(interval.high, -47.50, 0.1);
    }

    #[test]
    fn skipped_nps_answers_are_not_counted() {
        let mut input = answers(&[(10, 2), (7, 1), (3, 1)]);
        input.extend([None, None, None, Some(11)]);
        let estimate = nps(&input).expect("four valid answers");
        assert_eq!(estimate.n, 4);
        assert_close(estimate.score, 25.0, 1e-9);
    }

    #[test]
    fn ces_is_a_mean_with_a_student_t_interval() {
        // Mean 5, s = sqrt(2.5), t(0.975, 4) = 2.776445:
        // 5 ± 2.776445 · 1.581139 / sqrt(5) = [3.037, 6.963].
        let estimate = ces(&[Some(3), Some(4), None, Some(5), Some(6), Some(7), Some(9)])
            .expect("five valid answers");
        assert_eq!(estimate.n, 5);
        assert_close(estimate.score, 5.0, 1e-12);
        assert_close(interval(&estimate).low, 3.0368, 1e-4);
        assert_close(interval(&estimate).high, 6.9632, 1e-4);
    }

    #[test]
    fn a_single_ces_answer_has_no_interval() {
        let estimate = ces(&[Some(6), None]).expect("one valid answer");
        assert_eq!(estimate.n, 1);
        assert_close(estimate.score, 6.0, 1e-12);
        assert_eq!(estimate.interval, None);
    }

    #[test]
    fn ces_intervals_stay_on_the_scale() {
        let estimate = ces(&[Some(6), Some(7)]).expect("two answers");
        let interval = interval(&estimate);
        assert!(interval.low >= 1.0 && interval.high <= 7.0, "{interval:?}");
    }

    #[test]
    fn the_fixed_critical_value_is_the_normal_quantile() {
        assert_close(Z95, normal_quantile(0.975), 1e-6);
    }

    #[test]
    fn a_twenty_point_csat_rise_on_a_hundred_answers_each_is_significant() {
        // Pooled p = 0.7, SE = sqrt(0.7 · 0.3 · 0.02) = 0.064807,
        // z = 0.2 / 0.064807 = 3.0861, p = 0.00203.
        let comparison = compare_proportions(60, 100, 80, 100).expect("both waves answered");
        assert_close(comparison.delta, 20.0, 1e-9);
        assert_close(comparison.z, 3.0861, 1e-4);
        assert_close(comparison.p_value, 0.00203, 1e-5);
        assert!(comparison.significant);
    }

    #[test]
    fn a_four_point_csat_rise_on_fifty_answers_each_is_not_significant() {
        // Pooled p = 0.82, SE = sqrt(0.82 · 0.18 · 0.04) = 0.076837,
        // z = 0.04 / 0.076837 = 0.5206, p = 0.6027.
        let comparison = compare_proportions(40, 50, 42, 50).expect("both waves answered");
        assert_close(comparison.delta, 4.0, 1e-9);
        assert_close(comparison.z, 0.5206, 1e-4);
        assert_close(comparison.p_value, 0.6027, 1e-4);
        assert!(!comparison.significant);
    }

    #[test]
    fn a_csat_decline_has_a_negative_delta_and_z() {
        let comparison = compare_proportions(80, 100, 60, 100).expect("both waves answered");
        assert_close(comparison.delta, -20.0, 1e-9);
        assert_close(comparison.z, -3.0861, 1e-4);
        assert!(comparison.significant);
    }

    #[test]
    fn csat_comparisons_need_answers_and_variation() {
        assert_eq!(compare_proportions(0, 0, 5, 10), None);
        assert_eq!(compare_proportions(5, 10, 0, 0), None);
        assert_eq!(compare_proportions(11, 10, 5, 10), None);
        assert_eq!(compare_proportions(10, 10, 20, 20), None);
        assert_eq!(compare_proportions(0, 10, 0, 20), None);
    }

    #[test]
    fn an_nps_rise_from_thirty_to_sixty_is_significant() {
        // Wave 1 (50/30/20): NPS' = 0.291262, SE = 0.076915.
        // Wave 2 (70/20/10): NPS' = 0.679612 − 0.104369 = 0.575243,
        // SE = 0.062868; z = 0.283981 / 0.099340 = 2.8694, p = 0.0041.
        let first = answers(&[(10, 50), (8, 30), (5, 20)]);
        let second = answers(&[(9, 70), (7, 20), (2, 10)]);
        let comparison = compare_nps(&first, &second).expect("both waves answered");
        assert_close(comparison.delta, 30.0, 1e-9);
        assert_close(comparison.z, 2.8694, 1e-4);
        assert_close(comparison.p_value, 0.0041, 1e-4);
        assert!(comparison.significant);
    }

    #[test]
    fn an_nps_rise_from_thirty_to_fifty_on_a_hundred_each_is_not_significant() {
        // z = 1.9070, p = 0.0565: just short of the 5% level.
        let first = answers(&[(10, 50), (8, 30), (5, 20)]);
        let second = answers(&[(9, 60), (7, 30), (2, 10)]);
        let comparison = compare_nps(&first, &second).expect("both waves answered");
        assert_close(comparison.delta, 20.0, 1e-9);
        assert_close(comparison.z, 1.9070, 1e-4);
        assert_close(comparison.p_value, 0.0565, 1e-4);
        assert!(!comparison.significant);
    }

    #[test]
    fn nps_comparisons_need_answers_in_both_waves() {
        assert_eq!(compare_nps(&[], &[Some(9)]), None);
        assert_eq!(compare_nps(&[Some(9)], &[None]), None);
    }

    #[test]
    fn response_rate_is_a_percentage_of_invitations() {
        assert_eq!(response_rate(0, 0), None);
        assert_close(
            response_rate(30, 120).expect("invitations sent"),
            25.0,
            1e-12,
        );
        assert_close(response_rate(0, 10).expect("invitations sent"), 0.0, 0.0);
    }
}
