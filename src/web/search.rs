//! Search: the `/search` page and `GET /api/v1/search`.

use super::routes::Routes;
use axum::Json;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};

use super::access::SignedIn;
use super::auth::{CsrfToken, Viewer};
use super::extract::Query;
use crate::app::AppState;
use crate::db::{interviews, pain_points, roadmap};
use crate::domain::FieldErrors;
use crate::domain::query;
use crate::domain::search::EntityKind;
use crate::error::{Error, Result};
use crate::search::{SearchRequest, SearchResults, SortOrder, Viewer as SearchViewer};
use crate::views::search::search_link;
use crate::views::{self, Chrome};

/// Search, for everyone signed in (over what each may open).
pub fn routes() -> Routes {
    Routes::default()
        .page("/search", get(search_page))
        .api("/api/v1/search", get(search_api))
        .api("/api/v1/search/similar", get(similar_api))
}

/// Results per page on `/search`.
const PAGE_SIZE: usize = 20;
/// The deepest result anyone may page to.
const MAX_OFFSET: usize = 10_000;

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The query: words, "phrases", -exclusions, `service:ci`, `kind:pain`, dates.
    #[serde(default)]
    q: String,
    /// `relevance` (the default) or `newest`.
    #[param(value_type = Option<String>, pattern = "^(relevance|newest)?$")]
    sort: Option<String>,
    /// How many hits to answer, 1 to 100 (20 when absent).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// How many hits to skip, at most 10000.
    #[param(value_type = Option<u32>, minimum = 0, maximum = 10000)]
    offset: Option<String>,
    /// The page of `/search` (pages only; the API uses `offset`).
    #[param(ignore)]
    page: Option<String>,
}

fn search_viewer(viewer: &Viewer) -> SearchViewer {
    if viewer.is_platform_team() {
        SearchViewer::PlatformTeam
    } else {
        SearchViewer::Contributor(viewer.user.id)
    }
}

fn sort_order(raw: Option<&str>) -> Option<SortOrder> {
    match raw.map(str::trim) {
        None | Some("") | Some("relevance") => Some(SortOrder::Relevance),
        Some("newest") => Some(SortOrder::Newest),
        Some(_) => None,
    }
}

async fn run(state: &AppState, request: SearchRequest) -> Result<SearchResults> {
    let index = state.search.clone();
    tokio::task::spawn_blocking(move || index.search(&request))
        .await
        .map_err(|error| Error::Internal(format!("a search task failed: {error}")))?
}

pub async fn search_page(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    CsrfToken(csrf): CsrfToken,
    Query(params): Query<SearchParams>,
) -> Result<maud::Markup> {
    let sort = sort_order(params.sort.as_deref()).unwrap_or(SortOrder::Relevance);
    let page = params
        .page
        .as_deref()
        .and_then(|page| page.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, MAX_OFFSET / PAGE_SIZE);
    let request = |page: usize| SearchRequest {
        query: query::parse(&params.q),
        viewer: search_viewer(&viewer),
        sort,
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
    };
    let mut results = run(&state, request(page)).await?;
    // Past the last page: show the last page rather than nothing.
    let last_page = results
        .total
        .div_ceil(PAGE_SIZE)
        .clamp(1, MAX_OFFSET / PAGE_SIZE);
    let page = if page > last_page {
        results = run(&state, request(last_page)).await?;
        last_page
    } else {
        page
    };
    // The team links what it finds to pain points, right from the results.
    let linking = if viewer.is_platform_team() {
        let interviews: Vec<i64> = results
            .hits
            .iter()
            .filter(|hit| hit.entity == EntityKind::Interview)
            .map(|hit| hit.id)
            .collect();
        let (pain_points, highlights) = state
            .db
            .read(move |connection| {
                Ok((
                    pain_points::choices(connection)?,
                    interviews::highlights_of(connection, &interviews)?,
                ))
            })
            .await?;
        Some(views::search::Linking {
            pain_points,
            highlights,
            return_to: search_link(&params.q, sort, page),
        })
    } else {
        None
    };
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::search::search_page(
        &chrome,
        &views::search::SearchPage {
            query: &params.q,
            sort,
            page,
            page_size: PAGE_SIZE,
            results: &results,
            own_only: !viewer.is_platform_team(),
            linking: linking.as_ref(),
        },
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/search",
    operation_id = "search",
    tag = "search",
    params(SearchParams),
    responses((status = 200, description = "Hits, facets and the query as understood", body = serde_json::Value))
)]
pub async fn search_api(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Query(params): Query<SearchParams>,
) -> Result<Json<Value>> {
    let mut errors = FieldErrors::default();
    let sort = sort_order(params.sort.as_deref()).unwrap_or_else(|| {
        errors.add("sort", "must be relevance or newest");
        SortOrder::Relevance
    });
    let limit = match params.limit.as_deref().map(str::parse::<usize>) {
        None => 20,
        Some(Ok(limit)) if (1..=100).contains(&limit) => limit,
        Some(_) => {
            errors.add("limit", "must be a whole number from 1 to 100");
            20
        }
    };
    let offset = match params.offset.as_deref().map(str::parse::<usize>) {
        None => 0,
        Some(Ok(offset)) if offset <= MAX_OFFSET => offset,
        Some(_) => {
            errors.add(
                "offset",
                format!("must be a whole number from 0 to {MAX_OFFSET}"),
            );
            0
        }
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let results = run(
        &state,
        SearchRequest {
            query: query::parse(&params.q),
            viewer: search_viewer(&viewer),
            sort,
            limit,
            offset,
        },
    )
    .await?;
    let hits: Vec<Value> = results
        .hits
        .iter()
        .map(|hit| {
            json!({
                "kind": hit.entity.as_str(),
                "id": hit.id,
                "title": hit.title,
                "snippet": hit.snippet_html,
                "url": hit.url,
                "score": hit.score,
                "created_at": hit.created_at,
            })
        })
        .collect();
    let facets: serde_json::Map<String, Value> = results
        .facets
        .iter()
        .map(|(name, counts)| {
            let counts: Vec<Value> = counts
                .iter()
                .map(|count| json!({"value": count.value, "count": count.count}))
                .collect();
            ((*name).to_owned(), Value::Array(counts))
        })
        .collect();
    Ok(Json(json!({
        "total": results.total,
        "hits": hits,
        "facets": facets,
        "ignored": results.ignored,
        "showing_results_for": results.corrected,
    })))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SimilarParams {
    /// What the person is typing.
    #[serde(default)]
    text: String,
}

/// Items like the text being typed into the feedback form, so a person can
/// find an existing one instead of filing a duplicate.
#[utoipa::path(
    get,
    path = "/api/v1/search/similar",
    operation_id = "similar_feedback",
    tag = "search",
    params(SimilarParams),
    responses((status = 200, description = "Feedback similar to the text", body = serde_json::Value))
)]
pub async fn similar_api(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    Query(params): Query<SimilarParams>,
) -> Result<Json<Value>> {
    // Long enough to find what matters, short enough to stay cheap.
    let text: String = params.text.chars().take(2_000).collect();
    let index = state.search.clone();
    let viewer = search_viewer(&viewer);
    let hits = tokio::task::spawn_blocking(move || index.similar(&text, viewer, 5))
        .await
        .map_err(|error| Error::Internal(format!("a search task failed: {error}")))??;
    // A roadmap item says how far along it is ("already planned: …").
    let roadmap_ids: Vec<i64> = hits
        .iter()
        .filter(|hit| hit.entity == EntityKind::RoadmapItem)
        .map(|hit| hit.id)
        .collect();
    let states = state
        .db
        .read(move |connection| {
            roadmap_ids
                .into_iter()
                .map(|id| Ok((id, roadmap::by_id(connection, id)?.map(|item| item.status))))
                .collect::<Result<Vec<_>>>()
        })
        .await?;
    let hits: Vec<Value> = hits
        .iter()
        .map(|hit| {
            let status = states
                .iter()
                .find(|(id, _)| hit.entity == EntityKind::RoadmapItem && *id == hit.id)
                .and_then(|(_, status)| status.map(|status| status.as_str()));
            json!({"kind": hit.entity.as_str(), "id": hit.id, "title": hit.title, "url": hit.url, "status": status})
        })
        .collect();
    Ok(Json(json!({ "hits": hits })))
}
