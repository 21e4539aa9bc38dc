//! Settings the team changes at run time, and the server's own secret.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;

/// Interviews per week the team aims for.
pub const INTERVIEW_TARGET: &str = "interview_target_per_week";
/// Days within which nobody is asked for an interview or survey twice.
pub const CONTACT_CAP_DAYS: &str = "contact_cap_days";
/// The URL people reach the server at, recorded by `serve` at start, so
/// `earshot digest send` links to the same place.
pub const PUBLIC_URL: &str = "public_url";

/// A value from the settings table.
pub fn get(connection: &Connection, key: &str) -> Result<Option<String>> {
    Ok(connection
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
            row.get(0)
        })
        .optional()?)
}

/// Stores `value` under `key` unless the key is set; returns the value in force.
pub fn get_or_insert(connection: &Connection, key: &str, value: &str) -> Result<String> {
    connection.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
        params![key, value],
    )?;
    Ok(
        connection.query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
            row.get(0)
        })?,
    )
}

pub fn set(connection: &Connection, key: &str, value: &str) -> Result<()> {
    connection.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// A whole-number setting, or `default` when unset or unreadable.
pub fn number(connection: &Connection, key: &str, default: u32) -> Result<u32> {
    Ok(get(connection, key)?
        .and_then(|value| value.parse().ok())
        .unwrap_or(default))
}
