//! The services catalog.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::service::{MonthlyFeedback, Reliability, Service};
use crate::domain::{NewService, ReliabilityReport};
use crate::error::{Error, Result};

const SERVICE_COLUMNS: &str = "services.id, services.slug, services.name, services.description,
    teams.slug, services.tier, services.slo_target, services.slo_window_days,
    services.runbook_url, services.dashboard_url";

fn service_from_row(row: &Row<'_>) -> rusqlite::Result<Service> {
    Ok(Service {
        id: row.get(0)?,
        slug: row.get(1)?,
        name: row.get(2)?,
        description: row.get(3)?,
        owner_team: row.get(4)?,
        tier: row.get(5)?,
        slo_target: row.get(6)?,
        slo_window_days: row.get(7)?,
        runbook_url: row.get(8)?,
        dashboard_url: row.get(9)?,
    })
}

/// Every service, by name.
pub fn list_services(connection: &Connection) -> Result<Vec<Service>> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {SERVICE_COLUMNS} FROM services LEFT JOIN teams ON teams.id = services.owner_team_id
         ORDER BY services.name"
    ))?;
    let services = statement
        .query_map([], service_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(services)
}

pub fn service_by_slug(connection: &Connection, slug: &str) -> Result<Option<Service>> {
    Ok(connection
        .query_row(
            &format!(
                "SELECT {SERVICE_COLUMNS} FROM services
                 LEFT JOIN teams ON teams.id = services.owner_team_id WHERE services.slug = ?1"
            ),
            [slug],
            service_from_row,
        )
        .optional()?)
}

pub fn insert_service(
    connection: &Connection,
    service: &NewService,
    now: DateTime<Utc>,
) -> Result<Service> {
    let owner_team_id =
        super::people::team_id(connection, service.owner_team.as_deref(), "owner_team")?;
    connection
        .execute(
            "INSERT INTO services (slug, name, description, owner_team_id, tier, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                service.slug.as_str(),
                service.name,
                service.description,
                owner_team_id,
                service.tier,
                now
            ],
        )
        .map_err(|error| {
            super::unique_violation_as(error, "slug", "a service with this slug already exists")
        })?;
    service_by_slug(connection, service.slug.as_str())?
        .ok_or_else(|| Error::Internal("a service vanished right after it was stored".into()))
}

/// Service level objective and links, which the catalog shows.
pub struct ServiceOperations<'a> {
    pub slo_target: Option<f64>,
    pub slo_window_days: Option<i64>,
    pub runbook_url: Option<&'a str>,
    pub dashboard_url: Option<&'a str>,
}

pub fn set_service_operations(
    connection: &Connection,
    service_id: i64,
    operations: &ServiceOperations<'_>,
) -> Result<()> {
    connection.execute(
        "UPDATE services SET slo_target = ?2, slo_window_days = ?3, runbook_url = ?4, dashboard_url = ?5
         WHERE id = ?1",
        params![
            service_id,
            operations.slo_target,
            operations.slo_window_days,
            operations.runbook_url,
            operations.dashboard_url
        ],
    )?;
    Ok(())
}

/// Stores (or replaces) a month's figures for the service `slug`.
pub fn upsert_reliability(
    connection: &Connection,
    slug: &str,
    report: &ReliabilityReport,
    now: DateTime<Utc>,
) -> Result<Reliability> {
    let changed = connection.execute(
        "INSERT INTO service_reliability
            (service_id, period, slo_attainment, error_budget_remaining, incidents, updated_at)
         SELECT id, ?2, ?3, ?4, ?5, ?6 FROM services WHERE slug = ?1
         ON CONFLICT (service_id, period) DO UPDATE SET
            slo_attainment = excluded.slo_attainment,
            error_budget_remaining = excluded.error_budget_remaining,
            incidents = excluded.incidents,
            updated_at = excluded.updated_at",
        params![
            slug,
            report.period,
            report.slo_attainment,
            report.error_budget_remaining,
            report.incidents,
            now
        ],
    )?;
    if changed == 0 {
        return Err(Error::NotFound);
    }
    Ok(Reliability {
        period: report.period.clone(),
        slo_attainment: report.slo_attainment,
        error_budget_remaining: report.error_budget_remaining,
        incidents: report.incidents.map(i64::from),
    })
}

/// A service's figures, newest month first.
pub fn reliability_history(
    connection: &Connection,
    service_id: i64,
    months: u32,
) -> Result<Vec<Reliability>> {
    let mut statement = connection.prepare_cached(
        "SELECT period, slo_attainment, error_budget_remaining, incidents FROM service_reliability
          WHERE service_id = ?1 ORDER BY period DESC LIMIT ?2",
    )?;
    let history = statement
        .query_map(params![service_id, months], |row| {
            Ok(Reliability {
                period: row.get(0)?,
                slo_attainment: row.get(1)?,
                error_budget_remaining: row.get(2)?,
                incidents: row.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(history)
}

/// Feedback volume and average rating by month since `since`, oldest first.
pub fn monthly_feedback(
    connection: &Connection,
    service_id: i64,
    since: DateTime<Utc>,
) -> Result<Vec<MonthlyFeedback>> {
    let mut statement = connection.prepare_cached(
        "SELECT substr(created_at, 1, 7), count(*), avg(rating), count(rating) FROM feedback
          WHERE service_id = ?1 AND created_at >= ?2
          GROUP BY substr(created_at, 1, 7) ORDER BY 1",
    )?;
    let months = statement
        .query_map(params![service_id, since], |row| {
            Ok(MonthlyFeedback {
                month: row.get(0)?,
                count: row.get(1)?,
                average_rating: row.get(2)?,
                ratings: row.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(months)
}

/// Changes a service's name, description, owner, tier, objective and links.
pub fn update_service(
    connection: &Connection,
    slug: &str,
    service: &NewService,
    operations: &crate::domain::Operations,
) -> Result<Service> {
    let owner_team_id =
        super::people::team_id(connection, service.owner_team.as_deref(), "owner_team")?;
    let changed = connection.execute(
        "UPDATE services SET name = ?2, description = ?3, owner_team_id = ?4, tier = ?5, slo_target = ?6,
                slo_window_days = ?7, runbook_url = ?8, dashboard_url = ?9
          WHERE slug = ?1",
        params![
            slug,
            service.name,
            service.description,
            owner_team_id,
            service.tier,
            operations.slo_target,
            operations.slo_window_days,
            operations.runbook_url,
            operations.dashboard_url
        ],
    )?;
    if changed == 0 {
        return Err(Error::NotFound);
    }
    service_by_slug(connection, slug)?.ok_or(Error::NotFound)
}

/// Deletes a service nobody has said anything about yet.
pub fn delete_service(connection: &Connection, slug: &str) -> Result<()> {
    let service = service_by_slug(connection, slug)?.ok_or(Error::NotFound)?;
    let (feedback, questions): (i64, i64) = connection.query_row(
        "SELECT (SELECT count(*) FROM feedback WHERE service_id = ?1),
                (SELECT count(*) FROM survey_questions WHERE service_id = ?1)",
        [service.id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    if feedback + questions > 0 {
        return Err(Error::Conflict(format!(
            "{} has {feedback} feedback items and {questions} survey questions; a service with history cannot be deleted",
            service.slug
        )));
    }
    connection.execute("DELETE FROM services WHERE id = ?1", [service.id])?;
    Ok(())
}
