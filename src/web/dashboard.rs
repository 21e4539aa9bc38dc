//! The team's dashboard: the discovery habit, the biggest pain points and
//! what shipped; and the recruiting list for interviews.

use super::routes::Routes;
use axum::extract::State;
use axum::response::Redirect;
use axum::routing::{get, post};
use chrono::Duration;
use serde::Deserialize;

use super::access::PlatformTeam;
use super::auth::{CsrfToken, VerifiedForm};
use super::extract::{Path, Query};
use crate::app::AppState;
use crate::db::{interviews, pain_points, people, roadmap, series, services, settings};
use crate::domain::Id;
use crate::domain::cadence::cadence;
use crate::domain::pain_point::impact;
use crate::domain::people::User;
use crate::domain::satisfaction;
use crate::error::{Error, Result};
use crate::views::{self, Chrome};

/// The dashboard and the recruiting list, for the platform team.
pub fn routes() -> Routes {
    Routes::default()
        .team_page("/dashboard", get(dashboard))
        .team_page("/dashboard/settings", post(save_settings))
        .team_page("/interviews/recruiting", get(recruiting))
        .team_page("/interviews/recruiting/{user}/ask", post(ask))
}

/// Weeks of the discovery habit shown.
const WEEKS: u32 = 8;

pub async fn dashboard(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
) -> Result<maud::Markup> {
    let now = state.clock.now();
    let today = now.date_naive();
    let (held, target, cap, mut ranked, shipped, (headline, waves), reliability) = state
        .db
        .read(move |connection| {
            let since = today - Duration::weeks(i64::from(WEEKS) + 52);
            let reliability = services::list_services(connection)?
                .into_iter()
                .map(|service| {
                    let latest = services::reliability_history(connection, service.id, 1)?;
                    Ok((service.slug, latest.into_iter().next()))
                })
                .collect::<Result<Vec<_>>>()?;
            Ok((
                interviews::held_since(connection, since)?,
                settings::number(connection, settings::INTERVIEW_TARGET, 1)?,
                settings::number(connection, settings::CONTACT_CAP_DAYS, 30)?,
                pain_points::list(connection, now)?,
                roadmap::shipped(connection)?,
                series::headline_waves(connection)?,
                reliability,
            ))
        })
        .await?;
    ranked.sort_by(|a, b| impact(&b.parts).total_cmp(&impact(&a.parts)));
    let satisfaction = satisfaction::summarise(&waves);
    // The pain points behind the lowest-scoring services.
    let mut behind_lowest = Vec::new();
    for row in satisfaction.services.iter().take(2) {
        let service = row.service.clone();
        let ids = state
            .db
            .read(move |connection| pain_points::ids_for_service(connection, &service))
            .await?;
        let points: Vec<_> = ranked
            .iter()
            .filter(|pain_point| ids.contains(&pain_point.id))
            .take(3)
            .cloned()
            .collect();
        behind_lowest.push((row.service.clone(), points));
    }
    let top: Vec<_> = ranked.into_iter().take(5).collect();
    let habit = cadence(&held, today, target, WEEKS);
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::dashboard::dashboard(
        &chrome,
        &views::dashboard::DashboardPage {
            habit: &habit,
            cap,
            top: &top,
            shipped: &shipped[..shipped.len().min(3)],
            series: headline.as_ref(),
            satisfaction: &satisfaction,
            behind_lowest: &behind_lowest,
            reliability: &reliability,
        },
    ))
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    interview_target: String,
    #[serde(default)]
    contact_cap_days: String,
}

pub async fn save_settings(
    State(state): State<AppState>,
    _: PlatformTeam,
    VerifiedForm(form): VerifiedForm<SettingsForm>,
) -> Result<Redirect> {
    let target: u32 = form
        .interview_target
        .trim()
        .parse()
        .ok()
        .filter(|target| *target <= 50)
        .ok_or_else(|| Error::invalid("interview_target", "must be a whole number from 0 to 50"))?;
    let cap: u32 = form
        .contact_cap_days
        .trim()
        .parse()
        .ok()
        .filter(|days| *days <= 365)
        .ok_or_else(|| {
            Error::invalid(
                "contact_cap_days",
                "must be a whole number of days from 0 to 365",
            )
        })?;
    state
        .db
        .write(move |connection| {
            settings::set(connection, settings::INTERVIEW_TARGET, &target.to_string())?;
            settings::set(connection, settings::CONTACT_CAP_DAYS, &cap.to_string())
        })
        .await?;
    Ok(Redirect::to("/dashboard"))
}

#[derive(Deserialize, Default)]
pub struct RecruitingQuery {
    #[serde(default)]
    team: String,
    #[serde(default)]
    service: String,
}

pub async fn recruiting(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<RecruitingQuery>,
) -> Result<maud::Markup> {
    let now = state.clock.now();
    let team = Some(query.team.trim().to_owned()).filter(|team| !team.is_empty());
    let service = Some(query.service.trim().to_owned()).filter(|service| !service.is_empty());
    let (team_filter, service_filter) = (team.clone(), service.clone());
    let (recruits, cap) = state
        .db
        .read(move |connection| {
            Ok((
                people::recruiting_list(
                    connection,
                    team_filter.as_deref(),
                    service_filter.as_deref(),
                )?,
                settings::number(connection, settings::CONTACT_CAP_DAYS, 30)?,
            ))
        })
        .await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::dashboard::recruiting(
        &chrome,
        &recruits,
        cap,
        team.as_deref(),
        service.as_deref(),
        now,
    ))
}

/// Records that a person was asked for an interview; refused within the cap.
pub async fn ask(
    State(state): State<AppState>,
    _: PlatformTeam,
    Path(user): Path<Id<User>>,
    VerifiedForm(_): VerifiedForm<super::pages::EmptyForm>,
) -> Result<Redirect> {
    let now = state.clock.now();
    let user = user.get();
    state
        .db
        .write(move |connection| {
            let cap = settings::number(connection, settings::CONTACT_CAP_DAYS, 30)?;
            people::record_interview_contact(connection, user, cap, now)
        })
        .await?;
    Ok(Redirect::to("/interviews/recruiting"))
}
