//! The search query language, parsed leniently.
//!
//! ```text
//! flaky "cache miss" -windows ci-runner OR k8s.prod service:ci-runner team:payments
//! kind:pain status:new tag:caching rating:<3 after:2026-01-01 before:2026-06
//! ```
//!
//! Words are all required; `OR` between two terms makes either enough;
//! `"phrases"` match words in order; `-term` excludes; `field:value` filters
//! (several values of one field: any of them; `-field:value` excludes).
//! `rating:` takes `N`, `<N`, `<=N`, `>N` or `>=N`; `after:` and `before:`
//! take `YYYY-MM-DD`, `YYYY-MM` or `YYYY` (after is inclusive, before is not).
//!
//! Parsing never fails: whatever cannot be understood is left out and
//! described in [`SearchQuery::ignored`], and the rest is searched.
//! The text is cut into tokens in `lex`; here they become a [`SearchQuery`].

mod lex;

use chrono::NaiveDate;

use lex::{Token, lex};

/// Queries longer than this are cut.
pub const MAX_QUERY_CHARS: usize = 500;
/// Words longer than this are not indexed, so they are left out of queries.
pub const MAX_WORD_CHARS: usize = 60;
/// Terms beyond this many are left out.
pub const MAX_TERMS: usize = 32;

/// A word or a phrase, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    Word(String),
    Phrase(Vec<String>),
}

/// A field that filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterField {
    Service,
    Team,
    Kind,
    Status,
    Tag,
}

impl FilterField {
    fn parse(name: &str) -> Option<FilterField> {
        match name {
            "service" => Some(FilterField::Service),
            "team" => Some(FilterField::Team),
            "kind" => Some(FilterField::Kind),
            "status" => Some(FilterField::Status),
            "tag" => Some(FilterField::Tag),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FilterField::Service => "service",
            FilterField::Team => "team",
            FilterField::Kind => "kind",
            FilterField::Status => "status",
            FilterField::Tag => "tag",
        }
    }
}

/// The kinds `kind:` accepts: what a thing is, or what a feedback item is.
pub const KINDS: &[&str] = &[
    "feedback",
    "interview",
    "pain_point",
    "roadmap_item",
    "survey_response",
    "pain",
    "idea",
    "praise",
    "question",
];

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// All clauses must match; each clause is satisfied by any of its terms.
    pub clauses: Vec<Vec<Term>>,
    /// Terms that must not match.
    pub excluded: Vec<Term>,
    /// `field:value` filters; values of one field are alternatives.
    pub filters: Vec<(FilterField, String)>,
    /// `-field:value`: documents with this value are left out.
    pub excluded_filters: Vec<(FilterField, String)>,
    /// Inclusive bounds on the 1–5 rating.
    pub rating: Option<(u8, u8)>,
    /// Created on or after this day.
    pub after: Option<NaiveDate>,
    /// Created before this day.
    pub before: Option<NaiveDate>,
    /// What was left out, and why, in words for the person searching.
    pub ignored: Vec<String>,
}

impl SearchQuery {
    /// Whether nothing at all was asked for.
    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
            && self.filters.is_empty()
            && self.excluded_filters.is_empty()
            && self.rating.is_none()
            && self.after.is_none()
            && self.before.is_none()
    }

    /// Whether the query asks only for filters (no words to rank by).
    pub fn has_terms(&self) -> bool {
        !self.clauses.is_empty()
    }

    /// The same query with `from` replaced by `to` wherever it is a word.
    pub fn replacing_word(&self, from: &str, to: &str) -> SearchQuery {
        let mut query = self.clone();
        for term in query.clauses.iter_mut().flatten() {
            if let Term::Word(word) = term
                && word == from
            {
                *word = to.to_owned();
            }
        }
        query
    }

    /// The words and phrases searched, as a person would type them again.
    pub fn terms_text(&self) -> String {
        let term = |term: &Term| match term {
            Term::Word(word) => word.clone(),
            Term::Phrase(words) => format!("\"{}\"", words.join(" ")),
        };
        let mut parts: Vec<String> = self
            .clauses
            .iter()
            .map(|clause| clause.iter().map(term).collect::<Vec<_>>().join(" OR "))
            .collect();
        parts.extend(
            self.excluded
                .iter()
                .map(|excluded| format!("-{}", term(excluded))),
        );
        parts.join(" ")
    }
}

/// Parses `input` leniently; see the module documentation for the language.
pub fn parse(input: &str) -> SearchQuery {
    let mut query = SearchQuery::default();
    let mut text: String = input
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().count() > MAX_QUERY_CHARS {
        text = text.chars().take(MAX_QUERY_CHARS).collect();
        query.ignored.push(format!(
            "the query was cut to its first {MAX_QUERY_CHARS} characters"
        ));
    }
    let tokens = lex(&text, &mut query.ignored);
    build(tokens, &mut query);
    query
}

fn build(tokens: Vec<Token>, query: &mut SearchQuery) {
    let mut pending_or = false;
    let mut terms = 0;
    for token in tokens {
        match token {
            Token::Or => {
                if pending_or || query.clauses.is_empty() {
                    query
                        .ignored
                        .push("an \"OR\" without a term before it".into());
                } else {
                    pending_or = true;
                }
            }
            Token::Term { negated, term } => {
                if terms >= MAX_TERMS {
                    query
                        .ignored
                        .push(format!("terms after the first {MAX_TERMS}"));
                    pending_or = false;
                    continue;
                }
                terms += 1;
                if negated {
                    query.excluded.push(term);
                    if pending_or {
                        query
                            .ignored
                            .push("an \"OR\" before an excluded term".into());
                        pending_or = false;
                    }
                } else if pending_or {
                    query.clauses.last_mut().expect("checked above").push(term);
                    pending_or = false;
                } else {
                    query.clauses.push(vec![term]);
                }
            }
            Token::Field {
                negated,
                name,
                value,
                raw,
            } => {
                if pending_or {
                    query.ignored.push("an \"OR\" before a filter".into());
                    pending_or = false;
                }
                filter(query, negated, &name, &value, &raw);
            }
        }
    }
    if pending_or {
        query
            .ignored
            .push("an \"OR\" without a term after it".into());
    }
    query.ignored.dedup();
}

fn filter(query: &mut SearchQuery, negated: bool, name: &str, value: &str, raw: &str) {
    let value = value.trim().to_lowercase();
    if value.is_empty() {
        query
            .ignored
            .push(format!("\"{raw}\" (a filter needs a value)"));
        return;
    }
    if let Some(field) = FilterField::parse(name) {
        let value = if field == FilterField::Kind {
            normalise_kind(&value)
        } else {
            value
        };
        if field == FilterField::Kind && !KINDS.contains(&value.as_str()) {
            query
                .ignored
                .push(format!("\"{raw}\" (kinds are {})", KINDS.join(", ")));
            return;
        }
        if negated {
            query.excluded_filters.push((field, value));
        } else {
            query.filters.push((field, value));
        }
        return;
    }
    if negated && matches!(name, "rating" | "after" | "before") {
        query
            .ignored
            .push(format!("\"{raw}\" (this filter cannot be excluded)"));
        return;
    }
    match name {
        "rating" => match parse_rating(&value) {
            Some(range) => query.rating = Some(range),
            None => query.ignored.push(format!(
                "\"{raw}\" (use a rating from 1 to 5, like rating:<3 or rating:>=4)"
            )),
        },
        "after" | "before" => match parse_day(&value) {
            Some(day) if name == "after" => query.after = Some(day),
            Some(day) => query.before = Some(day),
            None => query.ignored.push(format!(
                "\"{raw}\" (use a date like {name}:2026-01-31, {name}:2026-01 or {name}:2026)"
            )),
        },
        _ => query.ignored.push(format!(
            "\"{raw}\" ({name}: is not a filter; filters are service, team, kind, status, tag, rating, after and before)"
        )),
    }
}

fn normalise_kind(value: &str) -> String {
    match value {
        "pain-point" | "painpoint" | "pain_points" => "pain_point".into(),
        "roadmap" | "roadmap-item" => "roadmap_item".into(),
        "survey" | "survey-response" | "comment" => "survey_response".into(),
        other => other.to_owned(),
    }
}

fn parse_rating(value: &str) -> Option<(u8, u8)> {
    let (operator, number) = match value.find(|c: char| c.is_ascii_digit()) {
        Some(start) => value.split_at(start),
        None => return None,
    };
    let number: u8 = number.parse().ok().filter(|n| (1..=5).contains(n))?;
    match operator {
        "" | "=" => Some((number, number)),
        "<" if number > 1 => Some((1, number - 1)),
        "<=" => Some((1, number)),
        ">" if number < 5 => Some((number + 1, 5)),
        ">=" => Some((number, 5)),
        _ => None,
    }
}

fn parse_day(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&format!("{value}-01"), "%Y-%m-%d"))
        .or_else(|_| NaiveDate::parse_from_str(&format!("{value}-01-01"), "%Y-%m-%d"))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str) -> Term {
        Term::Word(text.into())
    }

    #[test]
    fn words_are_all_required_and_or_joins_neighbours() {
        let query = parse("flaky ci-runner OR k8s.prod cache");
        assert_eq!(
            query.clauses,
            vec![
                vec![word("flaky")],
                vec![word("ci-runner"), word("k8s.prod")],
                vec![word("cache")]
            ]
        );
        assert!(query.ignored.is_empty());
    }

    #[test]
    fn phrases_exclusions_and_filters_are_recognised() {
        let query = parse(
            r#""cache miss" -windows service:ci-runner -kind:praise tag:Caching rating:<3 after:2026-01-01 before:2026-06"#,
        );
        assert_eq!(
            query.clauses,
            vec![vec![Term::Phrase(vec!["cache".into(), "miss".into()])]]
        );
        assert_eq!(query.excluded, vec![word("windows")]);
        assert_eq!(
            query.filters,
            vec![
                (FilterField::Service, "ci-runner".into()),
                (FilterField::Tag, "caching".into())
            ]
        );
        assert_eq!(
            query.excluded_filters,
            vec![(FilterField::Kind, "praise".into())]
        );
        assert_eq!(query.rating, Some((1, 2)));
        assert_eq!(query.after, NaiveDate::from_ymd_opt(2026, 1, 1));
        assert_eq!(query.before, NaiveDate::from_ymd_opt(2026, 6, 1));
    }

    #[test]
    fn ratings_take_comparisons() {
        assert_eq!(parse_rating("5"), Some((5, 5)));
        assert_eq!(parse_rating(">=4"), Some((4, 5)));
        assert_eq!(parse_rating(">4"), Some((5, 5)));
        assert_eq!(parse_rating("<=2"), Some((1, 2)));
        for bad in ["<1", ">5", "<x", "6", "0", "=>3", ""] {
            assert_eq!(parse_rating(bad), None, "{bad}");
        }
    }

    #[test]
    fn broken_syntax_is_searched_as_far_as_possible_and_explained() {
        let cases = [
            ("-", 0, 1),
            ("\"", 0, 1),
            ("OR OR", 0, 1),
            ("cache OR", 1, 1),
            ("\"unbalanced quote", 1, 1),
            ("foo:bar cache", 1, 1),
            ("rating:<x cache", 1, 1),
            ("after:yesterday", 0, 1),
            ("kind:rant", 0, 1),
            ("&& || <script>alert(1)</script>", 1, 2),
        ];
        for (input, clauses, ignored) in cases {
            let query = parse(input);
            assert_eq!(
                query.clauses.len(),
                clauses,
                "clauses of {input:?}: {query:?}"
            );
            assert_eq!(
                query.ignored.len(),
                ignored,
                "ignored of {input:?}: {query:?}"
            );
        }
    }

    #[test]
    fn control_characters_and_very_long_queries_are_tamed() {
        let query = parse("cache\u{0}\u{7}miss");
        assert_eq!(query.clauses, vec![vec![word("cache")], vec![word("miss")]]);
        let long = "word ".repeat(2_000);
        let query = parse(&long);
        assert_eq!(query.clauses.len(), MAX_TERMS);
        assert!(query.ignored.iter().any(|note| note.contains("cut")));
    }

    #[test]
    fn an_empty_query_asks_for_nothing() {
        assert!(parse("").is_empty());
        assert!(parse("   ").is_empty());
        assert!(!parse("tag:x").is_empty());
    }

    #[test]
    fn a_word_can_be_replaced_for_a_correction() {
        let query = parse("flakey runner -windows");
        assert_eq!(
            query.replacing_word("flakey", "flaky").terms_text(),
            "flaky runner -windows"
        );
    }
}
