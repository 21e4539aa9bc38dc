//! Answering surveys: who responds (a personal or an open link), storing
//! responses (replacing them only in named surveys), earlier answers for
//! editing a named response, and imported rows.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::surveys::Invitation;
use crate::domain::disclosure::anonymous_answer_time;
use crate::domain::survey::{Answer, WrittenResponse};
use crate::domain::survey_import::ImportedResponse;
use crate::error::{Error, Result};

/// Who is answering: through a personal link (an invitation) or an open link.
#[derive(Debug, Clone)]
pub struct Respondent {
    pub survey_id: i64,
    pub invitation_id: Option<i64>,
    pub user_id: Option<i64>,
    pub team_id: Option<i64>,
    /// Finds an earlier response to replace (named surveys only); `None`
    /// always adds a new one.
    pub key: Option<String>,
}

impl Invitation {
    /// The respondent of a personal link; `key` finds an earlier response
    /// again, in a named survey.
    pub fn respondent(&self, key: Option<String>) -> Respondent {
        Respondent {
            survey_id: self.survey_id,
            invitation_id: Some(self.id),
            user_id: Some(self.user_id),
            team_id: self.team_id,
            key,
        }
    }
}

/// A new response row under a random id: ids in the order of answering
/// would tell, beside any other record with a time, when each was given.
fn insert_response(
    connection: &Connection,
    respondent: &Respondent,
    user: Option<i64>,
    complete: bool,
    at: DateTime<Utc>,
    imported: bool,
) -> Result<i64> {
    loop {
        // 53 bits: an id stays exact as a JSON number.
        let id = (rand::random::<u64>() >> 11).max(1) as i64;
        let inserted = connection.execute(
            "INSERT INTO survey_responses (id, survey_id, respondent_key, user_id, team_id, completed,
                                           submitted_at, updated_at, imported)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8) ON CONFLICT (id) DO NOTHING",
            params![id, respondent.survey_id, respondent.key, user, respondent.team_id, complete, at, imported],
        )?;
        if inserted == 1 {
            return Ok(id);
        }
    }
}

/// Stores a response; returns whether it is new (an edit through a named
/// survey's personal link replaces the earlier one).
///
/// In an anonymous survey the response keeps the team (for breakdowns) but
/// no person, no key and only the day: a personal link answers once (the
/// invitation records that it was used, and nothing else), so nothing has
/// to find the response again. `complete` says whether every question was
/// answered. The published results are refreshed if this makes it due.
pub fn save_response(
    connection: &Connection,
    respondent: &Respondent,
    anonymous: bool,
    answers: &[(i64, Answer)],
    complete: bool,
    now: DateTime<Utc>,
) -> Result<bool> {
    if let Some(invitation) = respondent.invitation_id {
        let first_use = connection.execute(
            "UPDATE survey_invitations SET used = 1 WHERE id = ?1 AND used = 0",
            [invitation],
        )?;
        if anonymous && first_use == 0 {
            return Err(Error::Conflict(ALREADY_ANSWERED.into()));
        }
    }
    let existing: Option<i64> = match (&respondent.key, anonymous) {
        (Some(key), false) => connection
            .query_row(
                "SELECT id FROM survey_responses WHERE respondent_key = ?1",
                [key],
                |row| row.get(0),
            )
            .optional()?,
        _ => None,
    };
    let response_id = match existing {
        Some(id) => {
            connection.execute("DELETE FROM survey_answers WHERE response_id = ?1", [id])?;
            connection.execute(
                "UPDATE survey_responses SET updated_at = ?2, completed = ?3 WHERE id = ?1",
                params![id, now, complete],
            )?;
            id
        }
        None if anonymous => {
            let anonymous_respondent = Respondent {
                key: None,
                ..respondent.clone()
            };
            insert_response(
                connection,
                &anonymous_respondent,
                None,
                complete,
                anonymous_answer_time(now),
                false,
            )?
        }
        None => insert_response(
            connection,
            respondent,
            respondent.user_id,
            complete,
            now,
            false,
        )?,
    };
    insert_answers(connection, response_id, answers)?;
    if let (false, Some(invitation)) = (anonymous, respondent.invitation_id) {
        connection.execute(
            "UPDATE survey_invitations SET responded_at = coalesce(responded_at, ?2) WHERE id = ?1",
            params![invitation, now],
        )?;
    }
    super::survey_publication::refresh(connection, respondent.survey_id)?;
    Ok(existing.is_none())
}

/// What a used personal link of an anonymous survey says.
pub const ALREADY_ANSWERED: &str =
    "this link has been used to answer already; an anonymous survey takes one answer per link";

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

/// Stores checked imported responses (no person, no link) into a
/// historical wave, all in the caller's transaction, and publishes them
/// whole (the rows are the team's own file, not live answers); returns how
/// many. Only a survey without live answers, which takes none afterwards,
/// may be imported into (see `surveys::check_importable`).
pub fn import_responses(
    connection: &Connection,
    survey_id: i64,
    anonymous: bool,
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
        let respondent = Respondent {
            survey_id,
            invitation_id: None,
            user_id: None,
            team_id,
            key: None,
        };
        let at = if anonymous {
            anonymous_answer_time(at)
        } else {
            at
        };
        let id = insert_response(connection, &respondent, None, response.complete, at, true)?;
        insert_answers(connection, id, &response.answers)?;
    }
    super::survey_publication::publish_everything(connection, survey_id)?;
    Ok(responses.len())
}

/// A response with published comments; `None` when there is none.
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
          WHERE survey_answers.response_id = ?1 AND survey_answers.published = 1
            AND trim(coalesce(survey_answers.text, '')) != ''
          ORDER BY survey_questions.position",
    )?;
    response.comments = statement
        .query_map([id], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok((!response.comments.is_empty()).then_some(response))
}
