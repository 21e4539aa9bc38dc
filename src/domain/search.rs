//! What the search index holds: one [`SearchDocument`] per searchable
//! thing, built from SQLite by `db::search` and indexed by `search`.

use std::fmt;

use chrono::{DateTime, Utc};

/// The kinds of searchable things.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityKind {
    Feedback,
    Interview,
    PainPoint,
    RoadmapItem,
    SurveyResponse,
}

impl EntityKind {
    pub const ALL: [EntityKind; 5] = [
        EntityKind::Feedback,
        EntityKind::Interview,
        EntityKind::PainPoint,
        EntityKind::RoadmapItem,
        EntityKind::SurveyResponse,
    ];

    /// The name used in `search_changes`, the index and the query language.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Feedback => "feedback",
            EntityKind::Interview => "interview",
            EntityKind::PainPoint => "pain_point",
            EntityKind::RoadmapItem => "roadmap_item",
            EntityKind::SurveyResponse => "survey_response",
        }
    }

    pub fn parse(raw: &str) -> Option<EntityKind> {
        EntityKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == raw)
    }

    /// Where a person opens one.
    pub fn url(self, id: i64) -> String {
        match self {
            EntityKind::Feedback => format!("/feedback/{id}"),
            EntityKind::Interview => format!("/interviews/{id}"),
            EntityKind::PainPoint => format!("/pain-points/{id}"),
            EntityKind::RoadmapItem => format!("/roadmap/{id}"),
            EntityKind::SurveyResponse => format!("/surveys/responses/{id}"),
        }
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who may find a document. The same rule as opening it: search never
/// shows, counts or suggests what the viewer could not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Every signed-in person (roadmap items, pain point titles).
    Everyone,
    /// The person with this user id, and the platform team (non-anonymous feedback).
    Owner(i64),
    /// The platform team only (anonymous feedback, interviews, survey comments).
    PlatformTeam,
}

/// One searchable thing, flattened for the index.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDocument {
    pub entity: EntityKind,
    pub id: i64,
    pub title: String,
    /// Text everyone who may find the document may also read.
    pub body: String,
    /// Text for the platform team only: internal notes, private descriptions.
    pub internal: String,
    pub services: Vec<String>,
    pub team: Option<String>,
    pub tags: Vec<String>,
    pub status: Option<String>,
    /// A finer kind: pain, idea, praise or question for feedback.
    pub subkind: Option<String>,
    pub rating: Option<u8>,
    pub created_at: DateTime<Utc>,
    pub audience: Audience,
}

impl SearchDocument {
    /// The unique key of the document in the index: `feedback:42`.
    pub fn key(&self) -> String {
        document_key(self.entity, self.id)
    }
}

pub fn document_key(entity: EntityKind, id: i64) -> String {
    format!("{entity}:{id}")
}
