//! Satisfaction beside reliability, over time (issue 15): survey series
//! and the headline figures, reliability from Prometheus and by hand, the
//! service page's one time axis, results at a glance, and summaries.

mod at_a_glance;
mod by_hand;
mod prometheus;
mod series;
mod summaries;
mod time_axis;

use crate::helpers::TestApp;

/// A stored month: period, SLO attainment, error budget left, incidents.
type Month = (String, Option<f64>, Option<f64>, Option<i64>);

/// ci-runner's stored reliability months, oldest first.
fn stored(app: &TestApp) -> Vec<Month> {
    app.with_db(|connection| {
        let mut statement = connection.prepare(
            "SELECT period, slo_attainment, error_budget_remaining, incidents FROM service_reliability
               JOIN services ON services.id = service_id WHERE slug = 'ci-runner' ORDER BY period",
        )?;
        let rows = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    })
}
