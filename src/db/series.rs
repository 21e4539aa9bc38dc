//! Survey series and their waves: which surveys stand for which period of
//! a recurring survey, which series is the headline one, and the published
//! answers of a series' waves for the satisfaction trends.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::satisfaction::{Wave, WaveQuestion};
use crate::domain::series::{NewSeries, Series, SeriesCadence, WaveOf, wave_period};
use crate::domain::survey::QuestionKind;
use crate::error::{Error, Result};

fn cadence(raw: String) -> SeriesCadence {
    SeriesCadence::parse(&raw).unwrap_or(SeriesCadence::Quarterly)
}

/// Every series, the headline one first.
pub fn list(connection: &Connection) -> Result<Vec<Series>> {
    let mut statement = connection.prepare_cached(
        "SELECT survey_series.id, name, cadence, headline,
                (SELECT count(*) FROM surveys WHERE surveys.series_id = survey_series.id)
           FROM survey_series ORDER BY headline DESC, name",
    )?;
    let series = statement
        .query_map([], |row| {
            Ok(Series {
                id: row.get(0)?,
                name: row.get(1)?,
                cadence: cadence(row.get(2)?),
                headline: row.get(3)?,
                waves: row.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(series)
}

/// A series by its id or (case aside) its name.
pub fn find(connection: &Connection, id_or_name: &str) -> Result<Option<Series>> {
    let id_or_name = id_or_name.trim();
    Ok(list(connection)?.into_iter().find(|series| {
        series.id.to_string() == id_or_name || series.name.eq_ignore_ascii_case(id_or_name)
    }))
}

/// Stores a new series; the first one becomes the headline series.
pub fn insert(connection: &Connection, series: &NewSeries, now: DateTime<Utc>) -> Result<Series> {
    connection
        .execute(
            "INSERT INTO survey_series (name, cadence, headline, created_at)
             VALUES (?1, ?2, NOT EXISTS (SELECT 1 FROM survey_series), ?3)",
            params![series.name, series.cadence.as_str(), now],
        )
        .map_err(|error| {
            super::unique_violation_as(error, "name", "a series with this name already exists")
        })?;
    let id = connection.last_insert_rowid();
    list(connection)?
        .into_iter()
        .find(|series| series.id == id)
        .ok_or_else(|| Error::Internal("a series vanished right after it was stored".into()))
}

/// Makes series `id` the headline one (and no other).
pub fn set_headline(connection: &Connection, id: i64) -> Result<()> {
    connection.execute("UPDATE survey_series SET headline = 0 WHERE id <> ?1", [id])?;
    if connection.execute("UPDATE survey_series SET headline = 1 WHERE id = ?1", [id])? == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// The headline series, if the team has one.
pub fn headline(connection: &Connection) -> Result<Option<Series>> {
    Ok(list(connection)?.into_iter().find(|series| series.headline))
}

/// Where survey `survey_id` stands in a series, if it is a wave of one.
pub fn wave_of(connection: &Connection, survey_id: i64) -> Result<Option<WaveOf>> {
    let found: Option<(i64, String, String, String)> = connection
        .query_row(
            "SELECT survey_series.id, survey_series.name, survey_series.cadence, surveys.series_period
               FROM surveys JOIN survey_series ON survey_series.id = surveys.series_id
              WHERE surveys.id = ?1",
            [survey_id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .optional()?;
    Ok(found.map(|(series_id, series, raw_cadence, period)| {
        let label = cadence(raw_cadence)
            .parse_period(&period)
            .map_or_else(|_| period.clone(), |period| period.label());
        WaveOf {
            series_id,
            series,
            period,
            label,
        }
    }))
}

/// Makes survey `survey_id` the wave of `series` for the period typed (or,
/// when none is, the one it opens in), or takes it out of any series with
/// `None`. A wave whose previous wave is not set is compared with the
/// series' wave just before it.
pub fn assign(
    connection: &Connection,
    survey_id: i64,
    series: Option<&Series>,
    typed_period: &str,
) -> Result<Option<WaveOf>> {
    let opens: Option<DateTime<Utc>> = connection
        .query_row(
            "SELECT coalesce(opens_at, created_at) FROM surveys WHERE id = ?1",
            [survey_id],
            |row| row.get(0),
        )
        .optional()?;
    let opens = opens.ok_or(Error::NotFound)?;
    let Some(series) = series else {
        connection.execute(
            "UPDATE surveys SET series_id = NULL, series_period = NULL WHERE id = ?1",
            [survey_id],
        )?;
        return Ok(None);
    };
    let period = wave_period(series.cadence, typed_period, opens)?;
    let taken: Option<i64> = connection
        .query_row(
            "SELECT id FROM surveys WHERE series_id = ?1 AND series_period = ?2 AND id <> ?3",
            params![series.id, period.key(), survey_id],
            |row| row.get(0),
        )
        .optional()?;
    if let Some(other) = taken {
        return Err(Error::invalid(
            "period",
            format!(
                "{} already has a wave for {} (survey {other}); choose another period",
                series.name,
                period.label()
            ),
        ));
    }
    connection.execute(
        "UPDATE surveys SET series_id = ?2, series_period = ?3 WHERE id = ?1",
        params![survey_id, series.id, period.key()],
    )?;
    connection.execute(
        "UPDATE surveys SET previous_wave_id = (
             SELECT earlier.id FROM surveys AS earlier
              WHERE earlier.series_id = ?2 AND earlier.series_period < ?3
              ORDER BY earlier.series_period DESC LIMIT 1)
          WHERE id = ?1 AND previous_wave_id IS NULL",
        params![survey_id, series.id, period.key()],
    )?;
    wave_of(connection, survey_id)
}

/// The opened waves of series `series_id`, oldest period first, with the
/// published answers of their numeric questions.
pub fn waves(connection: &Connection, series_id: i64) -> Result<Vec<Wave>> {
    let mut statement = connection.prepare_cached(
        "SELECT surveys.id, surveys.title, coalesce(surveys.opens_at, surveys.created_at), survey_questions.id,
                survey_questions.kind,
                services.slug, counts.value, counts.answers, surveys.threshold,
                surveys.series_period, survey_series.cadence, surveys.status, counts.team_id
           FROM surveys
           JOIN survey_series ON survey_series.id = surveys.series_id
           JOIN survey_questions ON survey_questions.survey_id = surveys.id
           LEFT JOIN services ON services.id = survey_questions.service_id
           LEFT JOIN survey_published_counts AS counts
                  ON counts.question_id = survey_questions.id AND counts.answers > 0
          WHERE surveys.series_id = ?1 AND surveys.status <> 'draft'
            AND survey_questions.kind IN ('nps', 'csat', 'ces', 'likert')
          ORDER BY surveys.series_period, surveys.id, survey_questions.position, survey_questions.id,
                   counts.team_id",
    )?;
    let mut waves: Vec<Wave> = Vec::new();
    let (mut last_question, mut last_team) = (None, None);
    let mut rows = statement.query([series_id])?;
    while let Some(row) = rows.next()? {
        let survey_id: i64 = row.get(0)?;
        if waves.last().is_none_or(|wave| wave.survey_id != survey_id) {
            let period: String = row.get(9)?;
            waves.push(Wave {
                survey_id,
                title: row.get(1)?,
                label: cadence(row.get(10)?)
                    .parse_period(&period)
                    .map_or_else(|_| period.clone(), |period| period.label()),
                opened: row.get(2)?,
                threshold: row.get(8)?,
                closed: row.get::<_, String>(11)? == "closed",
                questions: Vec::new(),
            });
            last_question = None;
        }
        let question_id: i64 = row.get(3)?;
        let Some(wave) = waves.last_mut() else {
            continue;
        };
        if last_question != Some(question_id) {
            let kind: String = row.get(4)?;
            wave.questions.push(WaveQuestion {
                kind: QuestionKind::parse(&kind).unwrap_or(QuestionKind::Likert),
                service: row.get(5)?,
                values: Vec::new(),
                teams: Vec::new(),
            });
            last_question = Some(question_id);
            last_team = None;
        }
        let Some(value) = row.get::<_, Option<i64>>(6)? else {
            continue;
        };
        let answers: u32 = row.get(7)?;
        let value = u8::try_from(value).ok();
        let team: Option<i64> = row.get(12)?;
        if let Some(question) = wave.questions.last_mut() {
            let answered = std::iter::repeat_n(value, answers as usize);
            question.values.extend(answered.clone());
            if team.is_some() {
                if last_team != team {
                    question.teams.push(Vec::new());
                    last_team = team;
                }
                if let Some(values) = question.teams.last_mut() {
                    values.extend(answered);
                }
            }
        }
    }
    Ok(waves)
}

/// The headline series and its opened waves; no series, no waves.
pub fn headline_waves(connection: &Connection) -> Result<(Option<Series>, Vec<Wave>)> {
    match headline(connection)? {
        Some(series) => {
            let waves = waves(connection, series.id)?;
            Ok((Some(series), waves))
        }
        None => Ok((None, Vec::new())),
    }
}
