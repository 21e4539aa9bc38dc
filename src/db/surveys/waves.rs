//! Survey waves for trends: every opened survey with its published
//! numeric answers.

use rusqlite::Connection;

use crate::domain::satisfaction::{Wave, WaveQuestion};
use crate::domain::survey::QuestionKind;
use crate::error::Result;

/// Every opened survey, oldest first by opening time (an imported wave from
/// last year sorts where it belongs), with its published numeric answers
/// (read from the published per-value counts, so the cost does not grow
/// with the answers); a question nothing is published of has no values.
pub fn waves(connection: &Connection) -> Result<Vec<Wave>> {
    let mut statement = connection.prepare_cached(
        "SELECT surveys.id, surveys.title, coalesce(surveys.opens_at, surveys.created_at), survey_questions.id,
                survey_questions.kind,
                services.slug, counts.value, sum(counts.answers), surveys.threshold
           FROM surveys
           JOIN survey_questions ON survey_questions.survey_id = surveys.id
           LEFT JOIN services ON services.id = survey_questions.service_id
           LEFT JOIN survey_published_counts AS counts
                  ON counts.question_id = survey_questions.id AND counts.answers > 0
          WHERE surveys.status <> 'draft' AND survey_questions.kind IN ('nps', 'csat', 'ces', 'likert')
          GROUP BY survey_questions.id, counts.value
          ORDER BY coalesce(surveys.opens_at, surveys.created_at), surveys.id, survey_questions.position,
                   survey_questions.id",
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
                threshold: row.get(8)?,
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
        let Some(value) = row.get::<_, Option<i64>>(6)? else {
            continue;
        };
        let answers: u32 = row.get(7)?;
        let value = u8::try_from(value).ok();
        wave.questions
            .last_mut()
            .expect("pushed above")
            .values
            .extend(std::iter::repeat_n(value, answers as usize));
    }
    Ok(waves)
}
