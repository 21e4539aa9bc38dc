//! Prometheus metrics at `/metrics`, through `prometheus-client` (the
//! OpenMetrics text format).
//!
//! Requests are counted by method, route template and status, with a latency
//! histogram per route; the writer reports its commits and the writes they
//! carried (their ratio is the group-commit batch size). The storage
//! settings the writing connection really runs with, and the search index's
//! state, are read at each scrape. Route templates, never raw paths, keep
//! the label set small and free of personal data.
//!
//! Each server has its own registry (not a process-wide recorder), so the
//! many servers of the test suite, or of one process, never mix figures.

use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::app::AppState;
use crate::db::Database;
use crate::search::live::LiveIndex;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// The request method as a label: the usual ones by name, the rest as OTHER.
type Method = &'static str;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: Method,
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResponseLabels {
    method: Method,
    route: String,
    status: u16,
}

type Latencies = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// A server's metrics: its registry and the request families it records into.
pub struct Metrics {
    registry: Registry,
    requests: Family<ResponseLabels, Counter>,
    latencies: Latencies,
}

impl Metrics {
    /// The metrics of a server over `db` and `search`, started at `started`.
    pub fn new(db: Database, search: LiveIndex, started: Instant) -> Metrics {
        let mut registry = Registry::with_prefix("earshot");
        let requests = Family::<ResponseLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests served, by route template and status",
            requests.clone(),
        );
        let latencies: Latencies = Family::new_with_constructor(|| Histogram::new(BUCKETS));
        registry.register(
            "http_request_duration_seconds",
            "Time to answer, by route template",
            latencies.clone(),
        );
        registry.register_collector(Box::new(Scraped {
            db,
            search,
            started,
        }));
        Metrics {
            registry,
            requests,
            latencies,
        }
    }

    fn record(&self, method: Method, route: String, status: u16, latency: Duration) {
        self.latencies
            .get_or_create(&RouteLabels {
                method,
                route: route.clone(),
            })
            .observe(latency.as_secs_f64());
        self.requests
            .get_or_create(&ResponseLabels {
                method,
                route,
                status,
            })
            .inc();
    }

    /// Every metric in the OpenMetrics text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// What is read at each scrape rather than recorded as it happens.
struct Scraped {
    db: Database,
    search: LiveIndex,
    started: Instant,
}

impl std::fmt::Debug for Scraped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scraped")
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StorageLabels {
    journal_mode: String,
    synchronous: String,
    foreign_keys: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: &'static str,
}

fn counter(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    value: u64,
) -> Result<(), std::fmt::Error> {
    let counter = ConstCounter::new(value);
    counter.encode(encoder.encode_descriptor(name, help, None, counter.metric_type())?)
}

impl Collector for Scraped {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        use std::sync::atomic::Ordering::Relaxed;
        let writer = self.db.writer_stats();
        counter(
            &mut encoder,
            "writer_commits",
            "Transactions committed by the writer",
            writer.commits.load(Relaxed),
        )?;
        counter(
            &mut encoder,
            "writer_writes",
            "Writes committed; divided by commits, the group-commit batch size",
            writer.writes.load(Relaxed),
        )?;
        counter(
            &mut encoder,
            "writer_failed_writes",
            "Writes rolled back because they failed",
            writer.failed_writes.load(Relaxed),
        )?;

        let storage = self.db.storage_settings();
        encoder
            .encode_descriptor(
                "storage",
                "How the writing connection keeps the database (asked of it at start)",
                None,
                MetricType::Info,
            )?
            .encode_info(&StorageLabels {
                journal_mode: storage.journal_mode.clone(),
                synchronous: storage.synchronous.clone(),
                foreign_keys: storage.foreign_keys.to_string(),
            })?;

        let search = self.search.status();
        let mut states = encoder.encode_descriptor(
            "search_state",
            "The search index: ready, checking or rebuilding (searches answer 503 unless ready)",
            None,
            MetricType::Gauge,
        )?;
        for state in ["ready", "checking", "rebuilding"] {
            ConstGauge::new(i64::from(search.state == state))
                .encode(states.encode_family(&StateLabels { state })?)?;
        }
        counter(
            &mut encoder,
            "search_rebuilds",
            "Rebuilds of the search index since the server started",
            search.rebuilds,
        )?;
        if let Some(applied) = search.applied {
            let gauge = ConstGauge::new(applied);
            gauge.encode(encoder.encode_descriptor(
                "search_applied_change",
                "The last database change searches can see",
                None,
                gauge.metric_type(),
            )?)?;
        }
        let uptime = ConstGauge::new(self.started.elapsed().as_secs_f64().round());
        uptime.encode(encoder.encode_descriptor(
            "uptime_seconds",
            "Seconds since the server started",
            None,
            uptime.metric_type(),
        )?)?;
        Ok(())
    }
}

/// Middleware: records every request's route, status and latency.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method: Method = match request.method().as_str() {
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
    state
        .metrics
        .record(method, route, response.status().as_u16(), started.elapsed());
    response
}
