//! Interview snapshots and their highlights.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::links::{self, Owner};
use crate::domain::interview::{Highlight, Interview, NewInterview};
use crate::error::{Error, Result};

const INTERVIEW_SELECT: &str = "
    SELECT interviews.id, interviews.participant_name, teams.slug, interviews.participant_role,
           interviews.held_on, interviews.quote, interviews.notes_md, interviews.opportunities,
           interviews.insights,
           (SELECT group_concat(services.slug, ',') FROM interview_services
              JOIN services ON services.id = interview_services.service_id
             WHERE interview_services.interview_id = interviews.id),
           (SELECT group_concat(tags.name, ',') FROM interview_tags
              JOIN tags ON tags.id = interview_tags.tag_id
             WHERE interview_tags.interview_id = interviews.id),
           (SELECT json_group_array(json_object('name', users.name, 'email', users.email))
              FROM (SELECT users.name, users.email FROM interview_interviewers
                      JOIN users ON users.id = interview_interviewers.user_id
                     WHERE interview_interviewers.interview_id = interviews.id
                     ORDER BY users.name) AS users)
      FROM interviews LEFT JOIN teams ON teams.id = interviews.participant_team_id";

fn interview_from_row(row: &Row<'_>) -> rusqlite::Result<Interview> {
    let held_on: String = row.get(4)?;
    let services: Option<String> = row.get(9)?;
    let interviewers: String = row.get(11)?;
    Ok(Interview {
        id: row.get(0)?,
        participant_name: row.get(1)?,
        participant_team: row.get(2)?,
        participant_role: row.get(3)?,
        held_on: NaiveDate::parse_from_str(&held_on, "%Y-%m-%d").unwrap_or_default(),
        quote: row.get(5)?,
        notes: row.get(6)?,
        opportunities: row.get(7)?,
        insights: row.get(8)?,
        services: links::split_sorted(services),
        tags: links::split_sorted(row.get(10)?),
        interviewers: serde_json::from_str(&interviewers).unwrap_or_default(),
        highlights: Vec::new(),
    })
}

pub fn insert(
    connection: &Connection,
    interview: &NewInterview,
    interviewer: i64,
    now: DateTime<Utc>,
) -> Result<i64> {
    let team_id = super::people::team_id(
        connection,
        interview.participant_team.as_deref(),
        "participant_team",
    )?;
    connection.execute(
        "INSERT INTO interviews (participant_name, participant_team_id, participant_role, held_on, quote,
                                 notes_md, opportunities, insights, created_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
        params![
            interview.participant_name,
            team_id,
            interview.participant_role,
            interview.held_on.to_string(),
            interview.quote,
            interview.notes,
            interview.opportunities,
            interview.insights,
            interviewer,
            now
        ],
    )?;
    let id = connection.last_insert_rowid();
    set_links(connection, id, interview, interviewer)?;
    Ok(id)
}

/// Services, tags and interviewers; no interviewer named means `recorder`.
fn set_links(
    connection: &Connection,
    id: i64,
    interview: &NewInterview,
    recorder: i64,
) -> Result<()> {
    links::set_services(connection, Owner::Interview, id, &interview.services)?;
    links::set_tags(connection, Owner::Interview, id, &interview.tags)?;
    connection.execute(
        "DELETE FROM interview_interviewers WHERE interview_id = ?1",
        [id],
    )?;
    if interview.interviewers.is_empty() {
        connection.execute(
            "INSERT INTO interview_interviewers (interview_id, user_id) VALUES (?1, ?2)",
            params![id, recorder],
        )?;
    }
    for email in &interview.interviewers {
        let added = connection.execute(
            "INSERT OR IGNORE INTO interview_interviewers (interview_id, user_id)
             SELECT ?1, id FROM users WHERE email = ?2 AND role IN ('team', 'admin')",
            params![id, email.as_str()],
        )?;
        if added == 0 {
            return Err(Error::invalid(
                "interviewers",
                format!("{email} is not someone of the platform team"),
            ));
        }
    }
    Ok(())
}

/// Replaces everything about an interview but its highlights, which keep
/// their quoted text even when the notes change.
pub fn update(
    connection: &Connection,
    id: i64,
    interview: &NewInterview,
    editor: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let team_id = super::people::team_id(
        connection,
        interview.participant_team.as_deref(),
        "participant_team",
    )?;
    let changed = connection.execute(
        "UPDATE interviews SET participant_name = ?2, participant_team_id = ?3, participant_role = ?4,
                held_on = ?5, quote = ?6, notes_md = ?7, opportunities = ?8, insights = ?9, updated_at = ?10
          WHERE id = ?1",
        params![
            id,
            interview.participant_name,
            team_id,
            interview.participant_role,
            interview.held_on.to_string(),
            interview.quote,
            interview.notes,
            interview.opportunities,
            interview.insights,
            now
        ],
    )?;
    if changed == 0 {
        return Err(Error::NotFound);
    }
    set_links(connection, id, interview, editor)
}

/// Interviews, most recent first.
pub fn list(connection: &Connection) -> Result<Vec<Interview>> {
    let mut statement = connection.prepare_cached(&format!(
        "{INTERVIEW_SELECT} ORDER BY interviews.held_on DESC, interviews.id DESC"
    ))?;
    let interviews = statement
        .query_map([], interview_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(interviews)
}

pub fn by_id(connection: &Connection, id: i64) -> Result<Option<Interview>> {
    let Some(mut interview) = connection
        .prepare_cached(&format!("{INTERVIEW_SELECT} WHERE interviews.id = ?1"))?
        .query_row([id], interview_from_row)
        .optional()?
    else {
        return Ok(None);
    };
    let mut statement = connection
        .prepare_cached("SELECT id, quote FROM highlights WHERE interview_id = ?1 ORDER BY id")?;
    interview.highlights = statement
        .query_map([id], |row| {
            Ok(Highlight {
                id: row.get(0)?,
                quote: row.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(interview))
}

/// The highlights of the given interviews: (interview id, highlight).
pub fn highlights_of(connection: &Connection, interviews: &[i64]) -> Result<Vec<(i64, Highlight)>> {
    let ids = serde_json::to_string(interviews).unwrap_or_else(|_| "[]".into());
    let mut statement = connection.prepare_cached(
        "SELECT interview_id, id, quote FROM highlights
          WHERE interview_id IN (SELECT value FROM json_each(?1)) ORDER BY id",
    )?;
    let highlights = statement
        .query_map([ids], |row| {
            Ok((
                row.get(0)?,
                Highlight {
                    id: row.get(1)?,
                    quote: row.get(2)?,
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(highlights)
}

pub fn add_highlight(
    connection: &Connection,
    interview: i64,
    quote: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<i64> {
    connection.execute(
        "INSERT INTO highlights (interview_id, quote, created_by, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![interview, quote, by, now],
    )?;
    Ok(connection.last_insert_rowid())
}

/// Interviews held from `since` on, for the weekly discovery cadence.
pub fn held_since(connection: &Connection, since: NaiveDate) -> Result<Vec<NaiveDate>> {
    let mut statement = connection
        .prepare_cached("SELECT held_on FROM interviews WHERE held_on >= ?1 ORDER BY held_on")?;
    let days = statement
        .query_map([since.to_string()], |row| row.get::<_, String>(0))?
        .filter_map(|day| {
            day.ok()
                .and_then(|day| NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok())
        })
        .collect();
    Ok(days)
}

/// The pain points each highlight of an interview is evidence for:
/// (highlight id, pain point id, pain point title).
pub fn highlight_links(connection: &Connection, interview: i64) -> Result<Vec<(i64, i64, String)>> {
    let mut statement = connection.prepare_cached(
        "SELECT highlights.id, pain_points.id, pain_points.title
           FROM highlights
           JOIN pain_point_evidence ON pain_point_evidence.highlight_id = highlights.id
           JOIN pain_points ON pain_points.id = pain_point_evidence.pain_point_id
          WHERE highlights.interview_id = ?1
          ORDER BY highlights.id, pain_points.id",
    )?;
    let links = statement
        .query_map([interview], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(links)
}

/// The interview a highlight was taken from.
pub fn interview_of_highlight(connection: &Connection, highlight: i64) -> Result<Option<i64>> {
    Ok(connection
        .query_row(
            "SELECT interview_id FROM highlights WHERE id = ?1",
            [highlight],
            |row| row.get(0),
        )
        .optional()?)
}
