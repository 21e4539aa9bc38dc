//! The services catalog.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use crate::domain::NewService;
use crate::error::{Error, Result};

/// A service in the catalog.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Service {
    #[serde(skip)]
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub owner_team: Option<String>,
    pub tier: i64,
    pub slo_target: Option<f64>,
    pub slo_window_days: Option<i64>,
    pub runbook_url: Option<String>,
    pub dashboard_url: Option<String>,
}

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
    let owner_team_id: Option<i64> = match &service.owner_team {
        None => None,
        Some(team) => Some(
            connection
                .query_row("SELECT id FROM teams WHERE slug = ?1", [team], |row| {
                    row.get(0)
                })
                .optional()?
                .ok_or_else(|| {
                    Error::invalid("owner_team", format!("there is no team {team:?}"))
                })?,
        ),
    };
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
