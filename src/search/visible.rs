//! What a search counts, by who searches. For the platform team: the
//! whole index. For a contributor: only the documents they may open, so
//! that nothing they are shown (BM25 scores and the order they give,
//! snippets, typo suggestions, "similar" items) changes with what they may
//! not open. Totals and facets already count only the hits, which carry
//! the access filter.

use std::collections::{BTreeMap, BTreeSet};

use tantivy::collector::DocSetCollector;
use tantivy::query::{Bm25StatisticsProvider, EnableScoring, Query};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocId, DocSet, Score, Searcher, TERMINATED, Term};

use super::tantivy_error;
use crate::error::Result;

/// Where document statistics come from.
pub(super) enum Statistics<'a> {
    /// The whole index (the platform team may open everything).
    Index(&'a Searcher),
    /// The documents a contributor may open.
    Visible(Visible<'a>),
}

/// The documents one contributor may open, by segment, in id order.
pub(super) struct Visible<'a> {
    searcher: &'a Searcher,
    segments: Vec<Vec<DocId>>,
}

impl<'a> Statistics<'a> {
    /// Statistics over what `audience` (the access filter, if any) lets through.
    pub(super) fn new(searcher: &'a Searcher, audience: Option<&dyn Query>) -> Result<Self> {
        let Some(audience) = audience else {
            return Ok(Statistics::Index(searcher));
        };
        let found = searcher
            .search(audience, &DocSetCollector)
            .map_err(tantivy_error)?;
        let mut segments = vec![Vec::new(); searcher.segment_readers().len()];
        for address in found {
            if let Some(docs) = segments.get_mut(address.segment_ord as usize) {
                docs.push(address.doc_id);
            }
        }
        for docs in &mut segments {
            docs.sort_unstable();
        }
        Ok(Statistics::Visible(Visible { searcher, segments }))
    }

    /// How many documents count.
    pub(super) fn num_docs(&self) -> u64 {
        match self {
            Statistics::Index(searcher) => searcher.num_docs(),
            Statistics::Visible(visible) => {
                visible.segments.iter().map(|docs| docs.len() as u64).sum()
            }
        }
    }

    /// How many counted documents contain `term`.
    pub(super) fn doc_freq(&self, term: &Term) -> Result<u64> {
        match self {
            Statistics::Index(searcher) => searcher.doc_freq(term).map_err(tantivy_error),
            Statistics::Visible(visible) => visible.doc_freq(term).map_err(tantivy_error),
        }
    }

    /// BM25 over the counted documents.
    pub(super) fn scoring(&'a self, searcher: &'a Searcher) -> EnableScoring<'a> {
        match self {
            Statistics::Index(searcher) => EnableScoring::enabled_from_searcher(searcher),
            Statistics::Visible(visible) => {
                EnableScoring::enabled_from_statistics_provider(visible, searcher)
            }
        }
    }

    /// Snippets of `field` that favour the query's rarer words, rarity
    /// counted over the counted documents (as tantivy's own generator does
    /// over the whole index).
    pub(super) fn snippets(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        field: Field,
    ) -> Result<SnippetGenerator> {
        let mut terms: BTreeSet<Term> = BTreeSet::new();
        query.query_terms(&mut |term, _| {
            if term.field() == field {
                terms.insert(term.clone());
            }
        });
        let mut weights: BTreeMap<String, Score> = BTreeMap::new();
        for term in terms {
            let Some(text) = term.value().as_str().map(str::to_owned) else {
                continue;
            };
            let frequency = self.doc_freq(&term)?;
            if frequency > 0 {
                weights.insert(text, 1.0 / (1.0 + frequency as Score));
            }
        }
        let tokenizer = searcher
            .index()
            .tokenizer_for_field(field)
            .map_err(tantivy_error)?;
        Ok(SnippetGenerator::new(weights, tokenizer, field, 150))
    }
}

impl Visible<'_> {
    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let mut count = 0;
        for (segment, docs) in self.searcher.segment_readers().iter().zip(&self.segments) {
            if docs.is_empty() {
                continue;
            }
            let Some(mut postings) = segment
                .inverted_index(term.field())?
                .read_postings(term, IndexRecordOption::Basic)?
            else {
                continue;
            };
            for &doc in docs {
                // `seek` only moves forward.
                let current = postings.doc();
                let found = if current >= doc {
                    current
                } else {
                    postings.seek(doc)
                };
                if found == TERMINATED {
                    break;
                }
                if found == doc {
                    count += 1;
                }
            }
        }
        Ok(count)
    }
}

impl Bm25StatisticsProvider for Visible<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        let mut tokens = 0;
        for (segment, docs) in self.searcher.segment_readers().iter().zip(&self.segments) {
            if docs.is_empty() {
                continue;
            }
            let norms = segment.get_fieldnorms_reader(field)?;
            tokens += docs
                .iter()
                .map(|&doc| u64::from(norms.fieldnorm(doc)))
                .sum::<u64>();
        }
        Ok(tokens)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.segments.iter().map(|docs| docs.len() as u64).sum())
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        Visible::doc_freq(self, term)
    }
}
