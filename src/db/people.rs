//! Teams and people. Sessions, API tokens and reset links are in
//! `db::credentials`; the admin's directory of people in `db::directory`.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::people::{Recruit, User};
use crate::domain::{Email, Role};
use crate::error::{Error, Result};

pub(crate) const USER_COLUMNS: &str = "users.id, users.email, users.name, users.role, teams.slug";

pub(crate) fn user_from_row(row: &Row<'_>) -> rusqlite::Result<User> {
    let role: String = row.get(3)?;
    Ok(User {
        id: row.get(0)?,
        email: row.get(1)?,
        name: row.get(2)?,
        role: Role::parse(&role).unwrap_or(Role::Contributor),
        team: row.get(4)?,
    })
}

/// The id of the team `slug`, if given; an unknown team is a field error on `field`.
pub fn team_id(
    connection: &Connection,
    slug: Option<&str>,
    field: &'static str,
) -> Result<Option<i64>> {
    let Some(slug) = slug else { return Ok(None) };
    connection
        .query_row("SELECT id FROM teams WHERE slug = ?1", [slug], |row| {
            row.get(0)
        })
        .optional()?
        .map(Some)
        .ok_or_else(|| Error::invalid(field, format!("there is no team {slug:?}")))
}

/// Creates the team if it does not exist yet; returns its id either way.
pub fn ensure_team(connection: &Connection, slug: &str, name: &str) -> Result<i64> {
    connection.execute(
        "INSERT INTO teams (slug, name) VALUES (?1, ?2) ON CONFLICT (slug) DO NOTHING",
        params![slug, name],
    )?;
    Ok(
        connection.query_row("SELECT id FROM teams WHERE slug = ?1", [slug], |row| {
            row.get(0)
        })?,
    )
}

/// A new account. `password_hash` is an argon2 PHC string, or `None` for
/// people who cannot sign in with a password.
pub struct NewUser<'a> {
    pub email: &'a Email,
    pub name: &'a str,
    pub role: Role,
    pub team_id: Option<i64>,
    pub password_hash: Option<&'a str>,
}

pub fn insert_user(connection: &Connection, user: &NewUser<'_>, now: DateTime<Utc>) -> Result<i64> {
    connection
        .execute(
            "INSERT INTO users (email, name, role, team_id, password_hash, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                user.email.as_str(),
                user.name,
                user.role.as_str(),
                user.team_id,
                user.password_hash,
                now
            ],
        )
        .map_err(|error| {
            super::unique_violation_as(error, "email", "a person with this email already exists")
        })?;
    Ok(connection.last_insert_rowid())
}

pub fn user_by_email(connection: &Connection, email: &Email) -> Result<Option<User>> {
    Ok(connection
        .query_row(
            &format!(
                "SELECT {USER_COLUMNS} FROM users LEFT JOIN teams ON teams.id = users.team_id
                 WHERE users.email = ?1"
            ),
            [email.as_str()],
            user_from_row,
        )
        .optional()?)
}

/// The person and their password hash, for signing in.
pub fn login_candidate(connection: &Connection, email: &Email) -> Result<Option<(User, String)>> {
    Ok(connection
        .query_row(
            &format!(
                "SELECT {USER_COLUMNS}, users.password_hash FROM users
                 LEFT JOIN teams ON teams.id = users.team_id
                 WHERE users.email = ?1 AND users.password_hash IS NOT NULL
                   AND users.deactivated_at IS NULL"
            ),
            [email.as_str()],
            |row| Ok((user_from_row(row)?, row.get(5)?)),
        )
        .optional()?)
}

/// Whether nothing has been stored yet (no people, services or feedback),
/// which is when seed data may be loaded.
pub fn database_is_empty(connection: &Connection) -> Result<bool> {
    let rows: i64 = connection.query_row(
        "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM services)
              + (SELECT count(*) FROM feedback)",
        [],
        |row| row.get(0),
    )?;
    Ok(rows == 0)
}

/// Refuses a missing user with a clear message, for the command line.
pub fn require_user(connection: &Connection, email: &Email) -> Result<User> {
    user_by_email(connection, email)?
        .ok_or_else(|| Error::invalid("email", format!("no person with the email {email}")))
}

/// The recruiting list: people who agreed to be contacted about their
/// feedback, optionally only of one team or about one service.
pub fn recruiting_list(
    connection: &Connection,
    team: Option<&str>,
    service: Option<&str>,
) -> Result<Vec<Recruit>> {
    let mut statement = connection.prepare_cached(
        "SELECT users.id, users.name, users.email, teams.slug, group_concat(DISTINCT services.slug), count(*),
                (SELECT max(contacted_at) FROM contact_events WHERE contact_events.user_id = users.id)
           FROM feedback
           JOIN users ON users.id = feedback.author_id
           LEFT JOIN teams ON teams.id = users.team_id
           JOIN services ON services.id = feedback.service_id
          WHERE feedback.contact_ok = 1 AND feedback.anonymous = 0
            AND (?1 IS NULL OR teams.slug = ?1) AND (?2 IS NULL OR services.slug = ?2)
          GROUP BY users.id ORDER BY count(*) DESC, users.name",
    )?;
    let recruits = statement
        .query_map(params![team, service], |row| {
            let services: Option<String> = row.get(4)?;
            Ok(Recruit {
                user_id: row.get(0)?,
                name: row.get(1)?,
                email: row.get(2)?,
                team: row.get(3)?,
                services: services
                    .map(|list| list.split(',').map(str::to_owned).collect())
                    .unwrap_or_default(),
                feedback: row.get(5)?,
                last_contacted: row.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(recruits)
}

/// When the person was last asked for an interview or survey.
pub fn last_contacted(connection: &Connection, user_id: i64) -> Result<Option<DateTime<Utc>>> {
    Ok(connection.query_row(
        "SELECT max(contacted_at) FROM contact_events WHERE user_id = ?1",
        [user_id],
        |row| row.get(0),
    )?)
}

/// Records an invitation to an interview; refused within the contact cap.
pub fn record_interview_contact(
    connection: &Connection,
    user_id: i64,
    cap_days: u32,
    now: DateTime<Utc>,
) -> Result<()> {
    if let Some(last) = last_contacted(connection, user_id)?
        && now - last < chrono::Duration::days(i64::from(cap_days))
    {
        return Err(Error::Conflict(format!(
            "this person was asked on {}; the organisation asks nobody more than once every {cap_days} days",
            last.format("%-d %b %Y")
        )));
    }
    connection.execute(
        "INSERT INTO contact_events (user_id, purpose, contacted_at) VALUES (?1, 'interview', ?2)",
        params![user_id, now],
    )?;
    Ok(())
}
