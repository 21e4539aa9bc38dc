//! Pure types and rules of the product: no axum, rusqlite, tantivy or lettre.
//!
//! Input is parsed into these types at the boundary (form, JSON, CLI, seed
//! data); the rest of the program never sees an unchecked string.

pub mod audit;
pub mod cadence;
pub mod csv;
pub mod digest;
pub mod disclosure;
pub mod feedback;
pub mod id;
pub mod identity;
pub mod interview;
pub mod labels;
pub mod outbox;
pub mod outcome;
pub mod pain_point;
pub mod password;
pub mod people;
pub mod query;
pub mod reliability;
pub mod roadmap;
pub mod satisfaction;
pub mod schedule;
pub mod search;
pub mod series;
pub mod service;
pub mod stats;
pub mod survey;
pub mod survey_import;
pub mod survey_results;
pub mod text;
pub mod triage;

pub use feedback::{FeedbackDraft, FeedbackKind, FeedbackStatus, NewFeedback, Rating, parse_tags};
pub use id::Id;
pub use people::{Email, Role};
pub use service::{
    NewService, Operations, ReliabilityDraft, ReliabilityReport, ServiceDraft,
    ServiceOperationsDraft, ServiceSlug,
};
pub use text::{FieldError, FieldErrors};
