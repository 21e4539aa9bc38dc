//! Running a parsed [`SearchQuery`] against the index: compiling it to
//! tantivy queries, the access filter, typo fallback, facets and snippets.
//! Scores, snippets, suggestions and "similar" count only what the
//! searcher may open (`search::visible`).

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

use chrono::{DateTime as ChronoDateTime, NaiveDate, Utc};
use levenshtein_automata::{DFA, Distance, LevenshteinAutomatonBuilder};
use tantivy::collector::TopDocs;
use tantivy::query::EnableScoring;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DateTime, DocAddress, Executor, Order, Searcher, TantivyDocument, Term};

use super::facets::FacetCounts;
use super::visible::Statistics;
use super::{IDENT, PROSE, SearchIndex, tantivy_error};
use crate::domain::query::{FilterField, SearchQuery, Term as QueryTerm};
use crate::domain::search::EntityKind;
use crate::error::{Error, Result};

/// Who is searching: the same rule as who may open what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Team and admin: everything, internal notes included.
    PlatformTeam,
    /// A contributor with this user id: their own non-anonymous feedback and
    /// what everyone may see; never internal text.
    Contributor(i64),
}

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    /// BM25, exact matches above stemmed ones.
    Relevance,
    /// Most recently created first.
    Newest,
}

#[derive(Clone)]
pub struct SearchRequest {
    pub query: SearchQuery,
    pub viewer: Viewer,
    pub sort: SortOrder,
    pub limit: usize,
    pub offset: usize,
}

/// One result.
#[derive(Debug, Clone)]
pub struct SearchHit {
    pub entity: EntityKind,
    pub id: i64,
    pub title: String,
    /// HTML: the text is escaped and only the `<mark>` highlights are ours.
    pub snippet_html: String,
    pub url: String,
    pub score: f32,
    pub created_at: Option<ChronoDateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<SearchHit>,
    /// Counts per value for service, kind, team, tag and year.
    pub facets: BTreeMap<&'static str, Vec<FacetCount>>,
    /// What the query language left out.
    pub ignored: Vec<String>,
    /// When some words matched nothing and close ones were searched instead:
    /// the query that was searched.
    pub corrected: Option<String>,
}

const FACETS: [&str; 5] = ["service", "kind", "team", "tag", "year"];

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
const SNIPPET_CHARS: usize = 200;
/// Searches expected to match fewer documents than this run on the calling
/// thread: handing segments to the search threads costs more than it saves
/// (thread wake-ups and spinning were most of a rare-term search's CPU).
const PARALLEL_FROM: u64 = 20_000;

/// Runs `collector` over every segment, on the search threads or on this
/// one, scoring by `statistics`.
fn collect<C: tantivy::collector::Collector>(
    searcher: &Searcher,
    statistics: &Statistics<'_>,
    query: &dyn Query,
    collector: &C,
    parallel: bool,
) -> Result<C::Fruit> {
    let scoring = if collector.requires_scoring() {
        statistics.scoring(searcher)
    } else {
        EnableScoring::disabled_from_searcher(searcher)
    };
    let single = Executor::single_thread();
    let executor = if parallel {
        searcher.index().search_executor()
    } else {
        &single
    };
    searcher
        .search_with_executor(query, collector, executor, scoring)
        .map_err(tantivy_error)
}

impl SearchIndex {
    /// Searches; CPU-bound, so callers run it off the async threads.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        // Tags are the team's words: a contributor neither filters by them
        // (which would tell whether their item carries one) nor sees them
        // counted.
        let mut own;
        let request = if matches!(request.viewer, Viewer::Contributor(_)) {
            own = request.clone();
            own.query.filters.retain(|(field, value)| {
                let internal = *field == FilterField::Tag;
                if internal {
                    own.query
                        .ignored
                        .push(format!("tag:{value} (tags are the platform team's)"));
                }
                !internal
            });
            own.query
                .excluded_filters
                .retain(|(field, _)| *field != FilterField::Tag);
            &own
        } else {
            request
        };
        let searcher = self.reader.searcher();
        let audience = self.audience_filter(request.viewer);
        let statistics = Statistics::new(&searcher, audience.as_deref())?;
        let mut analyzers = Analyzers::new(self)?;
        let mut results = self.run(
            &searcher,
            &statistics,
            &mut analyzers,
            &request.query,
            request,
        )?;
        let corrected = self.corrected_query(
            &searcher,
            &statistics,
            &mut analyzers,
            &request.query,
            request.viewer,
        )?;
        if let Some(corrected) = corrected {
            let retried = self.run(&searcher, &statistics, &mut analyzers, &corrected, request)?;
            // Only offer a correction that finds something this viewer may see.
            if retried.total > 0 {
                results = SearchResults {
                    corrected: Some(corrected.terms_text()),
                    ..retried
                };
            }
        }
        results.ignored = request.query.ignored.clone();
        Ok(results)
    }

    fn run(
        &self,
        searcher: &Searcher,
        statistics: &Statistics<'_>,
        analyzers: &mut Analyzers,
        query: &SearchQuery,
        request: &SearchRequest,
    ) -> Result<SearchResults> {
        let compiled = self.compile(analyzers, query, request.viewer);
        let top = TopDocs::with_limit(request.limit.max(1)).and_offset(request.offset);
        let by_newest = request.sort == SortOrder::Newest || !query.has_terms();
        let parallel = self.expected_matches(statistics, analyzers, query)? >= PARALLEL_FROM;
        // One pass collects the page, the count and the facets: a separate
        // top-k pass (block-max WAND) measured no faster, because the count
        // and facets must visit every match anyway.
        let (addresses, total, facet_counts): (Vec<(f32, DocAddress)>, usize, _) = if by_newest {
            let (top, (total, facet_counts)) = collect(
                searcher,
                statistics,
                compiled.as_ref(),
                &(
                    top.order_by_fast_field::<DateTime>("created", Order::Desc),
                    FacetCounts,
                ),
                parallel,
            )?;
            (
                top.into_iter().map(|(_, address)| (0.0, address)).collect(),
                total,
                facet_counts,
            )
        } else {
            let (top, (total, facet_counts)) = collect(
                searcher,
                statistics,
                compiled.as_ref(),
                &(top.order_by_score(), FacetCounts),
                parallel,
            )?;
            (top, total, facet_counts)
        };
        let mut snippets = statistics.snippets(searcher, compiled.as_ref(), self.fields.body)?;
        snippets.set_max_num_chars(SNIPPET_CHARS);
        let hits = addresses
            .into_iter()
            .filter_map(|(score, address)| {
                self.hit(searcher, &snippets, score, address).transpose()
            })
            .collect::<Result<Vec<_>>>()?;
        let contributor = matches!(request.viewer, Viewer::Contributor(_));
        let facets = FACETS
            .into_iter()
            .filter(|name| !(contributor && *name == "tag"))
            .map(|name| {
                let mut counts: Vec<FacetCount> = facet_counts
                    .get(name)
                    .into_iter()
                    .flatten()
                    .map(|(value, count)| FacetCount {
                        value: value.clone(),
                        count: *count,
                    })
                    .collect();
                counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
                counts.truncate(20);
                (name, counts)
            })
            .collect();
        Ok(SearchResults {
            total,
            hits,
            facets,
            ignored: Vec::new(),
            corrected: None,
        })
    }

    fn hit(
        &self,
        searcher: &Searcher,
        snippets: &SnippetGenerator,
        score: f32,
        address: DocAddress,
    ) -> Result<Option<SearchHit>> {
        let document: TantivyDocument = searcher.doc(address).map_err(tantivy_error)?;
        let text = |field: Field| {
            document
                .get_first(field)
                .and_then(|value| value.as_str().map(str::to_owned))
                .unwrap_or_default()
        };
        let Some(entity) = EntityKind::parse(&text(self.fields.entity)) else {
            return Ok(None);
        };
        let id = document
            .get_first(self.fields.id)
            .and_then(|value| value.as_i64())
            .ok_or_else(|| Error::Internal("an indexed document has no id".into()))?;
        let body = text(self.fields.body);
        let mut snippet = snippets.snippet(&body);
        snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
        let snippet_html = if snippet.is_empty() {
            escape_html(&excerpt(&body, SNIPPET_CHARS))
        } else {
            snippet.to_html()
        };
        let title = match text(self.fields.title) {
            title if title.is_empty() => excerpt(&body, 80),
            title => title,
        };
        let created_at = document
            .get_first(self.fields.created)
            .and_then(|value| value.as_datetime())
            .and_then(|date| ChronoDateTime::from_timestamp_micros(date.into_timestamp_micros()));
        Ok(Some(SearchHit {
            entity,
            id,
            title,
            snippet_html,
            url: entity.url(id),
            score,
            created_at,
        }))
    }

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

    /// For contributors: only what everyone may open, and their own.
    fn audience_filter(&self, viewer: Viewer) -> Option<Box<dyn Query>> {
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
    fn compile(
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

    fn filter_query(&self, field: FilterField, value: &str) -> Box<dyn Query> {
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
    fn term_query(
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
    fn expected_matches(
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

    /// The query with every word that matches nothing (in what this viewer
    /// may open) replaced by the closest word found in what they may open,
    /// if any.
    fn corrected_query(
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
struct Analyzers {
    prose: TextAnalyzer,
    ident: TextAnalyzer,
}

impl Analyzers {
    fn new(index: &SearchIndex) -> Result<Analyzers> {
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

    fn prose(&mut self, text: &str) -> Vec<String> {
        tokens(&mut self.prose, text)
    }

    fn ident(&mut self, text: &str) -> Vec<String> {
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

fn excerpt(text: &str, chars: usize) -> String {
    let mut excerpt: String = text.chars().take(chars).collect();
    if text.chars().count() > chars {
        excerpt.push('…');
    }
    excerpt
}

fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}
