//! Surveys and their questions: creating them, changing questions while a
//! draft has no answers, the open link, the status (draft, open, closed) and
//! preparing an import. Invitations have a file of their own
//! (`invitations`); responses and answers are in `db::survey_responses`,
//! the waves trends read in `db::series`.

mod invitations;

pub use invitations::{
    Invitation, Invited, audience_team, audience_teams, invitation_by_token, invite,
};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::survey::{
    NewQuestion, NewSurvey, QuestionKind, QuestionRecord, Survey, SurveySummary,
};
use crate::domain::survey_results::{ResultsQuestion, ResultsSurvey};
use crate::error::{Error, Result};

impl From<&Survey> for ResultsSurvey {
    fn from(survey: &Survey) -> ResultsSurvey {
        ResultsSurvey {
            id: survey.id,
            title: survey.title.clone(),
            threshold: survey.threshold,
            closed: survey.status == "closed",
            questions: survey
                .questions
                .iter()
                .map(|question| ResultsQuestion {
                    id: question.id,
                    kind: question.kind,
                    prompt: question.prompt.clone(),
                    service: question.service.clone(),
                    choices: question.choices.clone(),
                })
                .collect(),
        }
    }
}

pub fn insert_survey(
    connection: &Connection,
    survey: &NewSurvey,
    created_by: i64,
    now: DateTime<Utc>,
) -> Result<i64> {
    if let Some(previous) = survey.previous_wave {
        let exists: bool = connection.query_row(
            "SELECT EXISTS (SELECT 1 FROM surveys WHERE id = ?1)",
            [previous],
            |row| row.get(0),
        )?;
        if !exists {
            return Err(Error::invalid(
                "previous_wave",
                format!("there is no survey {previous}"),
            ));
        }
    }
    connection.execute(
        "INSERT INTO surveys (title, introduction, anonymous, threshold, previous_wave_id, opens_at, closes_at,
                              created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            survey.title,
            survey.introduction,
            survey.anonymous,
            survey.threshold,
            survey.previous_wave,
            survey.opens_at,
            survey.closes_at,
            created_by,
            now
        ],
    )?;
    let id = connection.last_insert_rowid();
    for (position, question) in survey.questions.iter().enumerate() {
        insert_question(connection, id, position as i64, question)?;
    }
    Ok(id)
}

fn insert_question(
    connection: &Connection,
    survey_id: i64,
    position: i64,
    question: &NewQuestion,
) -> Result<i64> {
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
            survey_id,
            position,
            question.kind.as_str(),
            question.prompt,
            service_id,
            question.required,
            question.allow_na,
            choices
        ],
    )?;
    Ok(connection.last_insert_rowid())
}

/// Whether anyone answered survey `id` (published or not).
pub fn has_answers(connection: &Connection, id: i64) -> Result<bool> {
    Ok(connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM survey_responses WHERE survey_id = ?1)",
        [id],
        |row| row.get(0),
    )?)
}

/// Refuses to change the questions of a survey that is not a draft or has
/// answers: results must mean what the questions asked.
fn questions_may_change(connection: &Connection, survey_id: i64) -> Result<()> {
    let (status, answered): (String, bool) = connection
        .query_row(
            "SELECT status, EXISTS (SELECT 1 FROM survey_responses WHERE survey_id = ?1)
               FROM surveys WHERE id = ?1",
            [survey_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?
        .ok_or(Error::NotFound)?;
    if answered {
        return Err(Error::Conflict(
            "the survey has answers, so its questions can no longer change; start a new wave instead"
                .into(),
        ));
    }
    if status != "draft" {
        return Err(Error::Conflict(format!(
            "the survey is {status}; questions change only while it is a draft"
        )));
    }
    Ok(())
}

/// Adds a question at the end of a draft survey without answers.
pub fn add_question(
    connection: &Connection,
    survey_id: i64,
    question: &NewQuestion,
) -> Result<i64> {
    questions_may_change(connection, survey_id)?;
    let position: i64 = connection.query_row(
        "SELECT coalesce(max(position) + 1, 0) FROM survey_questions WHERE survey_id = ?1",
        [survey_id],
        |row| row.get(0),
    )?;
    insert_question(connection, survey_id, position, question)
}

/// Removes a question from a draft survey without answers.
pub fn remove_question(connection: &Connection, survey_id: i64, question_id: i64) -> Result<()> {
    questions_may_change(connection, survey_id)?;
    let removed = connection.execute(
        "DELETE FROM survey_questions WHERE id = ?1 AND survey_id = ?2",
        params![question_id, survey_id],
    )?;
    if removed == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// Stores the hash of a new open link, replacing any earlier one.
pub fn set_open_link(connection: &Connection, survey_id: i64, token_hash: &str) -> Result<()> {
    let changed = connection.execute(
        "UPDATE surveys SET open_link_hash = ?2 WHERE id = ?1",
        params![survey_id, token_hash],
    )?;
    if changed == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// The survey an open link belongs to.
pub fn survey_by_open_link(connection: &Connection, token_hash: &str) -> Result<Option<i64>> {
    Ok(connection
        .query_row(
            "SELECT id FROM surveys WHERE open_link_hash = ?1",
            [token_hash],
            |row| row.get(0),
        )
        .optional()?)
}

/// Every survey, newest first, with counts.
pub fn list_surveys(connection: &Connection) -> Result<Vec<SurveySummary>> {
    let mut statement = connection.prepare_cached(
        "SELECT id, title, status, anonymous, created_at,
                (SELECT count(*) FROM survey_questions WHERE survey_id = surveys.id),
                (SELECT count(*) FROM survey_invitations WHERE survey_id = surveys.id),
                coalesce((SELECT responses FROM survey_publications WHERE survey_id = surveys.id), 0)
           FROM surveys ORDER BY created_at DESC, id DESC",
    )?;
    let surveys = statement
        .query_map([], |row| {
            Ok(SurveySummary {
                id: row.get(0)?,
                title: row.get(1)?,
                status: row.get(2)?,
                anonymous: row.get(3)?,
                created_at: row.get(4)?,
                questions: row.get(5)?,
                invited: row.get(6)?,
                responses: row.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(surveys)
}

pub fn survey_by_id(connection: &Connection, id: i64) -> Result<Option<Survey>> {
    let Some(mut survey) = connection
        .query_row(
            "SELECT id, title, introduction, status, anonymous, threshold, previous_wave_id, opens_at,
                    closes_at, open_link_hash IS NOT NULL, created_at
               FROM surveys WHERE id = ?1",
            [id],
            |row| {
                Ok(Survey {
                    id: row.get(0)?,
                    title: row.get(1)?,
                    introduction: row.get(2)?,
                    status: row.get(3)?,
                    anonymous: row.get(4)?,
                    threshold: row.get(5)?,
                    previous_wave_id: row.get(6)?,
                    opens_at: row.get(7)?,
                    closes_at: row.get(8)?,
                    open_link: row.get(9)?,
                    created_at: row.get(10)?,
                    questions: Vec::new(),
                })
            },
        )
        .optional()?
    else {
        return Ok(None);
    };
    let mut statement = connection.prepare_cached(
        "SELECT survey_questions.id, kind, prompt, services.slug, required, choices, allow_na
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
                allow_na: row.get(6)?,
                choices: serde_json::from_str(&choices).unwrap_or_default(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(survey))
}

/// Makes survey `id` ready to take imported rows: import builds historical
/// waves only, so the survey must have no live answers and take none
/// afterwards (a draft is closed). Imported rows beside live ones would let
/// anyone who knows the file subtract it and read the live answers.
pub fn prepare_import(connection: &Connection, id: i64) -> Result<()> {
    let (status, live): (String, bool) = connection
        .query_row(
            "SELECT status, EXISTS (SELECT 1 FROM survey_responses WHERE survey_id = ?1 AND imported = 0)
               FROM surveys WHERE id = ?1",
            [id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?
        .ok_or(Error::NotFound)?;
    if live {
        return Err(Error::Conflict(
            "the survey has live answers, and imported rows beside them could be subtracted to read them; import into a new survey (a historical wave) instead".into(),
        ));
    }
    match status.as_str() {
        "open" => Err(Error::Conflict(
            "the survey is open and takes live answers; import into a draft or a closed survey, which then stays closed as a historical wave".into(),
        )),
        "draft" => change_status(connection, id, "draft", "closed"),
        _ => Ok(()),
    }
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
