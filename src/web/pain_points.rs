//! Pain points: their list page for the platform team (each one's page is
//! `web::pain_point_page`, the API `web::pain_points_api`).

use super::routes::Routes;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::access::PlatformTeam;
use super::auth::{CsrfToken, VerifiedForm, Viewer};
use super::extract::Query;
use crate::app::AppState;
use crate::db::pain_points;
use crate::domain::FieldErrors;
use crate::domain::labels::{LabelFilter, split_list};
use crate::domain::pain_point::{NewPainPoint, PainPoint, PainPointDraft, impact};
use crate::error::Result;
use crate::views::{self, Chrome};

/// Pain points, for the platform team: the list, each one's page
/// (`web::pain_point_page`) and the API (`web::pain_points_api`).
pub fn routes() -> Routes {
    use super::pain_point_page as page;
    use super::pain_points_api as api;
    Routes::default()
        .team_page("/pain-points", get(list_page).post(create))
        .team_page("/pain-points/evidence", post(page::add_evidence))
        .team_page("/pain-points/{id}", get(page::detail_page))
        .team_page("/pain-points/{id}/status", post(page::set_status))
        .team_page(
            "/pain-points/{id}/evidence/remove",
            post(page::remove_evidence),
        )
        .team_page("/pain-points/{id}/merge", post(page::merge))
        .team_page("/pain-points/{id}/edit", post(page::edit))
        .team_page("/pain-points/{id}/placement", post(page::place))
        .team_api(
            "/api/v1/pain-points",
            get(api::list_api).post(api::create_api),
        )
        .team_api(
            "/api/v1/pain-points/{id}",
            get(api::get_api).patch(api::update_api),
        )
        .team_api(
            "/api/v1/pain-points/{id}/evidence",
            post(api::add_evidence_api),
        )
}

/// Pain points, highest impact first.
pub(super) async fn ranked(state: &AppState, filter: &LabelFilter) -> Result<Vec<PainPoint>> {
    let now = state.clock.now();
    let mut list = state
        .db
        .read(move |connection| pain_points::list(connection, now))
        .await?;
    list.retain(|pain_point| filter.admits(&pain_point.services, &pain_point.tags));
    list.sort_by(|a, b| {
        impact(&b.parts)
            .total_cmp(&impact(&a.parts))
            .then(a.id.cmp(&b.id))
    });
    Ok(list)
}

async fn render_list(
    state: &AppState,
    viewer: &Viewer,
    csrf: &str,
    filter: &LabelFilter,
    draft: PainPointDraft,
    errors: FieldErrors,
) -> Result<Response> {
    let list = ranked(state, filter).await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf,
    };
    let status = super::form_status(&errors);
    Ok((
        status,
        views::pain_points::list(
            &chrome,
            &views::pain_points::ListPage {
                pain_points: &list,
                service: filter.service.trim(),
                tag: filter.tag.trim(),
                draft: &draft,
                errors: &errors,
            },
        ),
    )
        .into_response())
}

pub async fn list_page(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Query(filter): Query<LabelFilter>,
) -> Result<Response> {
    render_list(
        &state,
        &viewer,
        &csrf,
        &filter,
        PainPointDraft::default(),
        FieldErrors::default(),
    )
    .await
}

#[derive(Deserialize)]
pub struct PainPointForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    services: String,
    #[serde(default)]
    tags: String,
}

impl PainPointForm {
    pub fn draft(self) -> PainPointDraft {
        PainPointDraft {
            title: self.title,
            description: self.description,
            services: split_list(&self.services),
            tags: split_list(&self.tags),
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    VerifiedForm(form): VerifiedForm<PainPointForm>,
) -> Result<Response> {
    let now = state.clock.now();
    let draft = form.draft();
    match NewPainPoint::parse(&draft) {
        Err(errors) => {
            render_list(
                &state,
                &viewer,
                &csrf,
                &LabelFilter::default(),
                draft,
                errors,
            )
            .await
        }
        Ok(pain_point) => {
            let id = state
                .db
                .write(move |connection| pain_points::insert(connection, &pain_point, now))
                .await?;
            Ok(Redirect::to(&format!("/pain-points/{id}")).into_response())
        }
    }
}
