//! A parsed [`SearchQuery`] as one tantivy query: words in the fields the
//! viewer may search (identifiers exact and boosted, prose stemmed),
//! filters, ranges and the access filter.

use std::collections::BTreeMap;
use std::ops::Bound;

use chrono::NaiveDate;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DateTime, Term};

use super::SearchIndex;
use super::query::Viewer;
use super::schema::{IDENT, PROSE};
use super::visible::Statistics;
use crate::domain::query::{FilterField, SearchQuery, Term as QueryTerm};
use crate::error::{Error, Result};

impl SearchIndex {
    /// For contributors: only what everyone may open, and their own.
    pub(super) fn audience_filter(&self, viewer: Viewer) -> Option<Box<dyn Query>> {
        let Viewer::Contributor(user) = viewer else {
            return None;
        };
        let audience = |value: String| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(self.fields.audience, &value),
                IndexRecordOption::Basic,
            ))
        };
        Some(Box::new(BooleanQuery::union(vec![
            audience("everyone".into()),
            audience(format!("user:{user}")),
        ])))
    }

    /// The whole query as one tantivy query, access filter included.
    pub(super) fn compile(
        &self,
        analyzers: &mut Analyzers,
        query: &SearchQuery,
        viewer: Viewer,
    ) -> Box<dyn Query> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for clause in &query.clauses {
            let alternatives: Vec<Box<dyn Query>> = clause
                .iter()
                .filter_map(|term| self.term_query(analyzers, term, viewer))
                .collect();
            match alternatives.len() {
                0 => {}
                1 => clauses.push((Occur::Must, alternatives.into_iter().next().expect("one"))),
                _ => clauses.push((Occur::Must, Box::new(BooleanQuery::union(alternatives)))),
            }
        }
        for excluded in &query.excluded {
            if let Some(excluded) = self.term_query(analyzers, excluded, viewer) {
                clauses.push((Occur::MustNot, excluded));
            }
        }
        let mut by_field: BTreeMap<&str, Vec<Box<dyn Query>>> = BTreeMap::new();
        for (field, value) in &query.filters {
            by_field
                .entry(field.as_str())
                .or_default()
                .push(self.filter_query(*field, value));
        }
        for (_, alternatives) in by_field {
            clauses.push((Occur::Must, Box::new(BooleanQuery::union(alternatives))));
        }
        for (field, value) in &query.excluded_filters {
            clauses.push((Occur::MustNot, self.filter_query(*field, value)));
        }
        if let Some((low, high)) = query.rating {
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    Bound::Included(Term::from_field_u64(self.fields.rating, u64::from(low))),
                    Bound::Included(Term::from_field_u64(self.fields.rating, u64::from(high))),
                )),
            ));
        }
        if query.after.is_some() || query.before.is_some() {
            let day = |day: NaiveDate| {
                let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc();
                Term::from_field_date(
                    self.fields.created,
                    DateTime::from_timestamp_micros(midnight.timestamp_micros()),
                )
            };
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    query
                        .after
                        .map_or(Bound::Unbounded, |after| Bound::Included(day(after))),
                    query
                        .before
                        .map_or(Bound::Unbounded, |before| Bound::Excluded(day(before))),
                )),
            ));
        }
        if !clauses.iter().any(|(occur, _)| *occur == Occur::Must) {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        if let Some(audience) = self.audience_filter(viewer) {
            clauses.push((Occur::Must, audience));
        }
        // A lone clause is the query itself: a union of term queries at the
        // top is what tantivy's block-max WAND can prune.
        if let [(Occur::Must, _)] = clauses.as_slice() {
            return clauses.pop().expect("one clause").1;
        }
        Box::new(BooleanQuery::new(clauses))
    }

    pub(super) fn filter_query(&self, field: FilterField, value: &str) -> Box<dyn Query> {
        let field = match field {
            FilterField::Service => self.fields.service,
            FilterField::Team => self.fields.team,
            FilterField::Kind => self.fields.kind,
            FilterField::Status => self.fields.status,
            FilterField::Tag => self.fields.tag,
        };
        Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        ))
    }

    /// One word or phrase: its identifier form (exact, boosted) or its
    /// prose form (stemmed) in any field the viewer may search.
    pub(super) fn term_query(
        &self,
        analyzers: &mut Analyzers,
        term: &QueryTerm,
        viewer: Viewer,
    ) -> Option<Box<dyn Query>> {
        let text = match term {
            QueryTerm::Word(word) => word.clone(),
            QueryTerm::Phrase(words) => words.join(" "),
        };
        let team = viewer == Viewer::PlatformTeam;
        let ident = analyzers.ident(&text);
        let prose = analyzers.prose(&text);
        let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
        let mut add = |field: Field, tokens: &[String], boost: f32| {
            if let Some(query) = sequence_query(field, tokens) {
                alternatives.push(Box::new(BoostQuery::new(query, boost)));
            }
        };
        add(self.fields.ident, &ident, 3.0);
        // A word in the title says more about the item than one in the body.
        add(self.fields.title, &prose, 3.0);
        add(self.fields.body, &prose, 1.0);
        if team {
            add(self.fields.ident_internal, &ident, 1.5);
            add(self.fields.internal, &prose, 0.5);
        }
        match alternatives.len() {
            0 => None,
            _ => Some(Box::new(BooleanQuery::union(alternatives))),
        }
    }

    /// About how many documents `query` can match: for the narrowest of its
    /// required clauses, the documents containing any of its words; every
    /// document when it has no words (filters alone).
    pub(super) fn expected_matches(
        &self,
        statistics: &Statistics<'_>,
        analyzers: &mut Analyzers,
        query: &SearchQuery,
    ) -> Result<u64> {
        let mut narrowest = statistics.num_docs();
        for clause in &query.clauses {
            let mut clause_matches = 0;
            for term in clause {
                let text = match term {
                    QueryTerm::Word(word) => word.clone(),
                    QueryTerm::Phrase(words) => words.join(" "),
                };
                let tokens = [
                    (self.fields.ident, analyzers.ident(&text)),
                    (self.fields.body, analyzers.prose(&text)),
                ];
                for (field, tokens) in tokens {
                    // A phrase matches no more than its rarest word.
                    let mut rarest = u64::MAX;
                    for token in tokens {
                        rarest =
                            rarest.min(statistics.doc_freq(&Term::from_field_text(field, &token))?);
                    }
                    if rarest != u64::MAX {
                        clause_matches += rarest;
                    }
                }
            }
            narrowest = narrowest.min(clause_matches);
        }
        Ok(narrowest)
    }
}

/// A term query for one token, a phrase query for several.
fn sequence_query(field: Field, tokens: &[String]) -> Option<Box<dyn Query>> {
    let terms: Vec<Term> = tokens
        .iter()
        .map(|token| Term::from_field_text(field, token))
        .collect();
    match terms.len() {
        0 => None,
        1 => Some(Box::new(TermQuery::new(
            terms.into_iter().next().expect("one"),
            IndexRecordOption::WithFreqs,
        ))),
        _ => Some(Box::new(PhraseQuery::new(terms))),
    }
}

/// The analyzers of the two kinds of text fields, for query words.
pub(super) struct Analyzers {
    prose: TextAnalyzer,
    ident: TextAnalyzer,
}

impl Analyzers {
    pub(super) fn new(index: &SearchIndex) -> Result<Analyzers> {
        let get =
            |name: &str| {
                index.index.tokenizers().get(name).ok_or_else(|| {
                    Error::Internal(format!("the analyzer {name} is not registered"))
                })
            };
        Ok(Analyzers {
            prose: get(PROSE)?,
            ident: get(IDENT)?,
        })
    }

    pub(super) fn prose(&mut self, text: &str) -> Vec<String> {
        tokens(&mut self.prose, text)
    }

    pub(super) fn ident(&mut self, text: &str) -> Vec<String> {
        tokens(&mut self.ident, text)
    }
}

fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut tokens = Vec::new();
    while stream.advance() {
        tokens.push(stream.token().text.clone());
    }
    tokens
}
