//! The services and tags that interviews, pain points and roadmap items are
//! linked to. Triggers on the link tables (migration 0005) put the owner in
//! `search_changes`, so its search document is rebuilt with the new links
//! whoever changes them.

use rusqlite::{Connection, params};

use crate::error::{Error, Result};

/// What carries the links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Interview,
    PainPoint,
    RoadmapItem,
}

impl Owner {
    fn services_sql(self) -> (&'static str, &'static str) {
        match self {
            Owner::Interview => (
                "DELETE FROM interview_services WHERE interview_id = ?1",
                "INSERT OR IGNORE INTO interview_services (interview_id, service_id)
                 SELECT ?1, id FROM services WHERE slug = ?2",
            ),
            Owner::PainPoint => (
                "DELETE FROM pain_point_services WHERE pain_point_id = ?1",
                "INSERT OR IGNORE INTO pain_point_services (pain_point_id, service_id)
                 SELECT ?1, id FROM services WHERE slug = ?2",
            ),
            Owner::RoadmapItem => (
                "DELETE FROM roadmap_item_services WHERE roadmap_item_id = ?1",
                "INSERT OR IGNORE INTO roadmap_item_services (roadmap_item_id, service_id)
                 SELECT ?1, id FROM services WHERE slug = ?2",
            ),
        }
    }

    fn tags_sql(self) -> (&'static str, &'static str) {
        match self {
            Owner::Interview => (
                "DELETE FROM interview_tags WHERE interview_id = ?1",
                "INSERT OR IGNORE INTO interview_tags (interview_id, tag_id)
                 SELECT ?1, id FROM tags WHERE name = ?2",
            ),
            Owner::PainPoint => (
                "DELETE FROM pain_point_tags WHERE pain_point_id = ?1",
                "INSERT OR IGNORE INTO pain_point_tags (pain_point_id, tag_id)
                 SELECT ?1, id FROM tags WHERE name = ?2",
            ),
            Owner::RoadmapItem => (
                "DELETE FROM roadmap_item_tags WHERE roadmap_item_id = ?1",
                "INSERT OR IGNORE INTO roadmap_item_tags (roadmap_item_id, tag_id)
                 SELECT ?1, id FROM tags WHERE name = ?2",
            ),
        }
    }
}

/// Replaces the services of `id` with `slugs`; an unknown slug is a field
/// error naming it.
pub fn set_services(
    connection: &Connection,
    owner: Owner,
    id: i64,
    slugs: &[String],
) -> Result<()> {
    let (clear, add) = owner.services_sql();
    connection.execute(clear, [id])?;
    for slug in slugs {
        let known: bool = connection.query_row(
            "SELECT EXISTS (SELECT 1 FROM services WHERE slug = ?1)",
            [slug],
            |row| row.get(0),
        )?;
        if !known {
            return Err(Error::invalid(
                "services",
                format!("there is no service {slug:?}"),
            ));
        }
        connection.execute(add, params![id, slug])?;
    }
    Ok(())
}

/// Replaces the tags of `id` with `tags` (already checked names), creating
/// tags nobody used before.
pub fn set_tags(connection: &Connection, owner: Owner, id: i64, tags: &[String]) -> Result<()> {
    let (clear, add) = owner.tags_sql();
    connection.execute(clear, [id])?;
    for tag in tags {
        connection.execute(
            "INSERT INTO tags (name) VALUES (?1) ON CONFLICT (name) DO NOTHING",
            [tag],
        )?;
        connection.execute(add, params![id, tag])?;
    }
    Ok(())
}

/// A comma-separated list from `group_concat`, sorted, or empty.
pub fn split_sorted(list: Option<String>) -> Vec<String> {
    let mut items: Vec<String> = list
        .map(|list| list.split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    items.sort();
    items
}
