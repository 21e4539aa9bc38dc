//! Answering surveys: who responds (a personal or an open link), storing
//! and replacing responses, earlier answers for editing, and imported rows.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::surveys::Invitation;
use crate::domain::survey::Answer;
use crate::domain::survey_import::ImportedResponse;
use crate::error::{Error, Result};

/// Who is answering: through a personal link (an invitation) or an open link.
#[derive(Debug, Clone)]
pub struct Respondent {
    pub survey_id: i64,
    pub invitation_id: Option<i64>,
    pub user_id: Option<i64>,
    pub team_id: Option<i64>,
    /// Finds an earlier response to replace; `None` always adds a new one.
    pub key: Option<String>,
}

impl Invitation {
    /// The respondent of a personal link, found again by `key`.
    pub fn respondent(&self, key: String) -> Respondent {
        Respondent {
            survey_id: self.survey_id,
            invitation_id: Some(self.id),
            user_id: Some(self.user_id),
            team_id: self.team_id,
            key: Some(key),
        }
    }
}

/// Stores a response, replacing an earlier one with the same key. In an
/// anonymous survey the response keeps the team (for breakdowns) but no
/// person, and the invitation is not marked, so nothing says who answered.
/// `complete` says whether every question was answered.
pub fn save_response(
    connection: &Connection,
    respondent: &Respondent,
    anonymous: bool,
    answers: &[(i64, Answer)],
    complete: bool,
    now: DateTime<Utc>,
) -> Result<bool> {
    let existing: Option<i64> = match &respondent.key {
        None => None,
        Some(key) => connection
            .query_row(
                "SELECT id FROM survey_responses WHERE respondent_key = ?1",
                [key],
                |row| row.get(0),
            )
            .optional()?,
    };
    let user = if anonymous { None } else { respondent.user_id };
    let response_id = match existing {
        Some(id) => {
            connection.execute("DELETE FROM survey_answers WHERE response_id = ?1", [id])?;
            connection.execute(
                "UPDATE survey_responses SET updated_at = ?2, completed = ?3 WHERE id = ?1",
                params![id, now, complete],
            )?;
            id
        }
        None => {
            connection.execute(
                "INSERT INTO survey_responses (survey_id, respondent_key, user_id, team_id, completed, submitted_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                params![respondent.survey_id, respondent.key, user, respondent.team_id, complete, now],
            )?;
            connection.last_insert_rowid()
        }
    };
    insert_answers(connection, response_id, answers)?;
    if let (false, Some(invitation)) = (anonymous, respondent.invitation_id) {
        connection.execute(
            "UPDATE survey_invitations SET responded_at = coalesce(responded_at, ?2) WHERE id = ?1",
            params![invitation, now],
        )?;
    }
    Ok(existing.is_none())
}

/// Writes the answers of one response.
fn insert_answers(
    connection: &Connection,
    response_id: i64,
    answers: &[(i64, Answer)],
) -> Result<()> {
    let mut statement = connection.prepare_cached(
        "INSERT INTO survey_answers (response_id, question_id, value, not_applicable, text, choices)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (question_id, answer) in answers {
        let (value, not_applicable, text, choices) = match answer {
            Answer::Value(value) => (Some(f64::from(*value)), false, None, None),
            Answer::NotApplicable => (None, true, None, None),
            Answer::Text(text) => (None, false, Some(text.clone()), None),
            Answer::Choices(choices) => (
                None,
                false,
                None,
                Some(
                    serde_json::to_string(choices)
                        .map_err(|error| Error::Internal(error.to_string()))?,
                ),
            ),
        };
        statement.execute(params![
            response_id,
            question_id,
            value,
            not_applicable,
            text,
            choices
        ])?;
    }
    Ok(())
}

/// The answers of an earlier response from the same link, for editing.
pub fn previous_answers(
    connection: &Connection,
    respondent_key: &str,
) -> Result<Vec<(i64, Answer)>> {
    let mut statement = connection.prepare_cached(
        "SELECT survey_answers.question_id, survey_answers.value, survey_answers.not_applicable,
                survey_answers.text, survey_answers.choices
           FROM survey_answers JOIN survey_responses ON survey_responses.id = survey_answers.response_id
          WHERE survey_responses.respondent_key = ?1",
    )?;
    let answers = statement
        .query_map([respondent_key], |row| {
            let value: Option<f64> = row.get(1)?;
            let not_applicable: bool = row.get(2)?;
            let text: Option<String> = row.get(3)?;
            let choices: Option<String> = row.get(4)?;
            let answer = if not_applicable {
                Answer::NotApplicable
            } else if let Some(value) = value {
                Answer::Value(value as u8)
            } else if let Some(text) = text {
                Answer::Text(text)
            } else {
                Answer::Choices(
                    choices
                        .and_then(|choices| serde_json::from_str(&choices).ok())
                        .unwrap_or_default(),
                )
            };
            Ok((row.get(0)?, answer))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(answers)
}

/// Every team slug, for checking imported rows.
pub fn team_slugs(connection: &Connection) -> Result<Vec<String>> {
    let mut statement = connection.prepare_cached("SELECT slug FROM teams ORDER BY slug")?;
    let slugs = statement
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(slugs)
}

/// Stores checked imported responses (no person, no link), all in the
/// caller's transaction; returns how many.
pub fn import_responses(
    connection: &Connection,
    survey_id: i64,
    responses: &[ImportedResponse],
    now: DateTime<Utc>,
) -> Result<usize> {
    for response in responses {
        let team_id: Option<i64> = match &response.team {
            None => None,
            Some(slug) => connection
                .query_row("SELECT id FROM teams WHERE slug = ?1", [slug], |row| {
                    row.get(0)
                })
                .optional()?,
        };
        let at = response.submitted_at.unwrap_or(now);
        connection.execute(
            "INSERT INTO survey_responses (survey_id, team_id, completed, submitted_at, updated_at, imported)
             VALUES (?1, ?2, ?3, ?4, ?4, 1)",
            params![survey_id, team_id, response.complete, at],
        )?;
        insert_answers(
            connection,
            connection.last_insert_rowid(),
            &response.answers,
        )?;
    }
    Ok(responses.len())
}

/// What one respondent wrote, for the team (search results link here).
#[derive(Debug, Clone, PartialEq)]
pub struct WrittenResponse {
    pub survey_id: i64,
    pub survey_title: String,
    pub submitted_at: DateTime<Utc>,
    /// Who answered, only for surveys that are not anonymous.
    pub respondent: Option<String>,
    /// The respondent's team, only for surveys that are not anonymous.
    pub team: Option<String>,
    /// (question prompt, text written), in question order.
    pub comments: Vec<(String, String)>,
}

pub fn written_response(connection: &Connection, id: i64) -> Result<Option<WrittenResponse>> {
    let Some(mut response) = connection
        .query_row(
            "SELECT surveys.title, survey_responses.submitted_at,
                    CASE WHEN surveys.anonymous THEN NULL ELSE users.name END,
                    CASE WHEN surveys.anonymous THEN NULL ELSE teams.name END,
                    surveys.id
               FROM survey_responses
               JOIN surveys ON surveys.id = survey_responses.survey_id
               LEFT JOIN users ON users.id = survey_responses.user_id
               LEFT JOIN teams ON teams.id = survey_responses.team_id
              WHERE survey_responses.id = ?1",
            [id],
            |row| {
                Ok(WrittenResponse {
                    survey_id: row.get(4)?,
                    survey_title: row.get(0)?,
                    submitted_at: row.get(1)?,
                    respondent: row.get(2)?,
                    team: row.get(3)?,
                    comments: Vec::new(),
                })
            },
        )
        .optional()?
    else {
        return Ok(None);
    };
    let mut statement = connection.prepare_cached(
        "SELECT survey_questions.prompt, survey_answers.text
           FROM survey_answers
           JOIN survey_questions ON survey_questions.id = survey_answers.question_id
          WHERE survey_answers.response_id = ?1 AND trim(coalesce(survey_answers.text, '')) != ''
          ORDER BY survey_questions.position",
    )?;
    response.comments = statement
        .query_map([id], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(response))
}
