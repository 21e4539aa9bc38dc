//! Teams, for admins: create, rename and merge them (people, services,
//! interviews and survey breakdowns move along), in the browser and through
//! `/api/v1/teams`; and everyone's API tokens on one page.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::access::Admin;
use super::auth::{CsrfToken, VerifiedForm, Viewer};
use super::extract::Path;
use super::routes::Routes;
use crate::app::AppState;
use crate::db::audit::{self, Actor};
use crate::db::{credentials, directory};
use crate::domain::FieldErrors;
use crate::domain::audit::AuditAction;
use crate::domain::people::Team;
use crate::domain::text::single_line;
use crate::error::{Error, Result};
use crate::views::Chrome;
use crate::views::admin;

/// Teams and everyone's tokens, for admins.
pub fn routes() -> Routes {
    Routes::default()
        .admin_page("/admin/teams", get(teams_page).post(create_team_form))
        .admin_page("/admin/teams/{slug}", post(change_team_form))
        .admin_page("/admin/tokens", get(tokens_page))
        .admin_api("/api/v1/teams", get(list_teams_api).post(create_team_api))
        .admin_api(
            "/api/v1/teams/{slug}",
            get(get_team_api).patch(change_team_api),
        )
}

async fn teams_view(
    state: &AppState,
    viewer: &Viewer,
    csrf: &str,
    errors: FieldErrors,
) -> Result<Response> {
    let teams = state.db.read(directory::teams).await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf,
    };
    let status = super::form_status(&errors);
    Ok((status, admin::teams_page(&chrome, &teams, &errors)).into_response())
}

async fn teams_page(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Admin(viewer): Admin,
) -> Result<Response> {
    teams_view(&state, &viewer, &csrf, FieldErrors::default()).await
}

#[derive(Deserialize)]
struct NewTeam {
    #[serde(default)]
    slug: String,
    #[serde(default)]
    name: String,
}

/// A team slug: lowercase letters, digits and dashes.
fn team_slug(raw: &str) -> std::result::Result<String, String> {
    let slug = raw.trim().to_lowercase();
    let valid = !slug.is_empty()
        && slug.len() <= 50
        && slug
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-');
    if valid {
        Ok(slug)
    } else {
        Err("use lowercase letters, digits and dashes (at most 50)".to_owned())
    }
}

async fn create_team(state: &AppState, admin: &Viewer, team: NewTeam) -> Result<Team> {
    let mut errors = FieldErrors::default();
    let slug = team_slug(&team.slug)
        .map_err(|message| errors.add("slug", message))
        .ok();
    let name = single_line(&team.name, 100)
        .map_err(|message| errors.add("name", message))
        .ok();
    let (Some(slug), Some(name)) = (slug, name) else {
        return Err(Error::Invalid(errors));
    };
    let now = state.clock.now();
    let actor = Actor::person(admin.user.id, &admin.user.email);
    state
        .db
        .write(move |connection| {
            directory::create_team(connection, &slug, &name)?;
            audit::record(
                connection,
                &actor,
                AuditAction::TeamCreated,
                &format!("team:{slug}"),
                &name,
                now,
            )?;
            directory::team_by_slug(connection, &slug)?.ok_or(Error::NotFound)
        })
        .await
}

async fn create_team_form(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Admin(viewer): Admin,
    VerifiedForm(form): VerifiedForm<NewTeam>,
) -> Result<Response> {
    match create_team(&state, &viewer, form).await {
        Ok(_) => Ok(Redirect::to("/admin/teams").into_response()),
        Err(Error::Invalid(errors)) => teams_view(&state, &viewer, &csrf, errors).await,
        Err(error) => Err(error),
    }
}

/// Rename (`name`) or merge into another team (`merge_into`, a slug).
#[derive(Deserialize, Default)]
struct TeamChange {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    merge_into: Option<String>,
}

async fn change_team(
    state: &AppState,
    admin: &Viewer,
    slug: String,
    change: TeamChange,
) -> Result<Option<Team>> {
    let name = match change
        .name
        .as_deref()
        .filter(|name| !name.trim().is_empty())
    {
        None => None,
        Some(name) => {
            Some(single_line(name, 100).map_err(|message| Error::invalid("name", message))?)
        }
    };
    let into = change
        .merge_into
        .map(|slug| slug.trim().to_owned())
        .filter(|slug| !slug.is_empty());
    let now = state.clock.now();
    let actor = Actor::person(admin.user.id, &admin.user.email);
    state
        .db
        .write(move |connection| {
            let team = directory::team_by_slug(connection, &slug)?.ok_or(Error::NotFound)?;
            let subject = format!("team:{slug}");
            if let Some(name) = name {
                directory::rename_team(connection, team.id, &name)?;
                audit::record(
                    connection,
                    &actor,
                    AuditAction::TeamRenamed,
                    &subject,
                    &format!("{} to {name}", team.name),
                    now,
                )?;
            }
            if let Some(into) = into {
                let target = directory::team_by_slug(connection, &into)?.ok_or_else(|| {
                    Error::invalid("merge_into", format!("there is no team {into:?}"))
                })?;
                directory::merge_teams(connection, team.id, target.id)?;
                audit::record(
                    connection,
                    &actor,
                    AuditAction::TeamsMerged,
                    &subject,
                    &format!("into {into} ({} people moved)", team.members),
                    now,
                )?;
                return directory::team_by_slug(connection, &into);
            }
            directory::team_by_slug(connection, &slug)
        })
        .await
}

async fn change_team_form(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Admin(viewer): Admin,
    Path(slug): Path<String>,
    VerifiedForm(form): VerifiedForm<TeamChange>,
) -> Result<Response> {
    match change_team(&state, &viewer, slug, form).await {
        Ok(_) => Ok(Redirect::to("/admin/teams").into_response()),
        Err(Error::Invalid(errors)) => teams_view(&state, &viewer, &csrf, errors).await,
        Err(error) => Err(error),
    }
}

async fn tokens_page(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Admin(viewer): Admin,
) -> Result<maud::Markup> {
    let tokens = state
        .db
        .read(|connection| credentials::list_api_tokens(connection, None))
        .await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(admin::tokens_page(&chrome, &tokens, state.clock.now()))
}

#[utoipa::path(
    get,
    path = "/api/v1/teams",
    operation_id = "list_teams",
    tag = "teams",
    responses((status = 200, description = "Teams", body = [Team]))
)]
async fn list_teams_api(State(state): State<AppState>, Admin(_): Admin) -> Result<Json<Vec<Team>>> {
    Ok(Json(state.db.read(directory::teams).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/teams/{slug}",
    operation_id = "get_team",
    tag = "teams",
    params(("slug" = String, Path, description = "The team's slug")),
    responses((status = 200, description = "One team", body = Team))
)]
async fn get_team_api(
    State(state): State<AppState>,
    Admin(_): Admin,
    Path(slug): Path<String>,
) -> Result<Json<Team>> {
    let team = state
        .db
        .read(move |connection| directory::team_by_slug(connection, &slug))
        .await?;
    Ok(Json(team.ok_or(Error::NotFound)?))
}

#[utoipa::path(
    post,
    path = "/api/v1/teams",
    operation_id = "create_team",
    tag = "teams",
    request_body = serde_json::Value,
    responses((status = 201, description = "The new team", body = Team))
)]
async fn create_team_api(
    State(state): State<AppState>,
    Admin(viewer): Admin,
    body: std::result::Result<Json<NewTeam>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Team>)> {
    let Json(team) = body?;
    Ok((
        StatusCode::CREATED,
        Json(create_team(&state, &viewer, team).await?),
    ))
}

#[utoipa::path(
    patch,
    path = "/api/v1/teams/{slug}",
    operation_id = "update_team",
    tag = "teams",
    params(("slug" = String, Path, description = "The team's slug")),
    request_body = serde_json::Value,
    responses((status = 200, description = "The team as changed", body = Team))
)]
async fn change_team_api(
    State(state): State<AppState>,
    Admin(viewer): Admin,
    Path(slug): Path<String>,
    body: std::result::Result<Json<TeamChange>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Team>> {
    let Json(change) = body?;
    let team = change_team(&state, &viewer, slug, change).await?;
    Ok(Json(team.ok_or(Error::NotFound)?))
}
