//! Running a parsed [`SearchQuery`] against the index: the page of hits,
//! the total and the facets in one pass, retried with close words when
//! some matched nothing (`search::typo`). The query is compiled in
//! `search::compile`, hits are made in `search::hits`, "more like this" is
//! `search::similar`. Scores, snippets, suggestions and "similar" count
//! only what the searcher may open (`search::visible`).

use std::collections::BTreeMap;

use chrono::{DateTime as ChronoDateTime, Utc};
use tantivy::collector::TopDocs;
use tantivy::query::{EnableScoring, Query};
use tantivy::{DateTime, DocAddress, Executor, Order, Searcher};

use super::SearchIndex;
use super::compile::Analyzers;
use super::facets::FacetCounts;
use super::hits::SNIPPET_CHARS;
use super::tantivy_error;
use super::visible::Statistics;
use crate::domain::query::{FilterField, SearchQuery};
use crate::domain::search::EntityKind;
use crate::error::Result;

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

/// Searches expected to match fewer documents than this run on the calling
/// thread: handing segments to the search threads costs more than it saves
/// (thread wake-ups and spinning were most of a rare-term search's CPU).
const PARALLEL_FROM: u64 = 20_000;

/// Runs `collector` over every segment, on the search threads or on this
/// one, scoring by `statistics`.
pub(super) fn collect<C: tantivy::collector::Collector>(
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
}
