//! The audit log: appended to in the same transaction as what it records,
//! never changed (the schema's triggers refuse updates and deletes).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Row, params};

use crate::domain::audit::{AuditAction, AuditEntry, AuditFilter};
use crate::error::Result;

/// Who did something: a person, or the command line.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<i64>,
    pub name: String,
}

impl Actor {
    pub fn person(id: i64, email: &str) -> Actor {
        Actor {
            id: Some(id),
            name: email.to_owned(),
        }
    }

    pub fn command_line() -> Actor {
        Actor {
            id: None,
            name: "cli".to_owned(),
        }
    }
}

/// Appends one line.
pub fn record(
    connection: &Connection,
    actor: &Actor,
    action: AuditAction,
    subject: &str,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    connection
        .prepare_cached(
            "INSERT INTO audit_log (at, actor_id, actor, action, subject, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            now,
            actor.id,
            actor.name,
            action.as_str(),
            subject,
            detail
        ])?;
    Ok(())
}

fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    let action: String = row.get(4)?;
    Ok(AuditEntry {
        id: row.get(0)?,
        at: row.get(1)?,
        actor_id: row.get(2)?,
        actor: row.get(3)?,
        action: AuditAction::parse(&action).unwrap_or(AuditAction::StatusChanged),
        subject: row.get(5)?,
        detail: row.get(6)?,
    })
}

/// Lines matching `filter`, newest first; `limit` 0 means all of them.
pub fn entries(connection: &Connection, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
    let text = filter.text.as_ref().map(|text| {
        format!(
            "%{}%",
            text.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        )
    });
    let limit = if filter.limit == 0 {
        -1
    } else {
        i64::from(filter.limit)
    };
    let mut statement = connection.prepare_cached(
        "SELECT id, at, actor_id, actor, action, subject, detail FROM audit_log
          WHERE (?1 IS NULL OR action = ?1)
            AND (?2 IS NULL OR actor LIKE ?2 ESCAPE '\\' OR subject LIKE ?2 ESCAPE '\\')
          ORDER BY id DESC LIMIT ?3",
    )?;
    let entries = statement
        .query_map(
            params![filter.action.map(AuditAction::as_str), text, limit],
            entry_from_row,
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(entries)
}
