//! Typo tolerance: a word that matches nothing the viewer may open is
//! replaced by the most frequent indexed word within a small edit distance
//! that they may open.

use std::collections::HashMap;

use levenshtein_automata::{DFA, Distance, LevenshteinAutomatonBuilder};
use tantivy::{Searcher, Term};

use super::compile::Analyzers;
use super::query::Viewer;
use super::visible::Statistics;
use super::{SearchIndex, tantivy_error};
use crate::domain::query::{SearchQuery, Term as QueryTerm};
use crate::error::Result;

impl SearchIndex {
    /// The query with every word that matches nothing (in what this viewer
    /// may open) replaced by the closest word found in what they may open,
    /// if any.
    pub(super) fn corrected_query(
        &self,
        searcher: &Searcher,
        statistics: &Statistics<'_>,
        analyzers: &mut Analyzers,
        query: &SearchQuery,
        viewer: Viewer,
    ) -> Result<Option<SearchQuery>> {
        let mut corrected = query.clone();
        let mut changed = false;
        for term in query.clauses.iter().flatten() {
            let QueryTerm::Word(word) = term else {
                continue;
            };
            if self.matches_anything(statistics, analyzers, word, viewer)? {
                continue;
            }
            let ident = analyzers.ident(word);
            let [typed] = ident.as_slice() else { continue };
            if let Some(closest) = self.closest_word(searcher, statistics, typed)? {
                corrected = corrected.replacing_word(word, &closest);
                changed = true;
            }
        }
        Ok(changed.then_some(corrected))
    }

    fn matches_anything(
        &self,
        statistics: &Statistics<'_>,
        analyzers: &mut Analyzers,
        word: &str,
        viewer: Viewer,
    ) -> Result<bool> {
        let mut fields = vec![(self.fields.ident, analyzers.ident(word))];
        let prose = analyzers.prose(word);
        fields.push((self.fields.title, prose.clone()));
        fields.push((self.fields.body, prose.clone()));
        if viewer == Viewer::PlatformTeam {
            fields.push((self.fields.ident_internal, analyzers.ident(word)));
            fields.push((self.fields.internal, prose));
        }
        for (field, tokens) in fields {
            for token in tokens {
                if statistics.doc_freq(&Term::from_field_text(field, &token))? > 0 {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// The most frequent word within edit distance 1 (words of up to 5
    /// letters) or 2 of `typed`, counted in the documents `statistics`
    /// counts; the nearer wins a tie.
    fn closest_word(
        &self,
        searcher: &Searcher,
        statistics: &Statistics<'_>,
        typed: &str,
    ) -> Result<Option<String>> {
        let length = typed.chars().count();
        let distance = match length {
            0..=2 => return Ok(None),
            3..=5 => 1,
            _ => 2,
        };
        let dfa = LevenshteinAutomatonBuilder::new(distance, true).build_dfa(typed);
        let mut candidates: HashMap<Vec<u8>, (u8, u64)> = HashMap::new();
        for segment in searcher.segment_readers() {
            let inverted = segment
                .inverted_index(self.fields.ident)
                .map_err(tantivy_error)?;
            let mut stream = inverted
                .terms()
                .search(LevenshteinWithin(&dfa))
                .into_stream()
                .map_err(tantivy_error)?;
            while stream.advance() {
                let key = stream.key().to_vec();
                let distance = match dfa.eval(&key) {
                    Distance::Exact(distance) => distance,
                    Distance::AtLeast(_) => continue,
                };
                let entry = candidates.entry(key).or_insert((distance, 0));
                entry.1 += u64::from(stream.value().doc_freq);
            }
        }
        if let Statistics::Visible(_) = statistics {
            // A word only in documents this viewer may not open is no
            // suggestion for them; frequencies count what they may open.
            for (key, (_, frequency)) in candidates.iter_mut() {
                *frequency = match std::str::from_utf8(key) {
                    Ok(word) => {
                        statistics.doc_freq(&Term::from_field_text(self.fields.ident, word))?
                    }
                    Err(_) => 0,
                };
            }
            candidates.retain(|_, (_, frequency)| *frequency > 0);
        }
        let best = candidates
            .into_iter()
            .filter(|(_, (distance, _))| *distance > 0)
            .min_by(
                |(a_key, (a_distance, a_freq)), (b_key, (b_distance, b_freq))| {
                    a_distance
                        .cmp(b_distance)
                        .then(b_freq.cmp(a_freq))
                        .then(a_key.cmp(b_key))
                },
            );
        Ok(best.and_then(|(key, _)| String::from_utf8(key).ok()))
    }
}

/// A Levenshtein DFA as an automaton over the term dictionary.
struct LevenshteinWithin<'a>(&'a DFA);

impl tantivy_fst::Automaton for LevenshteinWithin<'_> {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != levenshtein_automata::SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}
