//! Pulling reliability from Prometheus inside `serve`: at start and every
//! `--reliability-pull-minutes`, each service with queries (its own, or the
//! team's template) gets the month so far and, until it is final, the
//! month before, into the same monthly figures the API takes. A pull is
//! all or nothing per service: any query that fails leaves every stored
//! figure as it was, and the failure shows on the service's page. Nothing
//! waits for a pull: it runs on its own task, each query within the
//! configured timeout.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::clock::Clock;
use crate::db::Database;
use crate::db::reliability::{self, PullTarget};
use crate::domain::ReliabilityReport;
use crate::domain::reliability::{expand, months_to_pull, previous_period, pulled_report};
use crate::error::{Error, Result};
use crate::prometheus::{Prometheus, PullError};

/// Asks Prometheus every month's figures for `target`, or says why not.
async fn ask(
    prometheus: &Prometheus,
    target: &PullTarget,
    now: DateTime<Utc>,
    previous_final: bool,
) -> std::result::Result<Vec<ReliabilityReport>, PullError> {
    let mut reports = Vec::new();
    for month in months_to_pull(now, previous_final) {
        let mut values = [None; 3];
        let queries = &target.queries;
        for (value, (name, expression)) in values.iter_mut().zip([
            ("SLO attainment", &queries.slo_attainment),
            ("error budget", &queries.error_budget_remaining),
            ("incidents", &queries.incidents),
        ]) {
            if expression.is_empty() {
                continue;
            }
            let promql = expand(expression, &target.label, month.window);
            *value = prometheus
                .query(&promql, month.at)
                .await
                .map_err(|error| PullError(format!("{name} for {}: {error}", month.period)))?;
        }
        let [slo, budget, incidents] = values;
        reports.push(
            pulled_report(&month.period, slo, budget, incidents)
                .map_err(|message| PullError(format!("{}: {message}", month.period)))?,
        );
    }
    Ok(reports)
}

/// Pulls one service now and records the outcome; `Ok(Err(..))` is a
/// failed pull (recorded, figures untouched), `Err` a database failure.
pub async fn pull_service(
    db: &Database,
    prometheus: &Prometheus,
    target: &PullTarget,
    now: DateTime<Utc>,
) -> Result<std::result::Result<(), PullError>> {
    let (service_id, previous) = (target.service_id, previous_period(now));
    let month_started = months_to_pull(now, true)
        .first()
        .map_or(now, |month| now - month.window);
    let previous_final = db
        .read(move |connection| {
            reliability::is_final(connection, service_id, &previous, month_started)
        })
        .await?;
    let outcome = ask(prometheus, target, now, previous_final).await;
    let recorded = outcome.clone();
    db.write(move |connection| match &recorded {
        Ok(reports) => {
            for report in reports {
                reliability::store_pulled(connection, service_id, report, now)?;
            }
            reliability::record_pull(connection, service_id, now, None)
        }
        Err(error) => reliability::record_pull(connection, service_id, now, Some(&error.0)),
    })
    .await?;
    if let Err(error) = &outcome {
        tracing::warn!(service = %target.slug, %error, "pulling reliability from Prometheus failed");
    }
    Ok(outcome.map(|_| ()))
}

/// Pulls every service that has queries; one service's failure does not
/// stop the others.
pub async fn pull_all(db: &Database, prometheus: &Prometheus, now: DateTime<Utc>) -> Result<()> {
    let targets = db.read(reliability::targets).await?;
    for target in &targets {
        // A failed pull is recorded on its service's page (and logged).
        let _failed = pull_service(db, prometheus, target, now).await?;
    }
    Ok(())
}

/// Pulls at start and then every `every`, until `stop` turns true.
pub async fn run(
    db: Database,
    prometheus: Prometheus,
    clock: Clock,
    every: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        let pulled = tokio::select! {
            pulled = pull_all(&db, &prometheus, clock.now()) => pulled,
            _ = stop.changed() => return,
        };
        if let Err(error) = pulled
            && !matches!(error, Error::ShuttingDown)
        {
            tracing::error!(%error, "pulling reliability failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}
