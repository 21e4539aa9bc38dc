//! Invitations: personal links to a survey for known people (within the
//! contact cap), whole teams as an audience, and finding who a link is for.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;

/// What inviting one address did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invited {
    New {
        user_id: i64,
        name: String,
    },
    Already,
    /// Not a known person.
    Unknown,
    /// Asked for an interview or survey within the contact cap.
    Capped,
}

/// Invites a known person, unless they were asked for anything within the
/// last `cap_days` days.
pub fn invite(
    connection: &Connection,
    survey_id: i64,
    email: &str,
    token_hash: &str,
    cap_days: u32,
    now: DateTime<Utc>,
) -> Result<Invited> {
    let Some((user_id, name)) = connection
        .query_row(
            "SELECT id, name FROM users WHERE email = ?1",
            [email],
            |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)),
        )
        .optional()?
    else {
        return Ok(Invited::Unknown);
    };
    let already: bool = connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM survey_invitations WHERE survey_id = ?1 AND user_id = ?2)",
        params![survey_id, user_id],
        |row| row.get(0),
    )?;
    if already {
        return Ok(Invited::Already);
    }
    if let Some(last) = crate::db::people::last_contacted(connection, user_id)?
        && now - last < chrono::Duration::days(i64::from(cap_days))
    {
        return Ok(Invited::Capped);
    }
    let inserted = connection.execute(
        "INSERT INTO survey_invitations (survey_id, user_id, token_hash, invited_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (survey_id, user_id) DO NOTHING",
        params![survey_id, user_id, token_hash, now],
    )?;
    if inserted == 1 {
        connection.execute(
            "INSERT INTO contact_events (user_id, purpose, contacted_at) VALUES (?1, 'survey', ?2)",
            params![user_id, now],
        )?;
    }
    Ok(if inserted == 1 {
        Invited::New { user_id, name }
    } else {
        Invited::Already
    })
}

/// The addresses of a team's members, for inviting a team as a whole, and
/// records the team in the survey's audience; `None` if there is no such team.
pub fn audience_team(
    connection: &Connection,
    survey_id: i64,
    team_slug: &str,
) -> Result<Option<Vec<String>>> {
    let Some(team_id) = connection
        .query_row("SELECT id FROM teams WHERE slug = ?1", [team_slug], |row| {
            row.get::<_, i64>(0)
        })
        .optional()?
    else {
        return Ok(None);
    };
    connection.execute(
        "INSERT INTO survey_audience_teams (survey_id, team_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        params![survey_id, team_id],
    )?;
    let mut statement =
        connection.prepare_cached("SELECT email FROM users WHERE team_id = ?1 ORDER BY email")?;
    let emails = statement
        .query_map([team_id], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(emails))
}

/// The teams a survey was sent to as a whole.
pub fn audience_teams(connection: &Connection, survey_id: i64) -> Result<Vec<String>> {
    let mut statement = connection.prepare_cached(
        "SELECT teams.slug FROM survey_audience_teams JOIN teams ON teams.id = survey_audience_teams.team_id
          WHERE survey_id = ?1 ORDER BY teams.slug",
    )?;
    let teams = statement
        .query_map([survey_id], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(teams)
}

/// Who a personal link belongs to.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub id: i64,
    pub survey_id: i64,
    pub user_id: i64,
    pub team_id: Option<i64>,
    /// The link has been used to answer.
    pub used: bool,
}

pub fn invitation_by_token(
    connection: &Connection,
    token_hash: &str,
) -> Result<Option<Invitation>> {
    Ok(connection
        .query_row(
            "SELECT survey_invitations.id, survey_id, user_id, users.team_id, used FROM survey_invitations
               JOIN users ON users.id = survey_invitations.user_id WHERE token_hash = ?1",
            [token_hash],
            |row| {
                Ok(Invitation {
                    id: row.get(0)?,
                    survey_id: row.get(1)?,
                    user_id: row.get(2)?,
                    team_id: row.get(3)?,
                    used: row.get(4)?,
                })
            },
        )
        .optional()?)
}
