//! Roadmap items: the solutions the team ships for pain points, as sent
//! and as stored.

use chrono::NaiveDate;

use super::feedback::text_enum;
use super::labels::{parse_service_list, parse_tag_list};
use super::text::{FieldErrors, optional_text, single_line};

text_enum! {
    /// Where a roadmap item is.
    RoadmapStatus { Idea => "idea", Planned => "planned", InProgress => "in_progress", Shipped => "shipped", Dropped => "dropped" }
}

/// A roadmap item as typed, before checks.
#[derive(Debug, Clone, Default)]
pub struct RoadmapDraft {
    pub title: String,
    pub description: String,
    /// "2026-Q4", or empty.
    pub target_quarter: String,
    pub status: String,
    pub services: Vec<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewRoadmapItem {
    pub title: String,
    pub description: String,
    pub target_quarter: Option<String>,
    pub status: RoadmapStatus,
    pub services: Vec<String>,
    pub tags: Vec<String>,
}

/// Whether `raw` is a quarter like `2026-Q4`.
pub fn is_quarter(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    bytes.len() == 7
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && &raw[4..6] == "-Q"
        && (b'1'..=b'4').contains(&bytes[6])
}

impl NewRoadmapItem {
    pub fn parse(draft: &RoadmapDraft) -> Result<NewRoadmapItem, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = single_line(&draft.title, 200)
            .map_err(|message| errors.add("title", message))
            .ok();
        let description = optional_text(&draft.description, 5_000)
            .map_err(|message| errors.add("description", message))
            .ok()
            .flatten()
            .unwrap_or_default();
        let quarter = draft.target_quarter.trim().to_uppercase();
        let target_quarter = if quarter.is_empty() {
            None
        } else if is_quarter(&quarter) {
            Some(quarter)
        } else {
            errors.add("target_quarter", "must be a quarter like 2026-Q4");
            None
        };
        let status = match draft.status.trim() {
            "" => Some(RoadmapStatus::Idea),
            raw => RoadmapStatus::parse(raw),
        };
        if status.is_none() {
            errors.add(
                "status",
                format!("choose one of {}", RoadmapStatus::choices()),
            );
        }
        let tags = parse_tag_list(&draft.tags)
            .map_err(|message| errors.add("tags", message))
            .unwrap_or_default();
        errors.into_result(|| NewRoadmapItem {
            services: parse_service_list(&draft.services),
            tags,
            title: title.expect("checked above"),
            description,
            target_quarter,
            status: status.expect("checked above"),
        })
    }
}

/// A roadmap item with the pain points it answers.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct RoadmapItem {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub status: RoadmapStatus,
    pub target_quarter: Option<String>,
    pub shipped_on: Option<NaiveDate>,
    /// (id, title) of each linked pain point.
    #[schema(value_type = Vec<(i64, String)>)]
    pub pain_points: Vec<(i64, String)>,
    pub services: Vec<String>,
    pub tags: Vec<String>,
    /// Its title, description and state are shown to everyone.
    pub public: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_look_like_2026_q4() {
        assert!(is_quarter("2026-Q4"));
        for bad in ["2026-Q5", "2026Q4", "26-Q1", "2026-q4 "] {
            assert!(!is_quarter(bad), "{bad}");
        }
        let item = NewRoadmapItem::parse(&RoadmapDraft {
            title: "Warm CI caches".into(),
            target_quarter: "2026-q1".into(),
            ..RoadmapDraft::default()
        })
        .unwrap();
        assert_eq!(item.target_quarter.as_deref(), Some("2026-Q1"));
        assert_eq!(item.status, RoadmapStatus::Idea);
    }
}
