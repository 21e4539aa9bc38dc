//! Outcomes, the opportunity solution tree, and assumption tests.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::outcome::{AssumptionTest, Outcome, TreePainPoint, TreeRows, TreeSolution};
use crate::error::{Error, Result};

pub fn insert_outcome(
    connection: &Connection,
    title: &str,
    metric: &str,
    target: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    connection.execute(
        "INSERT INTO outcomes (title, metric, target, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![title, metric, target, now],
    )?;
    Ok(connection.last_insert_rowid())
}

pub fn update_outcome(
    connection: &Connection,
    id: i64,
    title: &str,
    metric: &str,
    target: &str,
) -> Result<()> {
    let changed = connection.execute(
        "UPDATE outcomes SET title = ?2, metric = ?3, target = ?4 WHERE id = ?1",
        params![id, title, metric, target],
    )?;
    if changed == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

pub fn outcomes(connection: &Connection) -> Result<Vec<Outcome>> {
    let mut statement =
        connection.prepare_cached("SELECT id, title, metric, target FROM outcomes ORDER BY id")?;
    let outcomes = statement
        .query_map([], |row| {
            Ok(Outcome {
                id: row.get(0)?,
                title: row.get(1)?,
                metric: row.get(2)?,
                target: row.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(outcomes)
}

pub fn outcome_by_id(connection: &Connection, id: i64) -> Result<Option<Outcome>> {
    Ok(connection
        .query_row(
            "SELECT id, title, metric, target FROM outcomes WHERE id = ?1",
            [id],
            |row| {
                Ok(Outcome {
                    id: row.get(0)?,
                    title: row.get(1)?,
                    metric: row.get(2)?,
                    target: row.get(3)?,
                })
            },
        )
        .optional()?)
}

/// Places a pain point under an outcome and/or a parent pain point. A parent
/// may not be the pain point itself or one of its descendants.
pub fn place_pain_point(
    connection: &Connection,
    id: i64,
    outcome: Option<i64>,
    parent: Option<i64>,
) -> Result<()> {
    if let Some(outcome) = outcome
        && outcome_by_id(connection, outcome)?.is_none()
    {
        return Err(Error::invalid(
            "outcome",
            format!("there is no outcome #{outcome}"),
        ));
    }
    if let Some(parent) = parent {
        let mut current = Some(parent);
        while let Some(node) = current {
            if node == id {
                return Err(Error::invalid(
                    "parent",
                    "a pain point cannot sit under itself or its own children",
                ));
            }
            current = connection
                .query_row(
                    "SELECT parent_id FROM pain_points WHERE id = ?1",
                    [node],
                    |row| row.get(0),
                )
                .optional()?
                .ok_or_else(|| {
                    Error::invalid("parent", format!("there is no pain point #{parent}"))
                })?;
        }
    }
    let changed = connection.execute(
        "UPDATE pain_points SET outcome_id = ?2, parent_id = ?3 WHERE id = ?1 AND merged_into IS NULL",
        params![id, outcome, parent],
    )?;
    if changed == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

pub fn insert_assumption_test(
    connection: &Connection,
    item: i64,
    assumption: &str,
    method: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let exists: bool = connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM roadmap_items WHERE id = ?1)",
        [item],
        |row| row.get(0),
    )?;
    if !exists {
        return Err(Error::NotFound);
    }
    connection.execute(
        "INSERT INTO assumption_tests (roadmap_item_id, assumption, method, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![item, assumption, method, now],
    )?;
    Ok(connection.last_insert_rowid())
}

pub fn record_result(connection: &Connection, id: i64, status: &str, result: &str) -> Result<i64> {
    let item: Option<i64> = connection
        .query_row(
            "SELECT roadmap_item_id FROM assumption_tests WHERE id = ?1",
            [id],
            |row| row.get(0),
        )
        .optional()?;
    let item = item.ok_or(Error::NotFound)?;
    connection.execute(
        "UPDATE assumption_tests SET status = ?2, result = ?3 WHERE id = ?1",
        params![id, status, result],
    )?;
    Ok(item)
}

pub fn tree(connection: &Connection) -> Result<TreeRows> {
    let mut rows = TreeRows {
        outcomes: outcomes(connection)?,
        ..TreeRows::default()
    };
    let mut statement = connection.prepare_cached(
        "SELECT id, title, status, outcome_id, parent_id FROM pain_points WHERE merged_into IS NULL ORDER BY id",
    )?;
    rows.pain_points = statement
        .query_map([], |row| {
            Ok(TreePainPoint {
                id: row.get(0)?,
                title: row.get(1)?,
                status: row.get(2)?,
                outcome: row.get(3)?,
                parent: row.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut statement = connection.prepare_cached(
        "SELECT roadmap_items.id, roadmap_items.title, roadmap_items.status, roadmap_item_pain_points.pain_point_id
           FROM roadmap_item_pain_points JOIN roadmap_items ON roadmap_items.id = roadmap_item_pain_points.roadmap_item_id
          ORDER BY roadmap_items.id",
    )?;
    rows.solutions = statement
        .query_map([], |row| {
            Ok(TreeSolution {
                id: row.get(0)?,
                title: row.get(1)?,
                status: row.get(2)?,
                pain_point: row.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    rows.tests = assumption_tests(connection, None)?;
    Ok(rows)
}

pub fn assumption_tests(connection: &Connection, item: Option<i64>) -> Result<Vec<AssumptionTest>> {
    let mut statement = connection.prepare_cached(
        "SELECT id, roadmap_item_id, assumption, method, result, status FROM assumption_tests
          WHERE ?1 IS NULL OR roadmap_item_id = ?1 ORDER BY id",
    )?;
    let tests = statement
        .query_map([item], |row| {
            Ok(AssumptionTest {
                id: row.get(0)?,
                roadmap_item_id: row.get(1)?,
                assumption: row.get(2)?,
                method: row.get(3)?,
                result: row.get(4)?,
                status: row.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(tests)
}

/// The roadmap item an assumption test belongs to.
pub fn roadmap_item_of_test(connection: &Connection, test: i64) -> Result<Option<i64>> {
    Ok(connection
        .query_row(
            "SELECT roadmap_item_id FROM assumption_tests WHERE id = ?1",
            [test],
            |row| row.get(0),
        )
        .optional()?)
}
