//! "More like this": items that share the rarest words of a text, counted
//! over what the viewer may open.

use tantivy::Term;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;

use super::SearchIndex;
use super::compile::Analyzers;
use super::query::{SearchHit, Viewer, collect};
use super::visible::Statistics;
use crate::error::Result;

/// Stemmed words too common to make two texts similar.
const STOP_WORDS: &[&str] = &[
    "the", "and", "for", "are", "but", "not", "you", "all", "can", "her", "was", "one", "our",
    "out", "get", "has", "him", "his", "how", "man", "new", "now", "old", "see", "two", "way",
    "who", "did", "its", "let", "put", "say", "she", "too", "use", "that", "with", "have", "this",
    "will", "your", "from", "they", "know", "want", "been", "good", "much", "some", "time", "veri",
    "when", "come", "here", "just", "like", "long", "make", "mani", "more", "onli", "over", "such",
    "take", "than", "them", "well", "were", "what", "there", "which", "would", "about", "again",
    "after", "could", "everi", "into", "keep", "still", "thing",
];

impl SearchIndex {
    /// Items like `text` (more like this): the rarest indexed words of the
    /// text, any of them, ranked by BM25, limited to what `viewer` may open;
    /// how rare a word is, and the scores, are counted over that too.
    pub fn similar(&self, text: &str, viewer: Viewer, limit: usize) -> Result<Vec<SearchHit>> {
        const WORDS: usize = 12;
        let searcher = self.reader.searcher();
        let audience = self.audience_filter(viewer);
        let statistics = Statistics::new(&searcher, audience.as_deref())?;
        let documents = statistics.num_docs().max(1);
        let mut analyzers = Analyzers::new(self)?;
        let mut words: Vec<(u64, String)> = Vec::new();
        for token in analyzers.prose(text) {
            if token.len() < 3
                || STOP_WORDS.contains(&token.as_str())
                || words.iter().any(|(_, word)| *word == token)
            {
                continue;
            }
            let frequency =
                statistics.doc_freq(&Term::from_field_text(self.fields.body, &token))?;
            // Words in a fifth of a sizeable index say nothing about this text.
            if frequency > 0 && (documents < 100 || frequency * 5 < documents) {
                words.push((frequency, token));
            }
        }
        words.sort();
        words.truncate(WORDS);
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let per_word: Vec<Box<dyn Query>> = words
            .iter()
            .map(|(_, word)| -> Box<dyn Query> {
                Box::new(BooleanQuery::union(
                    [self.fields.title, self.fields.body]
                        .map(|field| -> Box<dyn Query> {
                            Box::new(TermQuery::new(
                                Term::from_field_text(field, word),
                                IndexRecordOption::WithFreqs,
                            ))
                        })
                        .into(),
                ))
            })
            .collect();
        // One shared word is chance; similar items share at least two.
        let required = per_word.len().min(2);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Must,
            Box::new(BooleanQuery::with_minimum_required_clauses(
                per_word
                    .into_iter()
                    .map(|query| (Occur::Should, query))
                    .collect(),
                required,
            )),
        )];
        if let Some(audience) = audience {
            clauses.push((Occur::Must, audience));
        }
        let query = BooleanQuery::new(clauses);
        let top = collect(
            &searcher,
            &statistics,
            &query,
            &TopDocs::with_limit(limit).order_by_score(),
            false,
        )?;
        let snippets = statistics.snippets(&searcher, &query, self.fields.body)?;
        top.into_iter()
            .filter_map(|(score, address)| {
                self.hit(&searcher, &snippets, score, address).transpose()
            })
            .collect()
    }
}
