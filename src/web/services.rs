//! The services catalog and each service's page: what users say about it
//! beside how reliable it has been.

use axum::extract::{Path, State};
use chrono::{Duration, Utc};

use super::auth::{CsrfToken, Viewer};
use crate::app::AppState;
use crate::db::feedback::{self as stored, FeedbackFilter};
use crate::db::{pain_points, services, surveys};
use crate::domain::pain_point::impact;
use crate::domain::satisfaction;
use crate::error::{Error, Result};
use crate::views::{self, Chrome};

pub async fn catalog(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfToken(csrf): CsrfToken,
) -> Result<maud::Markup> {
    let catalog = state.db.read(services::list_services).await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::services::catalog(&chrome, &catalog))
}

pub async fn service_page(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfToken(csrf): CsrfToken,
    Path(slug): Path<String>,
) -> Result<maud::Markup> {
    // Aggregates are for everyone; individual items follow the usual rule.
    let own_only = (!viewer.is_platform_team()).then_some(viewer.user.id);
    let page = state
        .db
        .read(move |connection| {
            let service = services::service_by_slug(connection, &slug)?.ok_or(Error::NotFound)?;
            let reliability = services::reliability_history(connection, service.id, 12)?;
            let months = services::monthly_feedback(
                connection,
                service.id,
                Utc::now() - Duration::days(365),
            )?;
            let filter = FeedbackFilter {
                service: Some(service.slug.clone()),
                author_id: own_only,
                ..FeedbackFilter::default()
            };
            let (recent, _) = stored::list_feedback(connection, &filter, 10, 0)?;
            // Pain point pages are the team's; contributors see the scores only.
            let mut top = Vec::new();
            if own_only.is_none() {
                let ids = pain_points::ids_for_service(connection, &service.slug)?;
                top = pain_points::list(connection, Utc::now())?
                    .into_iter()
                    .filter(|pain_point| ids.contains(&pain_point.id))
                    .collect();
                top.sort_by(|a, b| impact(&b.parts).total_cmp(&impact(&a.parts)));
                top.truncate(5);
            }
            let waves = surveys::waves(connection)?;
            let satisfaction = satisfaction::summarise(&waves)
                .services
                .into_iter()
                .find(|row| row.service == service.slug)
                .map(|row| {
                    (
                        waves.iter().map(|wave| wave.title.clone()).collect(),
                        row.csat,
                    )
                });
            Ok(views::services::ServicePage {
                service,
                reliability,
                months,
                recent,
                top_pain_points: top,
                satisfaction,
            })
        })
        .await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::services::service_page(&chrome, &page))
}
