//! The services catalog and each service's page: what users say about it
//! beside how reliable it has been.

use axum::extract::{Path, State};
use chrono::{Duration, Utc};

use super::auth::{CsrfToken, Viewer};
use crate::app::AppState;
use crate::db::feedback::{self as stored, FeedbackFilter};
use crate::db::services;
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
            Ok(views::services::ServicePage {
                service,
                reliability,
                months,
                recent,
            })
        })
        .await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::services::service_page(&chrome, &page))
}
