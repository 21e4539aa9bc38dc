//! What survey results read: the published snapshot only (see
//! `survey_publication`): per-value answer counts as of each question's
//! last refresh, published choices and comments, and published response
//! counts.

use rusqlite::{Connection, OptionalExtension};

use crate::domain::survey_results::{PublishedAnswers, PublishedCounts, Tally};
use crate::error::Result;

/// The published answers of every numeric question of a survey, tallied by
/// team and value: `(question id, tally)`.
pub fn tallies(connection: &Connection, survey_id: i64) -> Result<Vec<(i64, Tally)>> {
    let mut statement = connection.prepare_cached(
        "SELECT counts.question_id, teams.slug, counts.value, counts.answers
           FROM survey_published_counts AS counts
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

/// Everything published of a survey's answers.
pub fn published_answers(connection: &Connection, survey_id: i64) -> Result<PublishedAnswers> {
    let mut statement = connection.prepare_cached(
        // From the survey's choice and text questions to their answers (by
        // the question index): the other way round scans every answer.
        "SELECT question_id, choices, text FROM survey_answers
          WHERE question_id IN (SELECT id FROM survey_questions
                                 WHERE survey_id = ?1 AND kind IN ('single', 'multi', 'text'))
            AND published = 1 AND (choices IS NOT NULL OR text IS NOT NULL)",
    )?;
    let mut answers = PublishedAnswers {
        tallies: tallies(connection, survey_id)?,
        ..PublishedAnswers::default()
    };
    let mut rows = statement.query([survey_id])?;
    while let Some(row) = rows.next()? {
        let question: i64 = row.get(0)?;
        let picked: Option<String> = row.get(1)?;
        let text: Option<String> = row.get(2)?;
        if let Some(picked) = picked {
            let picked: Vec<String> = serde_json::from_str(&picked).unwrap_or_default();
            push(&mut answers.choices, question, picked);
        }
        if let Some(text) = text.filter(|text| !text.trim().is_empty()) {
            push(&mut answers.texts, question, text);
        }
    }
    Ok(answers)
}

fn push<T>(lists: &mut Vec<(i64, Vec<T>)>, question: i64, item: T) {
    match lists.iter_mut().find(|(id, _)| *id == question) {
        Some((_, list)) => list.push(item),
        None => lists.push((question, vec![item])),
    }
}

/// The published response counts of a survey, with how many were invited.
pub fn published_counts(connection: &Connection, survey_id: i64) -> Result<PublishedCounts> {
    let invited: u32 = connection.query_row(
        "SELECT count(*) FROM survey_invitations WHERE survey_id = ?1",
        [survey_id],
        |row| row.get(0),
    )?;
    let published = connection
        .query_row(
            "SELECT responses, invited_answered, complete FROM survey_publications WHERE survey_id = ?1",
            [survey_id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    let (responses, invited_answered, complete) = published.unwrap_or((0, 0, 0));
    Ok(PublishedCounts {
        invited,
        invited_answered,
        responses,
        complete,
    })
}
