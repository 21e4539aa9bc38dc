//! Prometheus metrics at `/metrics`, in the text exposition format.
//!
//! Requests are counted by method, route template and status, with a latency
//! histogram per route; the writer reports its commits and the writes they
//! carried (their ratio is the group-commit batch size). The storage
//! settings the writing connection really runs with, and the search index's
//! state, are gauges. Route templates, never raw paths, keep the label set
//! small and free of personal data.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::app::AppState;
use crate::db::{StorageSettings, WriterStats};
use crate::search::live::SearchStatus;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// Request statistics since the server started.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, &'static str), RouteStats>>,
}

#[derive(Default)]
struct RouteStats {
    by_status: BTreeMap<u16, u64>,
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum_seconds: f64,
}

impl Metrics {
    fn record(&self, method: &'static str, route: &str, status: u16, latency: Duration) {
        let seconds = latency.as_secs_f64();
        let mut requests = self.requests.lock().expect("metrics lock poisoned");
        let stats = requests.entry((route.to_owned(), method)).or_default();
        *stats.by_status.entry(status).or_default() += 1;
        stats.count += 1;
        stats.sum_seconds += seconds;
        if let Some(bucket) = BUCKETS.iter().position(|bound| seconds <= *bound) {
            stats.buckets[bucket] += 1;
        }
    }

    /// The text exposition of every metric.
    pub fn render(
        &self,
        writer: &WriterStats,
        storage: &StorageSettings,
        search: &SearchStatus,
        uptime: Duration,
    ) -> String {
        let mut out = String::new();
        let requests = self.requests.lock().expect("metrics lock poisoned");
        out.push_str("# HELP earshot_http_requests_total HTTP requests served, by route template and status.\n");
        out.push_str("# TYPE earshot_http_requests_total counter\n");
        for ((route, method), stats) in requests.iter() {
            for (status, count) in &stats.by_status {
                let _ = writeln!(
                    out,
                    "earshot_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {count}"
                );
            }
        }
        out.push_str(
            "# HELP earshot_http_request_duration_seconds Time to answer, by route template.\n",
        );
        out.push_str("# TYPE earshot_http_request_duration_seconds histogram\n");
        for ((route, method), stats) in requests.iter() {
            let labels = format!("method=\"{method}\",route=\"{route}\"");
            let mut cumulative = 0;
            for (bound, count) in BUCKETS.iter().zip(stats.buckets) {
                cumulative += count;
                let _ = writeln!(
                    out,
                    "earshot_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "earshot_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}\n\
                 earshot_http_request_duration_seconds_sum{{{labels}}} {}\n\
                 earshot_http_request_duration_seconds_count{{{labels}}} {}",
                stats.count, stats.sum_seconds, stats.count
            );
        }
        drop(requests);
        for (name, help, value) in [
            (
                "earshot_writer_commits_total",
                "Transactions committed by the writer.",
                &writer.commits,
            ),
            (
                "earshot_writer_writes_total",
                "Writes committed; divided by commits, the group-commit batch size.",
                &writer.writes,
            ),
            (
                "earshot_writer_failed_writes_total",
                "Writes rolled back because they failed.",
                &writer.failed_writes,
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                value.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP earshot_storage_info How the writing connection keeps the database (asked of it at start).\n\
             # TYPE earshot_storage_info gauge\n\
             earshot_storage_info{{journal_mode=\"{}\",synchronous=\"{}\",foreign_keys=\"{}\"}} 1",
            storage.journal_mode, storage.synchronous, storage.foreign_keys
        );
        out.push_str(
            "# HELP earshot_search_state The search index: ready, checking or rebuilding (searches answer 503 unless ready).\n\
             # TYPE earshot_search_state gauge\n",
        );
        for state in ["ready", "checking", "rebuilding"] {
            let _ = writeln!(
                out,
                "earshot_search_state{{state=\"{state}\"}} {}",
                u8::from(search.state == state)
            );
        }
        let _ = writeln!(
            out,
            "# HELP earshot_search_rebuilds_total Rebuilds of the search index since the server started.\n\
             # TYPE earshot_search_rebuilds_total counter\nearshot_search_rebuilds_total {}",
            search.rebuilds
        );
        if let Some(applied) = search.applied {
            let _ = writeln!(
                out,
                "# HELP earshot_search_applied_change The last database change searches can see.\n\
                 # TYPE earshot_search_applied_change gauge\nearshot_search_applied_change {applied}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP earshot_uptime_seconds Seconds since the server started.\n\
             # TYPE earshot_uptime_seconds gauge\nearshot_uptime_seconds {:.0}",
            uptime.as_secs_f64()
        );
        out
    }
}

/// Middleware: records every request's route, status and latency.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = match request.method().as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "HEAD" => "HEAD",
        _ => "OTHER",
    };
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned())
        .unwrap_or_else(|| "(unmatched)".to_owned());
    let response = next.run(request).await;
    state.metrics.record(
        method,
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}
