//! What summaries report beyond their own scope, gathered once per run.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::db::Database;
use crate::db::digest_reports;
use crate::db::{series, survey_results};
use crate::domain::digest::DiscoveryActivity;
use crate::domain::satisfaction::{self, Satisfaction, Wave};
use crate::domain::survey_results::PublishedCounts;
use crate::error::Result;
use crate::views::digest::WaveReport;

/// What summaries report beyond their own scope: the headline series'
/// waves (loaded and summarised once per run; ad-hoc surveys are not
/// reported) and the discovery activity of each period (queried once per
/// period, however many subscribers share it).
pub(super) struct Facts {
    /// The headline series' name.
    series: String,
    waves: Vec<Wave>,
    counts: Vec<PublishedCounts>,
    /// Per wave, the scores its results page hides: (service, line).
    suppressed: Vec<Vec<(Option<String>, String)>>,
    satisfaction: Satisfaction,
    discovery: HashMap<(DateTime<Utc>, DateTime<Utc>), DiscoveryActivity>,
}

impl Facts {
    pub(super) async fn load(db: &Database) -> Result<Facts> {
        let (headline, waves, counts) = db
            .read(|connection| {
                let (headline, waves) = series::headline_waves(connection)?;
                let counts = waves
                    .iter()
                    .map(|wave| survey_results::published_counts(connection, wave.survey_id))
                    .collect::<Result<Vec<_>>>()?;
                Ok((headline, waves, counts))
            })
            .await?;
        Ok(Facts {
            series: headline.map(|series| series.name).unwrap_or_default(),
            satisfaction: satisfaction::summarise(&waves),
            suppressed: waves.iter().map(satisfaction::held_back).collect(),
            waves,
            counts,
            discovery: HashMap::new(),
        })
    }

    pub(super) async fn discovery(
        &mut self,
        db: &Database,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<DiscoveryActivity> {
        if let Some(activity) = self.discovery.get(&(start, end)) {
            return Ok(activity.clone());
        }
        let activity = db
            .read(move |connection| digest_reports::discovery_activity(connection, start, end))
            .await?;
        self.discovery.insert((start, end), activity.clone());
        Ok(activity)
    }

    /// The latest wave of the headline series opened in `[start, end)`,
    /// reported for the services in scope (all when `scope` is empty).
    pub(super) fn wave_report(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        scope: &[String],
    ) -> Option<WaveReport> {
        let index = self
            .waves
            .iter()
            .rposition(|wave| wave.opened >= start && wave.opened < end)?;
        let summary = &self.satisfaction;
        let latest_overall = index + 1 == self.waves.len();
        let services = summary
            .services
            .iter()
            .filter(|row| scope.is_empty() || scope.contains(&row.service))
            .filter_map(|row| {
                let estimate = row.csat.get(index).cloned().flatten()?;
                // The change is between the last two waves; it belongs to this one only if it is the last.
                let change = if latest_overall { row.change } else { None };
                Some((row.service.clone(), estimate, change))
            })
            .collect();
        let counts = self.counts.get(index).copied().unwrap_or_default();
        Some(WaveReport {
            suppressed: self.suppressed[index]
                .iter()
                .filter(|(service, _)| match service {
                    Some(service) => scope.is_empty() || scope.contains(service),
                    None => true,
                })
                .map(|(_, line)| line.clone())
                .collect(),
            title: format!("{}, {}", self.series, self.waves[index].label),
            nps: summary.nps.get(index).cloned().flatten(),
            ces: summary.ces.get(index).cloned().flatten(),
            services,
            invited: counts.invited,
            responses: counts.invited_answered,
        })
    }
}
