//! The admin's directory: people (find, change role and team, deactivate)
//! and teams (create, rename, merge). Sign-ins through the company's
//! identity create and update people here too.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::people::{NewUser, insert_user};
use crate::domain::Role;
use crate::domain::identity::{ExternalIdentity, GroupMapping};
use crate::domain::people::{Person, Team, User};
use crate::error::{Error, Result};

const PERSON_COLUMNS: &str = "users.id, users.email, users.name, users.role, teams.slug,
    users.password_hash IS NOT NULL, users.oidc_subject IS NOT NULL, users.last_sign_in_at,
    users.deactivated_at";

fn person_from_row(row: &Row<'_>) -> rusqlite::Result<Person> {
    let role: String = row.get(3)?;
    let password: bool = row.get(5)?;
    let oidc: bool = row.get(6)?;
    Ok(Person {
        id: row.get(0)?,
        email: row.get(1)?,
        name: row.get(2)?,
        role: Role::parse(&role).unwrap_or(Role::Contributor),
        team: row.get(4)?,
        sign_in: match (password, oidc) {
            (true, _) => "password",
            (false, true) => "oidc",
            (false, false) => "sso",
        },
        last_sign_in_at: row.get(7)?,
        deactivated_at: row.get(8)?,
    })
}

/// People whose name, email or team contains `text` (all when empty), by name.
pub fn people(connection: &Connection, text: &str, limit: u32) -> Result<Vec<Person>> {
    let pattern = format!(
        "%{}%",
        text.trim()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {PERSON_COLUMNS} FROM users LEFT JOIN teams ON teams.id = users.team_id
          WHERE users.name LIKE ?1 ESCAPE '\\' OR users.email LIKE ?1 ESCAPE '\\'
             OR coalesce(teams.slug, '') LIKE ?1 ESCAPE '\\'
          ORDER BY users.name, users.id LIMIT ?2"
    ))?;
    let people = statement
        .query_map(params![pattern, limit], person_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(people)
}

pub fn person(connection: &Connection, id: i64) -> Result<Option<Person>> {
    Ok(connection
        .query_row(
            &format!(
                "SELECT {PERSON_COLUMNS} FROM users LEFT JOIN teams ON teams.id = users.team_id
                 WHERE users.id = ?1"
            ),
            [id],
            person_from_row,
        )
        .optional()?)
}

/// Re-indexes a person's named feedback, whose search documents carry their team.
fn reindex_feedback_of(connection: &Connection, user_id: i64) -> Result<()> {
    connection.execute(
        "INSERT INTO search_changes (entity, entity_id, op)
         SELECT 'feedback', id, 'upsert' FROM feedback WHERE author_id = ?1",
        [user_id],
    )?;
    Ok(())
}

pub fn set_role(connection: &Connection, user_id: i64, role: Role) -> Result<()> {
    connection.execute(
        "UPDATE users SET role = ?2 WHERE id = ?1",
        params![user_id, role.as_str()],
    )?;
    Ok(())
}

pub fn set_team(connection: &Connection, user_id: i64, team_id: Option<i64>) -> Result<()> {
    connection.execute(
        "UPDATE users SET team_id = ?2 WHERE id = ?1",
        params![user_id, team_id],
    )?;
    reindex_feedback_of(connection, user_id)
}

/// Marks a person deactivated (`Some`) or active again (`None`).
pub fn set_deactivated(
    connection: &Connection,
    user_id: i64,
    at: Option<DateTime<Utc>>,
) -> Result<()> {
    connection.execute(
        "UPDATE users SET deactivated_at = ?2 WHERE id = ?1",
        params![user_id, at],
    )?;
    Ok(())
}

pub fn teams(connection: &Connection) -> Result<Vec<Team>> {
    let mut statement = connection.prepare_cached(
        "SELECT teams.id, teams.slug, teams.name,
                (SELECT count(*) FROM users WHERE users.team_id = teams.id)
           FROM teams ORDER BY teams.name, teams.slug",
    )?;
    let teams = statement
        .query_map([], |row| {
            Ok(Team {
                id: row.get(0)?,
                slug: row.get(1)?,
                name: row.get(2)?,
                members: row.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(teams)
}

pub fn team_by_slug(connection: &Connection, slug: &str) -> Result<Option<Team>> {
    Ok(teams(connection)?
        .into_iter()
        .find(|team| team.slug == slug))
}

pub fn create_team(connection: &Connection, slug: &str, name: &str) -> Result<i64> {
    connection
        .execute(
            "INSERT INTO teams (slug, name) VALUES (?1, ?2)",
            params![slug, name],
        )
        .map_err(|error| {
            super::unique_violation_as(error, "slug", "a team with this slug exists")
        })?;
    Ok(connection.last_insert_rowid())
}

pub fn rename_team(connection: &Connection, team_id: i64, name: &str) -> Result<()> {
    connection.execute(
        "UPDATE teams SET name = ?2 WHERE id = ?1",
        params![team_id, name],
    )?;
    Ok(())
}

/// Moves everything of team `from` into team `into` (people, owned
/// services, interview participants, survey audiences, responses and their
/// counts) and removes `from`.
pub fn merge_teams(connection: &Connection, from: i64, into: i64) -> Result<()> {
    if from == into {
        return Err(Error::invalid(
            "into",
            "a team cannot be merged into itself",
        ));
    }
    connection.execute(
        "INSERT INTO search_changes (entity, entity_id, op)
         SELECT 'feedback', feedback.id, 'upsert' FROM feedback
           JOIN users ON users.id = feedback.author_id WHERE users.team_id = ?1",
        [from],
    )?;
    for statement in [
        "UPDATE users SET team_id = ?2 WHERE team_id = ?1",
        "UPDATE services SET owner_team_id = ?2 WHERE owner_team_id = ?1",
        "UPDATE interviews SET participant_team_id = ?2 WHERE participant_team_id = ?1",
        "UPDATE survey_responses SET team_id = ?2 WHERE team_id = ?1",
        "INSERT OR IGNORE INTO survey_audience_teams (survey_id, team_id)
         SELECT survey_id, ?2 FROM survey_audience_teams WHERE team_id = ?1",
        "INSERT INTO survey_answer_counts (question_id, team_id, value, answers)
         SELECT question_id, ?2, value, answers FROM survey_answer_counts WHERE team_id = ?1
         ON CONFLICT (question_id, team_id, value) DO UPDATE SET answers = answers + excluded.answers",
    ] {
        connection.execute(statement, params![from, into])?;
    }
    for statement in [
        "DELETE FROM survey_audience_teams WHERE team_id = ?1",
        "DELETE FROM survey_answer_counts WHERE team_id = ?1",
        "DELETE FROM teams WHERE id = ?1",
    ] {
        connection.execute(statement, [from])?;
    }
    Ok(())
}

/// What a sign-in through the company's identity did to the directory.
pub struct Provisioned {
    pub user: User,
    pub created: bool,
    /// The role before this sign-in, when it changed.
    pub previous_role: Option<Role>,
}

/// Finds the person (by OpenID subject, then by email) or creates them,
/// and brings name, role and team in line with what the identity says.
/// Deactivated people stay deactivated: `Ok(None)`.
pub fn provision(
    connection: &Connection,
    identity: &ExternalIdentity,
    mapping: &GroupMapping,
    now: DateTime<Utc>,
) -> Result<Option<Provisioned>> {
    let found: Option<(i64, String, bool)> = connection
        .query_row(
            "SELECT id, role, deactivated_at IS NOT NULL FROM users
              WHERE (?1 IS NOT NULL AND oidc_subject = ?1) OR email = ?2
              ORDER BY oidc_subject IS NULL LIMIT 1",
            params![identity.subject, identity.email.as_str()],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    let role = mapping.role(&identity.groups);
    let team_id = match mapping.team(&identity.groups) {
        Some(slug) => Some(super::people::ensure_team(connection, slug, slug)?),
        None => None,
    };
    let (user_id, created, previous_role) = match found {
        Some((_, _, true)) => return Ok(None),
        Some((id, old_role, false)) => {
            connection.execute(
                "UPDATE users SET name = ?2, email = ?3, role = ?4, team_id = ?5,
                        oidc_subject = coalesce(?6, oidc_subject)
                  WHERE id = ?1",
                params![
                    id,
                    identity.name,
                    identity.email.as_str(),
                    role.as_str(),
                    team_id,
                    identity.subject
                ],
            )?;
            reindex_feedback_of(connection, id)?;
            let previous = Role::parse(&old_role).filter(|old| *old != role);
            (id, false, previous)
        }
        None => {
            let id = insert_user(
                connection,
                &NewUser {
                    email: &identity.email,
                    name: &identity.name,
                    role,
                    team_id,
                    password_hash: None,
                },
                now,
            )?;
            connection.execute(
                "UPDATE users SET oidc_subject = ?2 WHERE id = ?1",
                params![id, identity.subject],
            )?;
            (id, true, None)
        }
    };
    let user = super::people::user_by_email(connection, &identity.email)?
        .ok_or_else(|| Error::Internal(format!("person {user_id} vanished while signing in")))?;
    Ok(Some(Provisioned {
        user,
        created,
        previous_role,
    }))
}

pub fn person_by_email(
    connection: &Connection,
    email: &crate::domain::Email,
) -> Result<Option<Person>> {
    Ok(connection
        .query_row(
            &format!(
                "SELECT {PERSON_COLUMNS} FROM users LEFT JOIN teams ON teams.id = users.team_id
                 WHERE users.email = ?1"
            ),
            [email.as_str()],
            person_from_row,
        )
        .optional()?)
}
