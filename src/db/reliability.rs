//! What to ask Prometheus for each service (and the team's template), the
//! outcome of each service's last pull, and storing pulled months beside
//! the figures the API, the browser and CSV imports put in.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::settings;
use crate::domain::ReliabilityReport;
use crate::domain::reliability::{PullStatus, ReliabilityQueries};
use crate::error::Result;

const TEMPLATE_SLO: &str = "reliability_template_slo_attainment";
const TEMPLATE_BUDGET: &str = "reliability_template_error_budget_remaining";
const TEMPLATE_INCIDENTS: &str = "reliability_template_incidents";

/// The team's template: PromQL for every service, with `$service`.
pub fn template(connection: &Connection) -> Result<ReliabilityQueries> {
    let get =
        |key| Ok::<_, crate::error::Error>(settings::get(connection, key)?.unwrap_or_default());
    Ok(ReliabilityQueries {
        service_label: String::new(),
        slo_attainment: get(TEMPLATE_SLO)?,
        error_budget_remaining: get(TEMPLATE_BUDGET)?,
        incidents: get(TEMPLATE_INCIDENTS)?,
    })
}

pub fn set_template(connection: &Connection, template: &ReliabilityQueries) -> Result<()> {
    settings::set(connection, TEMPLATE_SLO, &template.slo_attainment)?;
    settings::set(
        connection,
        TEMPLATE_BUDGET,
        &template.error_budget_remaining,
    )?;
    settings::set(connection, TEMPLATE_INCIDENTS, &template.incidents)
}

/// A service's own queries (all empty when it has none).
pub fn queries(connection: &Connection, service_id: i64) -> Result<ReliabilityQueries> {
    Ok(connection
        .query_row(
            "SELECT service_label, slo_attainment, error_budget_remaining, incidents
               FROM reliability_queries WHERE service_id = ?1",
            [service_id],
            |row| {
                Ok(ReliabilityQueries {
                    service_label: row.get(0)?,
                    slo_attainment: row.get(1)?,
                    error_budget_remaining: row.get(2)?,
                    incidents: row.get(3)?,
                })
            },
        )
        .optional()?
        .unwrap_or_default())
}

pub fn set_queries(
    connection: &Connection,
    service_id: i64,
    queries: &ReliabilityQueries,
    now: DateTime<Utc>,
) -> Result<()> {
    connection.execute(
        "INSERT INTO reliability_queries
            (service_id, service_label, slo_attainment, error_budget_remaining, incidents, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (service_id) DO UPDATE SET
            service_label = excluded.service_label, slo_attainment = excluded.slo_attainment,
            error_budget_remaining = excluded.error_budget_remaining,
            incidents = excluded.incidents, updated_at = excluded.updated_at",
        params![
            service_id,
            queries.service_label,
            queries.slo_attainment,
            queries.error_budget_remaining,
            queries.incidents,
            now
        ],
    )?;
    Ok(())
}

/// A service to pull: its queries with the template filled in where it
/// has none of its own, and what `$service` stands for.
#[derive(Debug, Clone)]
pub struct PullTarget {
    pub service_id: i64,
    pub slug: String,
    pub label: String,
    pub queries: ReliabilityQueries,
}

/// Every service that has something to ask.
pub fn targets(connection: &Connection) -> Result<Vec<PullTarget>> {
    let template = template(connection)?;
    let mut statement = connection.prepare_cached("SELECT id, slug FROM services ORDER BY slug")?;
    let services: Vec<(i64, String)> = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut targets = Vec::new();
    for (service_id, slug) in services {
        let own = queries(connection, service_id)?;
        let queries = own.or_template(&template);
        if queries.asks_anything() {
            let label = if own.service_label.is_empty() {
                slug.clone()
            } else {
                own.service_label.clone()
            };
            targets.push(PullTarget {
                service_id,
                slug,
                label,
                queries,
            });
        }
    }
    Ok(targets)
}

pub fn pull_status(connection: &Connection, service_id: i64) -> Result<Option<PullStatus>> {
    Ok(connection
        .query_row(
            "SELECT attempted_at, succeeded_at, error FROM reliability_pulls WHERE service_id = ?1",
            [service_id],
            |row| {
                Ok(PullStatus {
                    attempted_at: row.get(0)?,
                    succeeded_at: row.get(1)?,
                    error: row.get(2)?,
                })
            },
        )
        .optional()?)
}

/// Records a pull's outcome; a failure keeps the time of the last success.
pub fn record_pull(
    connection: &Connection,
    service_id: i64,
    now: DateTime<Utc>,
    error: Option<&str>,
) -> Result<()> {
    connection.execute(
        "INSERT INTO reliability_pulls (service_id, attempted_at, succeeded_at, error)
         VALUES (?1, ?2, CASE WHEN ?3 IS NULL THEN ?2 END, ?3)
         ON CONFLICT (service_id) DO UPDATE SET
            attempted_at = excluded.attempted_at,
            succeeded_at = coalesce(excluded.succeeded_at, reliability_pulls.succeeded_at),
            error = excluded.error",
        params![service_id, now, error],
    )?;
    Ok(())
}

/// Stores a pulled month: each figure Prometheus gave replaces the stored
/// one; a figure it had nothing for leaves what is stored.
pub fn store_pulled(
    connection: &Connection,
    service_id: i64,
    report: &ReliabilityReport,
    now: DateTime<Utc>,
) -> Result<()> {
    connection.execute(
        "INSERT INTO service_reliability
            (service_id, period, slo_attainment, error_budget_remaining, incidents, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (service_id, period) DO UPDATE SET
            slo_attainment = coalesce(excluded.slo_attainment, service_reliability.slo_attainment),
            error_budget_remaining = coalesce(excluded.error_budget_remaining,
                                              service_reliability.error_budget_remaining),
            incidents = coalesce(excluded.incidents, service_reliability.incidents),
            updated_at = excluded.updated_at",
        params![
            service_id,
            report.period,
            report.slo_attainment,
            report.error_budget_remaining,
            report.incidents,
            now
        ],
    )?;
    Ok(())
}

/// Whether month `period` of a service has figures stored at or after
/// `ended` (its end): pulled or pushed once it was over, so final.
pub fn is_final(
    connection: &Connection,
    service_id: i64,
    period: &str,
    ended: DateTime<Utc>,
) -> Result<bool> {
    Ok(connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM service_reliability
                         WHERE service_id = ?1 AND period = ?2 AND updated_at >= ?3)",
        params![service_id, period, ended],
        |row| row.get(0),
    )?)
}
