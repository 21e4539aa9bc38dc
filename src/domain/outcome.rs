//! Outcomes at the top of the opportunity solution tree, and the
//! assumption tests (experiments) under its solutions; the tree's rows as
//! read, which the view nests.

use super::feedback::text_enum;
use super::text::{FieldErrors, optional_text, required_text, single_line};

text_enum! {
    /// Where an assumption test is.
    TestStatus { Planned => "planned", Running => "running", Validated => "validated", Invalidated => "invalidated" }
}

/// An outcome such as "time to first deploy under 1 day".
#[derive(Debug, Clone, PartialEq)]
pub struct NewOutcome {
    pub title: String,
    pub metric: String,
    pub target: String,
}

impl NewOutcome {
    pub fn parse(title: &str, metric: &str, target: &str) -> Result<NewOutcome, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = single_line(title, 200)
            .map_err(|message| errors.add("title", message))
            .ok();
        let metric = optional_text(metric, 200)
            .map_err(|message| errors.add("metric", message))
            .ok()
            .flatten()
            .unwrap_or_default();
        let target = optional_text(target, 200)
            .map_err(|message| errors.add("target", message))
            .ok()
            .flatten()
            .unwrap_or_default();
        errors.into_result(|| NewOutcome {
            title: title.expect("checked above"),
            metric,
            target,
        })
    }
}

/// The assumption a test checks, and how.
pub fn parse_assumption(assumption: &str, method: &str) -> Result<(String, String), FieldErrors> {
    let mut errors = FieldErrors::default();
    let assumption = required_text(assumption, 500)
        .map_err(|message| errors.add("assumption", message))
        .ok();
    let method = optional_text(method, 500)
        .map_err(|message| errors.add("method", message))
        .ok()
        .flatten()
        .unwrap_or_default();
    errors.into_result(|| (assumption.expect("checked above"), method))
}

/// Every node of the tree, flat; the view nests them.
#[derive(Debug, Clone, Default)]
pub struct TreeRows {
    pub outcomes: Vec<Outcome>,
    pub pain_points: Vec<TreePainPoint>,
    pub solutions: Vec<TreeSolution>,
    pub tests: Vec<AssumptionTest>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Outcome {
    pub id: i64,
    pub title: String,
    pub metric: String,
    pub target: String,
}

/// A pain point's place in the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct TreePainPoint {
    pub id: i64,
    pub title: String,
    pub status: String,
    pub outcome: Option<i64>,
    pub parent: Option<i64>,
}

/// A roadmap item under one of the pain points it answers.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeSolution {
    pub id: i64,
    pub title: String,
    pub status: String,
    pub pain_point: i64,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AssumptionTest {
    pub id: i64,
    pub roadmap_item_id: i64,
    pub assumption: String,
    pub method: String,
    pub result: String,
    pub status: String,
}
