//! Reliability pulled from a real Prometheus (Debian's `prometheus`): the
//! test writes February and March 2025 of three series as OpenMetrics,
//! turns them into a TSDB with `promtool tsdb create-blocks-from
//! openmetrics`, and starts Prometheus on loopback over it. Earshot, on a
//! clock pinned to 20 March 2025, pulls on its schedule; the figures it
//! stores must equal what the same PromQL returns when the test asks
//! Prometheus itself. Then Prometheus refuses a query, stops, and hangs:
//! the figures stay and the service page says why.
//!
//! Without `prometheus` and `promtool` these tests say "skipped"; with
//! `CI=true` they fail (`.ci/run` installs Debian's `prometheus`).

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use chrono::{DateTime, Utc};
use earshot::config::{Config, PrometheusSettings};
use serde_json::Value;
use tokio::process::{Child, Command};

use super::stored;
use crate::helpers::{TEAM, TestApp};

const NOW: &str = "2025-03-20T12:00:00Z";
const SLO: &str = r#"avg_over_time(slo_attainment_ratio{service="$service"}[$window])"#;
const BUDGET: &str = r#"last_over_time(error_budget_remaining_ratio{service="$service"}[2h])"#;
const INCIDENTS: &str = r#"sum(changes(incidents_total{service="$service"}[$window]))"#;

fn missing_tools() -> Option<&'static str> {
    ["/usr/bin/prometheus", "/usr/bin/promtool"]
        .into_iter()
        .find(|tool| !Path::new(tool).exists())
}

/// Whether to run: skipped locally without Prometheus, failed in CI.
fn tools_present(test: &str) -> bool {
    match missing_tools() {
        None => true,
        Some(tool) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("{test}: {tool} is missing; CI must run the Prometheus tests")
        }
        Some(tool) => {
            eprintln!("skipped {test}: {tool} is not installed (apt-get install prometheus)");
            false
        }
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("address").port()
}

/// A Prometheus over a TSDB of the test's samples, on loopback.
struct RealPrometheus {
    url: String,
    process: Child,
    _dir: tempfile::TempDir,
}

/// Hourly samples (at half past, away from month boundaries) from 1
/// February to 20 March 2025: ci-runner's attainment 99.90% in February
/// and 99.75% in March, its error budget 42% and then 18% left, and three
/// incidents in February, one in March.
fn openmetrics() -> String {
    let start: DateTime<Utc> = "2025-02-01T00:30:00Z".parse().unwrap();
    let end: DateTime<Utc> = NOW.parse().unwrap();
    let hours: Vec<DateTime<Utc>> = (0..)
        .map(|hour| start + chrono::Duration::hours(hour))
        .take_while(|at| *at < end)
        .collect();
    let march = |at: &DateTime<Utc>| at.format("%m").to_string() == "03";
    let incidents_at = ["2025-02-05", "2025-02-12", "2025-02-20", "2025-03-10"];
    let mut text = String::new();
    let mut family =
        |name: &str, kind: &str, sample: &str, value: &dyn Fn(&DateTime<Utc>) -> f64| {
            text.push_str(&format!("# TYPE {name} {kind}\n"));
            for at in &hours {
                text.push_str(&format!(
                    "{name}{sample}{{service=\"ci-runner\"}} {} {}\n",
                    value(at),
                    at.timestamp()
                ));
            }
        };
    family("slo_attainment_ratio", "gauge", "", &|at| {
        if march(at) { 0.9975 } else { 0.999 }
    });
    family("error_budget_remaining_ratio", "gauge", "", &|at| {
        if march(at) { 0.18 } else { 0.42 }
    });
    family("incidents", "counter", "_total", &|at| {
        let day = at.format("%Y-%m-%d").to_string();
        incidents_at
            .iter()
            .filter(|incident| **incident < day.as_str())
            .count() as f64
    });
    text.push_str("# EOF\n");
    text
}

impl RealPrometheus {
    async fn start() -> RealPrometheus {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("samples.om");
        std::fs::write(&input, openmetrics()).unwrap();
        let data = dir.path().join("data");
        let made = Command::new("/usr/bin/promtool")
            .args(["tsdb", "create-blocks-from", "openmetrics", "--quiet"])
            .arg(&input)
            .arg(&data)
            .output()
            .await
            .unwrap();
        assert!(
            made.status.success(),
            "promtool: {}",
            String::from_utf8_lossy(&made.stderr)
        );
        let config = dir.path().join("prometheus.yml");
        std::fs::write(&config, "global:\n  scrape_interval: 1h\n").unwrap();
        let port = free_port();
        let process = Command::new("/usr/bin/prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", data.display()))
            .arg("--storage.tsdb.retention.time=100y")
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start prometheus");
        let url = format!("http://127.0.0.1:{port}");
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let ready = reqwest::get(format!("{url}/-/ready")).await;
            if ready.is_ok_and(|ready| ready.status().is_success()) {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "Prometheus did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        RealPrometheus {
            url,
            process,
            _dir: dir,
        }
    }

    /// What Prometheus itself answers to `promql` at `at`.
    async fn query(&self, promql: &str, at: DateTime<Utc>) -> f64 {
        let answer: Value = reqwest::Client::new()
            .get(format!("{}/api/v1/query", self.url))
            .query(&[("query", promql), ("time", &at.timestamp().to_string())])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["data"]["result"][0]["value"][1]
            .as_str()
            .unwrap_or_else(|| panic!("{promql}: {answer}"))
            .parse()
            .unwrap()
    }
}

fn pulling_from(url: &str, timeout: Duration) -> impl FnOnce(Config) -> Config {
    let url = url.to_owned();
    move |config| Config {
        prometheus: Some(PrometheusSettings {
            url,
            bearer_token: None,
            timeout,
            every: Duration::from_millis(200),
        }),
        ..config
    }
}

/// Waits (up to 15 s) until the service page says `wanted`.
async fn page_until(browser: &crate::helpers::Browser, path: &str, wanted: &str) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let page = browser.get_text(path).await;
        if page.contains(wanted) {
            return page;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{path} never said {wanted:?}: {page}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn pulled_figures_equal_what_promql_returns_and_a_failing_prometheus_leaves_them() {
    if !tools_present("pulled_figures_equal_what_promql_returns") {
        return;
    }
    let mut prometheus = RealPrometheus::start().await;
    let app =
        TestApp::spawn_at_with(NOW, pulling_from(&prometheus.url, Duration::from_secs(5))).await;
    let team = app.signed_in(TEAM).await;
    let saved = team
        .submit(
            "/reliability",
            "/reliability",
            &[
                ("slo_attainment", SLO),
                ("error_budget_remaining", BUDGET),
                ("incidents", INCIDENTS),
            ],
        )
        .await;
    assert_eq!(saved.status(), reqwest::StatusCode::SEE_OTHER);
    page_until(&team, "/services/ci-runner", "Last pulled from Prometheus").await;

    let months = stored(&app);
    assert_eq!(
        months
            .iter()
            .map(|month| month.0.as_str())
            .collect::<Vec<_>>(),
        ["2025-02", "2025-03"]
    );
    // February as a whole, evaluated when it ended; March so far.
    let expand = |promql: &str, window: i64| {
        promql
            .replace("$service", "ci-runner")
            .replace("$window", &format!("{window}s"))
    };
    let february_end: DateTime<Utc> = "2025-03-01T00:00:00Z".parse().unwrap();
    let february = 28 * 24 * 3600;
    let now: DateTime<Utc> = NOW.parse().unwrap();
    let march = (now - february_end).num_seconds();
    for ((period, slo, budget, incidents), (at, window)) in
        months.iter().zip([(february_end, february), (now, march)])
    {
        let expected_slo = prometheus.query(&expand(SLO, window), at).await;
        let expected_budget = prometheus.query(&expand(BUDGET, window), at).await;
        let expected_incidents = prometheus.query(&expand(INCIDENTS, window), at).await;
        assert_eq!(*slo, Some(expected_slo), "{period}'s SLO attainment");
        assert_eq!(*budget, Some(expected_budget), "{period}'s error budget");
        assert_eq!(
            *incidents,
            Some(expected_incidents.round() as i64),
            "{period}'s incidents"
        );
    }
    // What the samples say, so the comparison above is not of two nothings.
    assert!((months[0].1.unwrap() - 0.999).abs() < 1e-9, "{months:?}");
    assert_eq!(
        (months[1].2, months[0].3, months[1].3),
        (Some(0.18), Some(3), Some(1))
    );

    // A query Prometheus refuses: its own words on the page, nothing changed.
    let before = stored(&app);
    team.submit(
        "/services/ci-runner",
        "/services/ci-runner/reliability/queries",
        &[("incidents", "sum(incidents_total{")],
    )
    .await;
    let page = page_until(
        &team,
        "/services/ci-runner",
        "The last pull from Prometheus failed",
    )
    .await;
    assert!(
        page.contains("Prometheus refused the query (400 Bad Request): bad_data"),
        "{page}"
    );
    assert_eq!(stored(&app), before);

    // Prometheus gone: the same figures, and the page says it cannot connect.
    team.submit(
        "/services/ci-runner",
        "/services/ci-runner/reliability/queries",
        &[],
    )
    .await;
    page_until(&team, "/services/ci-runner", "Last pulled from Prometheus").await;
    prometheus.process.kill().await.unwrap();
    let page = page_until(&team, "/services/ci-runner", "cannot connect to Prometheus").await;
    assert!(page.contains("from the last pull that worked"), "{page}");
    assert_eq!(stored(&app), before);
    // Everything else goes on: the page answered, and so does a month typed by hand.
    let typed = team
        .submit(
            "/services/ci-runner",
            "/services/ci-runner/reliability",
            &[
                ("period", "2025-01"),
                ("slo_attainment_percent", "99.5"),
                ("incidents", "2"),
            ],
        )
        .await;
    assert_eq!(typed.status(), reqwest::StatusCode::SEE_OTHER);
    assert_eq!(
        stored(&app)[0],
        ("2025-01".into(), Some(0.995), None, Some(2))
    );
}

#[tokio::test]
async fn a_prometheus_that_does_not_answer_times_out_and_leaves_the_figures() {
    // Accepts connections and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((connection, _)) = silent.accept().await {
            open.push(connection);
        }
    });
    let app = TestApp::spawn_at_with(NOW, pulling_from(&url, Duration::from_secs(1))).await;
    let api = app.api(TEAM);
    let pushed = api
        .put_json(
            "/api/v1/services/ci-runner/reliability",
            &serde_json::json!({"period": "2025-03", "slo_attainment": 0.9991, "incidents": 0}),
        )
        .await;
    assert!(pushed.status().is_success());
    let team = app.signed_in(TEAM).await;
    team.submit(
        "/services/ci-runner",
        "/services/ci-runner/reliability/queries",
        &[("slo_attainment", "vector(0.5)")],
    )
    .await;
    let page = page_until(&team, "/services/ci-runner", "did not answer within 1 s").await;
    assert!(page.contains("no pull has worked yet"), "{page}");
    assert_eq!(
        stored(&app),
        [("2025-03".into(), Some(0.9991), None, Some(0))]
    );
    held.abort();
}
