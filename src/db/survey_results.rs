//! What survey results read: per-value answer counts (kept by triggers in
//! `survey_answer_counts`), choices and texts, and completion.

use rusqlite::{Connection, params};

use crate::domain::survey_results::Tally;
use crate::error::Result;

/// The answers of every numeric question of a survey, tallied by team and
/// value: `(question id, tally)`.
pub fn tallies(connection: &Connection, survey_id: i64) -> Result<Vec<(i64, Tally)>> {
    let mut statement = connection.prepare_cached(
        "SELECT counts.question_id, teams.slug, counts.value, counts.answers
           FROM survey_answer_counts AS counts
           JOIN survey_questions ON survey_questions.id = counts.question_id
           LEFT JOIN teams ON teams.id = counts.team_id
          WHERE survey_questions.survey_id = ?1 AND counts.answers > 0",
    )?;
    let tallies = statement
        .query_map([survey_id], |row| {
            let value: i64 = row.get(2)?;
            Ok((
                row.get(0)?,
                Tally {
                    team: row.get(1)?,
                    value: u8::try_from(value).ok(),
                    answers: row.get(3)?,
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(tallies)
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
        "SELECT count(*) FROM survey_responses WHERE survey_id = ?1 AND completed = 1",
        params![survey_id],
        |row| row.get(0),
    )?)
}
