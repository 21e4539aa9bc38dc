//! Satisfaction beside reliability, over time (issue 15): survey series
//! and the headline figures, reliability from Prometheus and by hand, the
//! service page's one time axis, results at a glance, and summaries.

mod series;
