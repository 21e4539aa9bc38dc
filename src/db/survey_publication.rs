//! Publishing survey results in steps (disclosure rule 7): what results,
//! the dashboard, summaries and search show is a snapshot, refreshed per
//! question when at least k new real answers have arrived since its last
//! refresh, and for the response counts when k new responses have. A
//! refresh runs in the transaction that stores the answers that make it due.

use rusqlite::{Connection, params};

use crate::domain::disclosure::refresh_due;
use crate::error::Result;

/// An answer that says something: a value, a comment or choices (not
/// "not applicable", and skipped questions store nothing).
const REAL: &str = "(value IS NOT NULL OR text IS NOT NULL OR choices IS NOT NULL)";

/// Refreshes what is due of survey `survey_id`'s published results.
pub fn refresh(connection: &Connection, survey_id: i64) -> Result<()> {
    let k: u32 = connection.query_row(
        "SELECT threshold FROM surveys WHERE id = ?1",
        [survey_id],
        |row| row.get(0),
    )?;
    let mut pending = connection.prepare_cached(&format!(
        "SELECT survey_questions.id,
                (SELECT count(*) FROM survey_answers
                  WHERE survey_answers.question_id = survey_questions.id
                    AND survey_answers.published = 0 AND {REAL})
           FROM survey_questions WHERE survey_questions.survey_id = ?1"
    ))?;
    let questions: Vec<(i64, u32)> = pending
        .query_map([survey_id], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (question, unpublished) in questions {
        if refresh_due(unpublished, k) {
            publish_question(connection, question)?;
        }
    }
    let unpublished: u32 = connection.query_row(
        "SELECT count(*) FROM survey_responses WHERE survey_id = ?1 AND published = 0",
        [survey_id],
        |row| row.get(0),
    )?;
    if refresh_due(unpublished, k) {
        publish_responses(connection, survey_id)?;
    }
    Ok(())
}

/// Publishes everything stored of a survey at once: for historical waves
/// built by import, which take no live answers.
pub fn publish_everything(connection: &Connection, survey_id: i64) -> Result<()> {
    let mut statement =
        connection.prepare_cached("SELECT id FROM survey_questions WHERE survey_id = ?1")?;
    let questions: Vec<i64> = statement
        .query_map([survey_id], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for question in questions {
        publish_question(connection, question)?;
    }
    publish_responses(connection, survey_id)
}

/// Takes every answer of a question into its published snapshot.
fn publish_question(connection: &Connection, question: i64) -> Result<()> {
    connection.execute(
        "UPDATE survey_answers SET published = 1 WHERE question_id = ?1 AND published = 0",
        [question],
    )?;
    connection.execute(
        "DELETE FROM survey_published_counts WHERE question_id = ?1",
        [question],
    )?;
    connection.execute(
        "INSERT INTO survey_published_counts (question_id, team_id, value, answers)
         SELECT question_id, team_id, value, answers FROM survey_answer_counts
          WHERE question_id = ?1 AND answers > 0",
        [question],
    )?;
    Ok(())
}

/// Takes every response of a survey into its published counts.
fn publish_responses(connection: &Connection, survey_id: i64) -> Result<()> {
    connection.execute(
        "UPDATE survey_responses SET published = 1 WHERE survey_id = ?1 AND published = 0",
        [survey_id],
    )?;
    connection.execute(
        "INSERT INTO survey_publications (survey_id, responses, invited_answered, complete)
         VALUES (?1,
                 (SELECT count(*) FROM survey_responses WHERE survey_id = ?1),
                 (SELECT count(*) FROM survey_invitations WHERE survey_id = ?1 AND used = 1),
                 (SELECT count(*) FROM survey_responses WHERE survey_id = ?1 AND completed = 1))
         ON CONFLICT (survey_id) DO UPDATE SET responses = excluded.responses,
             invited_answered = excluded.invited_answered, complete = excluded.complete",
        params![survey_id],
    )?;
    Ok(())
}
