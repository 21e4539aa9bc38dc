//! The search page: box, results with highlighted snippets, facet sidebar
//! and the query language's help.

use maud::{Markup, PreEscaped, html};

use super::picker::{Picker, PickerKind, picker};
use super::{Chrome, csrf_field, date, layout};
use crate::domain::interview::Highlight;
use crate::domain::search::EntityKind;
use crate::search::{SearchResults, SortOrder};

/// What the platform team needs to link hits to a pain point.
pub struct Linking {
    /// (id, title) of every pain point.
    pub pain_points: Vec<(i64, String)>,
    /// (interview id, highlight) for the interviews among the hits.
    pub highlights: Vec<(i64, Highlight)>,
    /// This page of results, to come back to after linking.
    pub return_to: String,
}

pub struct SearchPage<'a> {
    pub query: &'a str,
    pub sort: SortOrder,
    pub page: usize,
    pub page_size: usize,
    pub results: &'a SearchResults,
    /// Contributors find only their own feedback (and what everyone may see).
    pub own_only: bool,
    /// For the platform team: linking hits to pain points.
    pub linking: Option<&'a Linking>,
}

/// The address of a page of results.
pub fn search_link(query: &str, sort: SortOrder, page: usize) -> String {
    let mut pairs = vec![("q", query.to_owned())];
    if sort == SortOrder::Newest {
        pairs.push(("sort", "newest".to_owned()));
    }
    if page > 1 {
        pairs.push(("page", page.to_string()));
    }
    format!(
        "/search?{}",
        serde_html_form::to_string(pairs).unwrap_or_default()
    )
}

/// The query with `field:value` added, for a facet link.
fn narrowed(query: &str, field: &str, value: &str) -> String {
    narrowed_with(query, &format!("{field}:{value}"))
}

/// The query narrowed to one year.
fn year_range(query: &str, year: &str) -> String {
    let next = year.parse::<i32>().map(|year| year + 1).unwrap_or_default();
    let narrowed = narrowed(query, "after", year);
    narrowed_with(&narrowed, &format!("before:{next}"))
}

/// The query without `filter`, to undo a facet.
fn widened(query: &str, filter: &str) -> String {
    query
        .split_whitespace()
        .filter(|part| *part != filter)
        .collect::<Vec<_>>()
        .join(" ")
}

fn narrowed_with(query: &str, filter: &str) -> String {
    if query.split_whitespace().any(|part| part == filter) {
        query.to_owned()
    } else {
        format!("{} {filter}", query.trim()).trim().to_owned()
    }
}

/// The facet name as a query-language field.
fn facet_field(facet: &str) -> Option<&'static str> {
    match facet {
        "service" => Some("service"),
        "kind" => Some("kind"),
        "team" => Some("team"),
        "tag" => Some("tag"),
        "year" => Some("after"),
        _ => None,
    }
}

pub fn search_page(chrome: &Chrome<'_>, page: &SearchPage<'_>) -> Markup {
    let results = page.results;
    let last_page = results.total.div_ceil(page.page_size).max(1);
    layout(
        "Search",
        chrome,
        html! {
            h1 { "Search" }
            form.search-form method="get" action="/search" role="search" {
                label for="q" {
                    @if page.own_only { "Search your feedback" } @else { "Search everything said" }
                }
                input #q type="search" name="q" value=(page.query) placeholder="flaky ci-runner service:ci-runner rating:<3";
                select name="sort" aria-label="Order" {
                    option value="relevance" selected[page.sort == SortOrder::Relevance] { "Best match" }
                    option value="newest" selected[page.sort == SortOrder::Newest] { "Newest" }
                }
                button type="submit" { "Search" }
            }
            @if let Some(corrected) = &results.corrected {
                p.notice { "No exact matches; showing results for " strong { (corrected) } "." }
            }
            @if !results.ignored.is_empty() {
                div.notice {
                    "Part of the query was left out: "
                    ul { @for note in &results.ignored { li { (note) } } }
                }
            }
            div.search-layout {
                aside.facets aria-label="Refine" {
                    @for (name, counts) in &results.facets {
                        @if !counts.is_empty() {
                            h2 { (name) }
                            ul {
                                @for count in counts {
                                    @let label = count.value.replace('_', " ");
                                    @let filter = facet_field(name).map(|field| format!("{field}:{}", count.value));
                                    @let applied = filter.as_deref().is_some_and(|filter| page.query.split_whitespace().any(|part| part == filter));
                                    @let undone = match facet_field(name) {
                                        // A year is a range: both ends go.
                                        Some("after") => widened(&widened(page.query, filter.as_deref().unwrap_or_default()), &format!("before:{}", count.value.parse::<i32>().map(|year| year + 1).unwrap_or_default())),
                                        _ => widened(page.query, filter.as_deref().unwrap_or_default()),
                                    };
                                    li {
                                        @if applied {
                                            strong { (label) } " " span.count { (count.count) } " "
                                            a.remove href=(search_link(&undone, page.sort, 1)) aria-label={ "Remove " (label) } { "×" }
                                        } @else {
                                            @match facet_field(name) {
                                                Some("after") => a href=(search_link(&year_range(page.query, &count.value), page.sort, 1)) { (label) },
                                                Some(field) => a href=(search_link(&narrowed(page.query, field, &count.value), page.sort, 1)) { (label) },
                                                None => span { (label) },
                                            }
                                            " " span.count { (count.count) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                section.results {
                    p.count { (results.total) @if results.total == 1 { " result" } @else { " results" } }
                    @if results.total == 0 {
                        p { "Nothing matched. Try fewer words, or see how to search below." }
                    }
                    @let linking = page.linking.filter(|linking| !linking.pain_points.is_empty() && !results.hits.is_empty());
                    @if let Some(linking) = linking {
                        form.inline #link-form method="post" action="/pain-points/evidence" {
                            (csrf_field(chrome.csrf))
                            input type="hidden" name="return_to" value=(linking.return_to);
                            (picker(&Picker { kind: PickerKind::PainPoint, name: "pain_point", id: "pain_point", label: "Link selected feedback and highlights to ", choices: &linking.pain_points, chosen: None, form: None, required: true }))
                            button type="submit" { "Link to pain point" }
                        }
                    }
                    @for hit in &results.hits {
                        article.hit {
                            h2 {
                                @if let (Some(_), EntityKind::Feedback) = (linking, hit.entity) {
                                    input type="checkbox" name="feedback_ids" value=(hit.id) form="link-form"
                                        aria-label={ "Select feedback #" (hit.id) };
                                    " "
                                }
                                a href=(hit.url) { (hit.title) }
                            }
                            p.meta {
                                span.badge { (hit.entity.as_str().replace('_', " ")) }
                                @if let Some(created) = hit.created_at { " · " (date(created)) }
                            }
                            // The snippet is tantivy's escaped text with our <mark> highlights.
                            p.snippet { (PreEscaped(&hit.snippet_html)) }
                            @if let (Some(linking), EntityKind::Interview) = (linking, hit.entity) {
                                ul.highlights {
                                    @for (_, highlight) in linking.highlights.iter().filter(|(interview, _)| *interview == hit.id) {
                                        li { label {
                                            input type="checkbox" name="highlight_ids" value=(highlight.id) form="link-form";
                                            " “" (highlight.quote) "”"
                                        } }
                                    }
                                }
                            }
                        }
                    }
                    @if results.total > page.page_size {
                        nav.pager aria-label="Pages" {
                            @if page.page > 1 { a rel="prev" href=(search_link(page.query, page.sort, page.page - 1)) { "← Previous" } }
                            span { "Page " (page.page) " of " (last_page) }
                            @if page.page < last_page { a rel="next" href=(search_link(page.query, page.sort, page.page + 1)) { "Next →" } }
                        }
                    }
                }
            }
            details.help {
                summary { "How to search" }
                ul {
                    li { code { "flaky runner" } ": items with both words (stemmed: " code { "deploys" } " finds " code { "deployment" } ")" }
                    li { code { "\"cache miss\"" } ": the exact phrase" }
                    li { code { "ci-runner OR k8s.prod" } ": either one; identifiers are found as typed" }
                    li { code { "-windows" } ": without this word" }
                    li { code { "service:ci-runner team:payments kind:pain status:new tag:caching" } ": filters (" code { "-kind:praise" } " excludes)" }
                    li { code { "rating:<3" } ", " code { "rating:>=4" } ", " code { "after:2026-01-01" } ", " code { "before:2026-06" } }
                    li { "A word that matches nothing is replaced by the closest word that does." }
                }
            }
        },
    )
}
