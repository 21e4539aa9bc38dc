//! What the search indexer reads: searchable things flattened into
//! [`SearchDocument`]s, one at a time or a page at a time for a rebuild,
//! with their counts. The change sequence it follows is
//! `db::search_changes`.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::domain::disclosure::anonymous_answer_time;
use crate::domain::search::{Audience, EntityKind, SearchDocument};
use crate::error::Result;

const FEEDBACK_DOCUMENT: &str = "
    SELECT feedback.id, feedback.title, feedback.body, services.slug, teams.slug,
           feedback.status, feedback.kind, feedback.rating, feedback.created_at,
           feedback.author_id,
           (SELECT group_concat(tags.name, ',') FROM feedback_tags
              JOIN tags ON tags.id = feedback_tags.tag_id
             WHERE feedback_tags.feedback_id = feedback.id),
           (SELECT group_concat(feedback_notes.body, char(10)) FROM feedback_notes
             WHERE feedback_notes.feedback_id = feedback.id)
      FROM feedback
      JOIN services ON services.id = feedback.service_id
      LEFT JOIN users ON users.id = feedback.author_id
      LEFT JOIN teams ON teams.id = users.team_id";

fn feedback_document_from_row(row: &Row<'_>) -> rusqlite::Result<SearchDocument> {
    let author: Option<i64> = row.get(9)?;
    let tags: Option<String> = row.get(10)?;
    let notes: Option<String> = row.get(11)?;
    let created_at: DateTime<Utc> = row.get(8)?;
    Ok(SearchDocument {
        entity: EntityKind::Feedback,
        id: row.get(0)?,
        title: row.get::<_, Option<String>>(1)?.unwrap_or_default(),
        body: row.get(2)?,
        internal: notes.unwrap_or_default(),
        services: vec![row.get(3)?],
        team: row.get(4)?,
        tags: tags
            .map(|tags| tags.split(',').map(str::to_owned).collect())
            .unwrap_or_default(),
        status: Some(row.get(5)?),
        subkind: Some(row.get(6)?),
        rating: row.get(7)?,
        created_at,
        // Anonymous feedback has no owner to show it to.
        audience: author.map_or(Audience::PlatformTeam, Audience::Owner),
    })
}

const PAIN_POINT_DOCUMENT: &str = "
    SELECT pain_points.id, pain_points.title, pain_points.description, pain_points.status,
           pain_points.created_at,
           (SELECT group_concat(services.slug, ',') FROM pain_point_services
              JOIN services ON services.id = pain_point_services.service_id
             WHERE pain_point_services.pain_point_id = pain_points.id),
           (SELECT group_concat(tags.name, ',') FROM pain_point_tags
              JOIN tags ON tags.id = pain_point_tags.tag_id
             WHERE pain_point_tags.pain_point_id = pain_points.id)
      FROM pain_points";

fn split(list: Option<String>) -> Vec<String> {
    list.map(|list| list.split(',').map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Pain points are the team's (their pages are): contributors meet the
/// problems that were solved through the shipped roadmap items that answer
/// them, whose documents carry their titles.
fn pain_point_document_from_row(row: &Row<'_>) -> rusqlite::Result<SearchDocument> {
    Ok(SearchDocument {
        entity: EntityKind::PainPoint,
        id: row.get(0)?,
        title: row.get(1)?,
        body: row.get(2)?,
        internal: String::new(),
        services: split(row.get(5)?),
        team: None,
        tags: split(row.get(6)?),
        status: Some(row.get(3)?),
        subkind: None,
        rating: None,
        created_at: row.get(4)?,
        audience: Audience::PlatformTeam,
    })
}

const ROADMAP_DOCUMENT: &str = "
    SELECT roadmap_items.id, roadmap_items.title, roadmap_items.description, roadmap_items.status,
           roadmap_items.created_at,
           (SELECT group_concat(services.slug, ',') FROM roadmap_item_services
              JOIN services ON services.id = roadmap_item_services.service_id
             WHERE roadmap_item_services.roadmap_item_id = roadmap_items.id),
           (SELECT group_concat(tags.name, ',') FROM roadmap_item_tags
              JOIN tags ON tags.id = roadmap_item_tags.tag_id
             WHERE roadmap_item_tags.roadmap_item_id = roadmap_items.id),
           (SELECT group_concat(pain_points.title, char(10)) FROM roadmap_item_pain_points
              JOIN pain_points ON pain_points.id = roadmap_item_pain_points.pain_point_id
             WHERE roadmap_item_pain_points.roadmap_item_id = roadmap_items.id),
           roadmap_items.public
      FROM roadmap_items";

/// A shipped roadmap item is for everyone to find, with the problems it
/// answered (what /shipped shows); one the team made public is too, by its
/// title and description only (its page shows no pain points); any other
/// is the team's.
fn roadmap_document_from_row(row: &Row<'_>) -> rusqlite::Result<SearchDocument> {
    let status: String = row.get(3)?;
    let description: String = row.get(2)?;
    let public: bool = row.get(8)?;
    let shipped = status == "shipped";
    let answers: Option<String> = if shipped { row.get(7)? } else { None };
    Ok(SearchDocument {
        entity: EntityKind::RoadmapItem,
        id: row.get(0)?,
        title: row.get(1)?,
        body: match answers {
            Some(answers) => format!("{description}\n\nAnswers:\n{answers}"),
            None => description,
        },
        internal: String::new(),
        services: split(row.get(5)?),
        team: None,
        tags: split(row.get(6)?),
        audience: if shipped || public {
            Audience::Everyone
        } else {
            Audience::PlatformTeam
        },
        status: Some(status),
        subkind: None,
        rating: None,
        created_at: row.get(4)?,
    })
}

const INTERVIEW_DOCUMENT: &str = "
    SELECT interviews.id, interviews.participant_name, interviews.quote,
           interviews.notes_md || char(10) || interviews.opportunities || char(10) || interviews.insights,
           teams.slug, interviews.created_at,
           (SELECT group_concat(services.slug, ',') FROM interview_services
              JOIN services ON services.id = interview_services.service_id
             WHERE interview_services.interview_id = interviews.id),
           (SELECT group_concat(tags.name, ',') FROM interview_tags
              JOIN tags ON tags.id = interview_tags.tag_id
             WHERE interview_tags.interview_id = interviews.id)
      FROM interviews LEFT JOIN teams ON teams.id = interviews.participant_team_id";

/// Interview notes are for the platform team only.
fn interview_document_from_row(row: &Row<'_>) -> rusqlite::Result<SearchDocument> {
    let name: String = row.get(1)?;
    Ok(SearchDocument {
        entity: EntityKind::Interview,
        id: row.get(0)?,
        title: format!("Interview with {name}"),
        body: row.get(2)?,
        internal: row.get(3)?,
        services: split(row.get(6)?),
        team: row.get(4)?,
        tags: split(row.get(7)?),
        status: None,
        subkind: None,
        rating: None,
        created_at: row.get(5)?,
        audience: Audience::PlatformTeam,
    })
}

const SURVEY_RESPONSE_DOCUMENT: &str = "
    SELECT survey_responses.id, surveys.title, surveys.anonymous, teams.slug,
           survey_responses.submitted_at,
           (SELECT group_concat(survey_answers.text, char(10) || char(10))
              FROM survey_answers
             WHERE survey_answers.response_id = survey_responses.id
               AND survey_answers.published = 1
               AND trim(coalesce(survey_answers.text, '')) != ''),
           (SELECT group_concat(DISTINCT services.slug) FROM survey_questions
              JOIN services ON services.id = survey_questions.service_id
             WHERE survey_questions.survey_id = surveys.id)
      FROM survey_responses
      JOIN surveys ON surveys.id = survey_responses.survey_id
      LEFT JOIN teams ON teams.id = survey_responses.team_id";

/// Only responses with a published comment are searchable: comments are
/// published in steps of k, and only where their question has k of them
/// (`db::survey_publication`, disclosure rules 7 and 8).
const HAS_TEXT: &str = "EXISTS (SELECT 1 FROM survey_answers
     WHERE survey_answers.response_id = survey_responses.id
       AND survey_answers.published = 1
       AND trim(coalesce(survey_answers.text, '')) != '')";

/// Free-text survey answers are for the platform team only; in an
/// anonymous survey not even the respondent's team is indexed, so that no
/// facet count can point at a small team. Comments are dated by the day.
fn survey_response_document_from_row(row: &Row<'_>) -> rusqlite::Result<SearchDocument> {
    let survey: String = row.get(1)?;
    let anonymous: bool = row.get(2)?;
    let submitted: DateTime<Utc> = row.get(4)?;
    Ok(SearchDocument {
        entity: EntityKind::SurveyResponse,
        id: row.get(0)?,
        title: format!("Survey comment: {survey}"),
        body: row.get::<_, Option<String>>(5)?.unwrap_or_default(),
        internal: String::new(),
        services: split(row.get(6)?),
        team: if anonymous { None } else { row.get(3)? },
        tags: Vec::new(),
        status: None,
        subkind: None,
        rating: None,
        created_at: anonymous_answer_time(submitted),
        audience: Audience::PlatformTeam,
    })
}

/// The searchable form of one thing, or `None` if it no longer exists (or
/// is of a kind that is not searchable yet).
pub fn document(
    connection: &Connection,
    entity: EntityKind,
    id: i64,
) -> Result<Option<SearchDocument>> {
    match entity {
        EntityKind::Feedback => Ok(connection
            .prepare_cached(&format!("{FEEDBACK_DOCUMENT} WHERE feedback.id = ?1"))?
            .query_row([id], feedback_document_from_row)
            .optional()?),
        // A merged pain point leaves the index; its evidence lives on in the other.
        EntityKind::PainPoint => Ok(connection
            .prepare_cached(&format!(
                "{PAIN_POINT_DOCUMENT} WHERE pain_points.id = ?1 AND pain_points.merged_into IS NULL"
            ))?
            .query_row([id], pain_point_document_from_row)
            .optional()?),
        EntityKind::RoadmapItem => Ok(connection
            .prepare_cached(&format!("{ROADMAP_DOCUMENT} WHERE roadmap_items.id = ?1"))?
            .query_row([id], roadmap_document_from_row)
            .optional()?),
        EntityKind::Interview => Ok(connection
            .prepare_cached(&format!("{INTERVIEW_DOCUMENT} WHERE interviews.id = ?1"))?
            .query_row([id], interview_document_from_row)
            .optional()?),
        EntityKind::SurveyResponse => Ok(connection
            .prepare_cached(&format!(
                "{SURVEY_RESPONSE_DOCUMENT} WHERE survey_responses.id = ?1 AND {HAS_TEXT}"
            ))?
            .query_row([id], survey_response_document_from_row)
            .optional()?),
    }
}

/// A page of every searchable thing of `entity` with an id above
/// `after_id`, by id: for rebuilding the index.
pub fn documents_after(
    connection: &Connection,
    entity: EntityKind,
    after_id: i64,
    limit: u32,
) -> Result<Vec<SearchDocument>> {
    match entity {
        EntityKind::Feedback => {
            let mut statement = connection.prepare_cached(&format!(
                "{FEEDBACK_DOCUMENT} WHERE feedback.id > ?1 ORDER BY feedback.id LIMIT ?2"
            ))?;
            let documents = statement
                .query_map(params![after_id, limit], feedback_document_from_row)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(documents)
        }
        EntityKind::PainPoint => {
            let mut statement = connection.prepare_cached(&format!(
                "{PAIN_POINT_DOCUMENT} WHERE pain_points.id > ?1 AND pain_points.merged_into IS NULL
                 ORDER BY pain_points.id LIMIT ?2"
            ))?;
            let documents = statement
                .query_map(params![after_id, limit], pain_point_document_from_row)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(documents)
        }
        EntityKind::RoadmapItem => {
            let mut statement = connection.prepare_cached(&format!(
                "{ROADMAP_DOCUMENT} WHERE roadmap_items.id > ?1 ORDER BY roadmap_items.id LIMIT ?2"
            ))?;
            let documents = statement
                .query_map(params![after_id, limit], roadmap_document_from_row)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(documents)
        }
        EntityKind::Interview => {
            let mut statement = connection.prepare_cached(&format!(
                "{INTERVIEW_DOCUMENT} WHERE interviews.id > ?1 ORDER BY interviews.id LIMIT ?2"
            ))?;
            let documents = statement
                .query_map(params![after_id, limit], interview_document_from_row)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(documents)
        }
        EntityKind::SurveyResponse => {
            let mut statement = connection.prepare_cached(&format!(
                "{SURVEY_RESPONSE_DOCUMENT} WHERE survey_responses.id > ?1 AND {HAS_TEXT}
                 ORDER BY survey_responses.id LIMIT ?2"
            ))?;
            let documents = statement
                .query_map(params![after_id, limit], survey_response_document_from_row)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(documents)
        }
    }
}

/// How many searchable things there are, for progress bars.
pub fn document_count(connection: &Connection) -> Result<u64> {
    let count: i64 = connection.query_row(
        "SELECT (SELECT count(*) FROM feedback) + (SELECT count(*) FROM pain_points)
              + (SELECT count(*) FROM roadmap_items) + (SELECT count(*) FROM interviews)
              + (SELECT count(DISTINCT response_id) FROM survey_answers
                  WHERE published = 1 AND trim(coalesce(text, '')) != '')",
        [],
        |row| row.get(0),
    )?;
    Ok(count.unsigned_abs())
}

/// How many documents of each kind the index should hold: what
/// [`documents_after`] yields, counted by the same conditions.
pub fn document_counts(connection: &Connection) -> Result<Vec<(EntityKind, u64)>> {
    EntityKind::ALL
        .iter()
        .map(|&entity| {
            let sql = match entity {
                EntityKind::Feedback => "SELECT count(*) FROM feedback".to_owned(),
                EntityKind::PainPoint => {
                    "SELECT count(*) FROM pain_points WHERE merged_into IS NULL".to_owned()
                }
                EntityKind::RoadmapItem => "SELECT count(*) FROM roadmap_items".to_owned(),
                EntityKind::Interview => "SELECT count(*) FROM interviews".to_owned(),
                EntityKind::SurveyResponse => {
                    format!("SELECT count(*) FROM survey_responses WHERE {HAS_TEXT}")
                }
            };
            let count: i64 = connection.query_row(&sql, [], |row| row.get(0))?;
            Ok((entity, count.unsigned_abs()))
        })
        .collect()
}

/// Up to `limit` ids of `entity` chosen at random, for spot checks.
pub fn sample_ids(connection: &Connection, entity: EntityKind, limit: u32) -> Result<Vec<i64>> {
    let table = match entity {
        EntityKind::Feedback => "feedback",
        EntityKind::PainPoint => "pain_points",
        EntityKind::RoadmapItem => "roadmap_items",
        EntityKind::Interview => "interviews",
        EntityKind::SurveyResponse => "survey_responses",
    };
    let mut statement = connection.prepare(&format!(
        "SELECT id FROM {table} ORDER BY random() LIMIT ?1"
    ))?;
    let ids = statement
        .query_map([limit], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}
