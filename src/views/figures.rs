//! Survey figures as people read them: every score with its unit (NPS in
//! points, CSAT in percent, CES and Likert as a mean of their scale), and
//! the distribution of a rating question's answers as one stacked bar
//! (NPS as detractors, passives and promoters) with the same counts in
//! words beside it for screen readers.

use maud::{Markup, html};

use crate::domain::survey::QuestionKind;

/// `score` with the unit of `kind`: "+12" (NPS points), "64.3%", "5.2 of 7".
pub fn score(kind: QuestionKind, score: f64) -> String {
    match kind {
        QuestionKind::Nps => format!("{score:+.0}"),
        QuestionKind::Csat => format!("{score:.1}%"),
        _ => match kind.scale() {
            Some((_, highest)) => format!("{score:.1} of {highest}"),
            None => format!("{score:.1}"),
        },
    }
}

/// A 95% interval in the unit of `kind`: "58.1–70.2%".
pub fn interval(kind: QuestionKind, low: Option<f64>, high: Option<f64>) -> String {
    match (low, high) {
        (Some(low), Some(high)) => match kind {
            QuestionKind::Nps => format!("{low:+.0} to {high:+.0}"),
            QuestionKind::Csat => format!("{low:.1}–{high:.1}%"),
            _ => format!("{low:.1}–{high:.1}"),
        },
        _ => "–".to_owned(),
    }
}

/// A group of scale points shown as one part of the bar.
struct Part {
    label: String,
    count: u32,
    colour: &'static str,
}

/// From least to most favourable, red through grey to green.
const FIVE: [&str; 5] = ["#b3261e", "#e07b67", "#a9b0bc", "#7cbf8e", "#1e7b3a"];
const SEVEN: [&str; 7] = [
    "#b3261e", "#d0543f", "#e8a091", "#a9b0bc", "#a3d3ae", "#5aa56f", "#1e7b3a",
];

fn parts(kind: QuestionKind, counts: &[u32]) -> Vec<Part> {
    if kind == QuestionKind::Nps {
        let sum = |from: usize, to: usize| counts.iter().skip(from).take(to - from + 1).sum();
        return vec![
            Part {
                label: "Detractors (0–6)".into(),
                count: sum(0, 6),
                colour: FIVE[0],
            },
            Part {
                label: "Passives (7–8)".into(),
                count: sum(7, 8),
                colour: FIVE[2],
            },
            Part {
                label: "Promoters (9–10)".into(),
                count: sum(9, 10),
                colour: FIVE[4],
            },
        ];
    }
    let colours: &[&str] = if counts.len() == 7 { &SEVEN } else { &FIVE };
    counts
        .iter()
        .enumerate()
        .map(|(index, count)| Part {
            label: (index + 1).to_string(),
            count: *count,
            colour: colours.get(index).copied().unwrap_or("#a9b0bc"),
        })
        .collect()
}

/// The answers of one rating question as a stacked bar and in words.
pub fn distribution(kind: QuestionKind, counts: &[u32]) -> Markup {
    let parts = parts(kind, counts);
    let total: u32 = parts.iter().map(|part| part.count).sum();
    let width = 320.0;
    let share = |count: u32| f64::from(count) / f64::from(total.max(1));
    let mut x = 0.0;
    let segments: Vec<(f64, f64, &Part)> = parts
        .iter()
        .map(|part| {
            let w = share(part.count) * width;
            x += w;
            (x - w, w, part)
        })
        .collect();
    let words: Vec<String> = parts
        .iter()
        .map(|part| {
            format!(
                "{}: {} ({:.0}%)",
                part.label,
                part.count,
                share(part.count) * 100.0
            )
        })
        .collect();
    html! {
        div.distribution {
            svg width=(width) height="22" viewBox={ "0 0 " (width) " 22" } role="img"
                aria-label={ "Distribution of answers: " (words.join("; ")) } {
                @for (x, w, part) in &segments {
                    rect x=(format!("{x:.1}")) y="0" width=(format!("{w:.1}")) height="22" fill=(part.colour) {
                        title { (part.label) ": " (part.count) }
                    }
                    @if *w >= 24.0 {
                        text x=(format!("{:.1}", x + w / 2.0)) y="15" font-size="11" text-anchor="middle" fill="#ffffff" { (format!("{:.0}%", share(part.count) * 100.0)) }
                    }
                }
            }
            p.hint {
                @if kind == QuestionKind::Nps { "Answers: " } @else { "Answers from 1 to " (counts.len()) ": " }
                (words.join(" · "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_figure_carries_its_unit() {
        assert_eq!(score(QuestionKind::Csat, 64.28), "64.3%");
        assert_eq!(score(QuestionKind::Nps, 12.4), "+12");
        assert_eq!(score(QuestionKind::Ces, 5.24), "5.2 of 7");
        assert_eq!(
            interval(QuestionKind::Csat, Some(58.06), Some(70.2)),
            "58.1–70.2%"
        );
    }

    #[test]
    fn nps_answers_are_grouped_into_detractors_passives_and_promoters() {
        let counts = [1, 0, 0, 0, 0, 0, 1, 2, 0, 3, 3];
        let text = distribution(QuestionKind::Nps, &counts).into_string();
        assert!(text.contains("Detractors (0–6): 2 (20%)"), "{text}");
        assert!(text.contains("Passives (7–8): 2 (20%)"), "{text}");
        assert!(text.contains("Promoters (9–10): 6 (60%)"), "{text}");
    }
}
