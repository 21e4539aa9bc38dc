//! Surveys, their questions, invitations, responses and answers.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::satisfaction::{Wave, WaveQuestion};
use crate::domain::survey::{Answer, NewSurvey, Question, QuestionKind};
use crate::error::{Error, Result};

/// A stored question.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QuestionRecord {
    pub id: i64,
    pub kind: QuestionKind,
    pub prompt: String,
    pub service: Option<String>,
    pub required: bool,
    pub choices: Vec<String>,
}

impl QuestionRecord {
    pub fn for_checking(&self) -> Question {
        Question {
            id: self.id,
            kind: self.kind,
            required: self.required,
            choices: self.choices.clone(),
        }
    }
}

/// A stored survey with its questions.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Survey {
    pub id: i64,
    pub title: String,
    pub introduction: String,
    pub status: String,
    pub anonymous: bool,
    pub threshold: u32,
    pub questions: Vec<QuestionRecord>,
}

pub fn insert_survey(
    connection: &Connection,
    survey: &NewSurvey,
    created_by: i64,
    now: DateTime<Utc>,
) -> Result<i64> {
    connection.execute(
        "INSERT INTO surveys (title, introduction, anonymous, threshold, created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            survey.title,
            survey.introduction,
            survey.anonymous,
            survey.threshold,
            created_by,
            now
        ],
    )?;
    let id = connection.last_insert_rowid();
    for (position, question) in survey.questions.iter().enumerate() {
        let service_id: Option<i64> = match &question.service {
            None => None,
            Some(slug) => Some(
                connection
                    .query_row("SELECT id FROM services WHERE slug = ?1", [slug], |row| {
                        row.get(0)
                    })
                    .optional()?
                    .ok_or_else(|| {
                        Error::invalid("questions", format!("there is no service {slug:?}"))
                    })?,
            ),
        };
        let choices = serde_json::to_string(&question.choices)
            .map_err(|error| Error::Internal(error.to_string()))?;
        connection.execute(
            "INSERT INTO survey_questions (survey_id, position, kind, prompt, service_id, required, allow_na, choices)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                id,
                position as i64,
                question.kind.as_str(),
                question.prompt,
                service_id,
                question.required,
                question.kind.scale().is_some(),
                choices
            ],
        )?;
    }
    Ok(id)
}

pub fn survey_by_id(connection: &Connection, id: i64) -> Result<Option<Survey>> {
    let Some(mut survey) = connection
        .query_row(
            "SELECT id, title, introduction, status, anonymous, threshold FROM surveys WHERE id = ?1",
            [id],
            |row| {
                Ok(Survey {
                    id: row.get(0)?,
                    title: row.get(1)?,
                    introduction: row.get(2)?,
                    status: row.get(3)?,
                    anonymous: row.get(4)?,
                    threshold: row.get(5)?,
                    questions: Vec::new(),
                })
            },
        )
        .optional()?
    else {
        return Ok(None);
    };
    let mut statement = connection.prepare_cached(
        "SELECT survey_questions.id, kind, prompt, services.slug, required, choices
           FROM survey_questions LEFT JOIN services ON services.id = survey_questions.service_id
          WHERE survey_id = ?1 ORDER BY position",
    )?;
    survey.questions = statement
        .query_map([id], |row| {
            let kind: String = row.get(1)?;
            let choices: String = row.get(5)?;
            Ok(QuestionRecord {
                id: row.get(0)?,
                kind: QuestionKind::parse(&kind).unwrap_or(QuestionKind::Text),
                prompt: row.get(2)?,
                service: row.get(3)?,
                required: row.get(4)?,
                choices: serde_json::from_str(&choices).unwrap_or_default(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(survey))
}

/// Moves a survey from `from` to `to` (draft → open → closed).
pub fn change_status(connection: &Connection, id: i64, from: &str, to: &str) -> Result<()> {
    let changed = connection.execute(
        "UPDATE surveys SET status = ?3 WHERE id = ?1 AND status = ?2",
        params![id, from, to],
    )?;
    if changed == 1 {
        return Ok(());
    }
    let status: Option<String> = connection
        .query_row("SELECT status FROM surveys WHERE id = ?1", [id], |row| {
            row.get(0)
        })
        .optional()?;
    match status {
        None => Err(Error::NotFound),
        Some(status) => Err(Error::Conflict(format!(
            "the survey is {status}; only a {from} survey can become {to}"
        ))),
    }
}

/// What inviting one address did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invited {
    New,
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
    let Some(user_id) = connection
        .query_row("SELECT id FROM users WHERE email = ?1", [email], |row| {
            row.get::<_, i64>(0)
        })
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
        Invited::New
    } else {
        Invited::Already
    })
}

/// Who a personal link belongs to.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub id: i64,
    pub survey_id: i64,
    pub user_id: i64,
    pub team_id: Option<i64>,
}

pub fn invitation_by_token(
    connection: &Connection,
    token_hash: &str,
) -> Result<Option<Invitation>> {
    Ok(connection
        .query_row(
            "SELECT survey_invitations.id, survey_id, user_id, users.team_id FROM survey_invitations
               JOIN users ON users.id = survey_invitations.user_id WHERE token_hash = ?1",
            [token_hash],
            |row| {
                Ok(Invitation {
                    id: row.get(0)?,
                    survey_id: row.get(1)?,
                    user_id: row.get(2)?,
                    team_id: row.get(3)?,
                })
            },
        )
        .optional()?)
}

/// Stores a response, replacing an earlier one from the same link. In an
/// anonymous survey the response keeps the team (for breakdowns) but no
/// person, and the invitation is not marked, so nothing says who answered.
pub fn save_response(
    connection: &Connection,
    invitation: &Invitation,
    anonymous: bool,
    respondent_key: &str,
    answers: &[(i64, Answer)],
    now: DateTime<Utc>,
) -> Result<bool> {
    let existing: Option<i64> = connection
        .query_row(
            "SELECT id FROM survey_responses WHERE respondent_key = ?1",
            [respondent_key],
            |row| row.get(0),
        )
        .optional()?;
    let user = (!anonymous).then_some(invitation.user_id);
    let response_id = match existing {
        Some(id) => {
            connection.execute("DELETE FROM survey_answers WHERE response_id = ?1", [id])?;
            connection.execute(
                "UPDATE survey_responses SET updated_at = ?2 WHERE id = ?1",
                params![id, now],
            )?;
            id
        }
        None => {
            connection.execute(
                "INSERT INTO survey_responses (survey_id, respondent_key, user_id, team_id, completed, submitted_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5)",
                params![invitation.survey_id, respondent_key, user, invitation.team_id, now],
            )?;
            connection.last_insert_rowid()
        }
    };
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
        connection.execute(
            "INSERT INTO survey_answers (response_id, question_id, value, not_applicable, text, choices)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![response_id, question_id, value, not_applicable, text, choices],
        )?;
    }
    if !anonymous {
        connection.execute(
            "UPDATE survey_invitations SET responded_at = coalesce(responded_at, ?2) WHERE id = ?1",
            params![invitation.id, now],
        )?;
    }
    Ok(existing.is_none())
}

/// One numeric answer with the respondent's team, for results.
#[derive(Debug, Clone, PartialEq)]
pub struct ScaleAnswer {
    pub team: Option<String>,
    /// `None` for "not applicable".
    pub value: Option<u8>,
}

/// Invitations and responses of a survey.
pub fn counts(connection: &Connection, survey_id: i64) -> Result<(u32, u32)> {
    Ok(connection.query_row(
        "SELECT (SELECT count(*) FROM survey_invitations WHERE survey_id = ?1),
                (SELECT count(*) FROM survey_responses WHERE survey_id = ?1)",
        [survey_id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?)
}

/// Every numeric answer to a question, with the team that gave it.
pub fn scale_answers(connection: &Connection, question_id: i64) -> Result<Vec<ScaleAnswer>> {
    let mut statement = connection.prepare_cached(
        "SELECT teams.slug, survey_answers.value FROM survey_answers
           JOIN survey_responses ON survey_responses.id = survey_answers.response_id
           LEFT JOIN teams ON teams.id = survey_responses.team_id
          WHERE survey_answers.question_id = ?1",
    )?;
    let answers = statement
        .query_map([question_id], |row| {
            let value: Option<f64> = row.get(1)?;
            Ok(ScaleAnswer {
                team: row.get(0)?,
                value: value.map(|value| value as u8),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(answers)
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

/// Every opened survey, oldest first, with its numeric answers.
pub fn waves(connection: &Connection) -> Result<Vec<Wave>> {
    let mut statement = connection.prepare_cached(
        "SELECT surveys.id, surveys.title, surveys.created_at, survey_questions.id, survey_questions.kind,
                services.slug, survey_answers.value, surveys.threshold
           FROM surveys
           JOIN survey_questions ON survey_questions.survey_id = surveys.id
           LEFT JOIN services ON services.id = survey_questions.service_id
           JOIN survey_answers ON survey_answers.question_id = survey_questions.id
          WHERE surveys.status <> 'draft' AND survey_questions.kind IN ('nps', 'csat', 'ces', 'likert')
          ORDER BY surveys.created_at, surveys.id, survey_questions.position",
    )?;
    let mut waves: Vec<Wave> = Vec::new();
    let mut last_question = None;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let survey_id: i64 = row.get(0)?;
        if waves.last().is_none_or(|wave| wave.survey_id != survey_id) {
            waves.push(Wave {
                survey_id,
                title: row.get(1)?,
                opened: row.get(2)?,
                threshold: row.get(7)?,
                questions: Vec::new(),
            });
            last_question = None;
        }
        let wave = waves.last_mut().expect("pushed above");
        let question_id: i64 = row.get(3)?;
        if last_question != Some(question_id) {
            let kind: String = row.get(4)?;
            wave.questions.push(WaveQuestion {
                kind: QuestionKind::parse(&kind).unwrap_or(QuestionKind::Likert),
                service: row.get(5)?,
                values: Vec::new(),
            });
            last_question = Some(question_id);
        }
        let value: Option<f64> = row.get(6)?;
        wave.questions
            .last_mut()
            .expect("pushed above")
            .values
            .push(value.map(|value| value as u8));
    }
    Ok(waves)
}

/// The choices picked and texts written for a question.
pub fn other_answers(
    connection: &Connection,
    question_id: i64,
) -> Result<(Vec<Vec<String>>, Vec<String>)> {
    let mut statement = connection.prepare_cached(
        "SELECT choices, text FROM survey_answers WHERE question_id = ?1 AND (choices IS NOT NULL OR text IS NOT NULL)",
    )?;
    let mut choices = Vec::new();
    let mut texts = Vec::new();
    let mut rows = statement.query([question_id])?;
    while let Some(row) = rows.next()? {
        let picked: Option<String> = row.get(0)?;
        let text: Option<String> = row.get(1)?;
        if let Some(picked) = picked {
            choices.push(serde_json::from_str(&picked).unwrap_or_default());
        }
        if let Some(text) = text {
            texts.push(text);
        }
    }
    Ok((choices, texts))
}

/// Responses that answered every question of the survey.
pub fn complete_responses(connection: &Connection, survey_id: i64) -> Result<u32> {
    Ok(connection.query_row(
        "SELECT count(*) FROM survey_responses
          WHERE survey_id = ?1
            AND (SELECT count(*) FROM survey_answers WHERE response_id = survey_responses.id)
                = (SELECT count(*) FROM survey_questions WHERE survey_id = ?1)",
        [survey_id],
        |row| row.get(0),
    )?)
}

/// What one respondent wrote, for the team (search results link here).
#[derive(Debug, Clone, PartialEq)]
pub struct WrittenResponse {
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
                    CASE WHEN surveys.anonymous THEN NULL ELSE teams.name END
               FROM survey_responses
               JOIN surveys ON surveys.id = survey_responses.survey_id
               LEFT JOIN users ON users.id = survey_responses.user_id
               LEFT JOIN teams ON teams.id = survey_responses.team_id
              WHERE survey_responses.id = ?1",
            [id],
            |row| {
                Ok(WrittenResponse {
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
