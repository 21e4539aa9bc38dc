//! People and teams, for admins: find people, change their role and team,
//! deactivate them (their sessions and tokens end at once; their feedback
//! stays, attributed as before), send a password reset link; create,
//! rename and merge teams; see and revoke everyone's API tokens. The same
//! through `/api/v1/people` and `/api/v1/teams`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::access::Admin;
use super::auth::{CsrfToken, VerifiedForm, Viewer};
use super::parse_id;
use crate::app::AppState;
use crate::auth::{hash_token, new_token};
use crate::db::audit::{self, Actor};
use crate::db::digests::{self, NewMessage};
use crate::db::{credentials, directory, people};
use crate::domain::audit::AuditAction;
use crate::domain::text::single_line;
use crate::domain::{FieldErrors, Role};
use crate::error::{Error, Result};
use crate::views::Chrome;
use crate::views::admin;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/people", get(people_page))
        .route(
            "/admin/people/{id}",
            get(person_page).post(change_person_form),
        )
        .route("/admin/people/{id}/reset", post(send_reset_link))
        .route("/admin/teams", get(teams_page).post(create_team_form))
        .route("/admin/teams/{slug}", post(change_team_form))
        .route("/admin/tokens", get(tokens_page))
}

pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/people", get(list_people_api))
        .route(
            "/api/v1/people/{id}",
            get(get_person_api).patch(change_person_api),
        )
        .route("/api/v1/teams", get(list_teams_api).post(create_team_api))
        .route(
            "/api/v1/teams/{slug}",
            axum::routing::patch(change_team_api),
        )
}

#[derive(Deserialize, Default)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

const PAGE_SIZE: u32 = 200;

async fn people_page(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Admin(viewer): Admin,
    Query(query): Query<SearchQuery>,
) -> Result<maud::Markup> {
    let text = query.q.clone();
    let found = state
        .db
        .read(move |connection| directory::people(connection, &text, PAGE_SIZE))
        .await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(admin::people_page(&chrome, &query.q, &found))
}

/// What an admin may change about a person; absent fields stay as they are.
#[derive(Deserialize, Default)]
pub struct PersonChange {
    #[serde(default)]
    role: Option<String>,
    /// A team slug; empty for no team.
    #[serde(default)]
    team: Option<String>,
    #[serde(default)]
    active: Option<bool>,
}

/// Applies `change` to person `id` with the audit lines it calls for. A
/// changed role ends the person's sessions (they sign in again under the
/// new role); deactivation ends sessions and revokes tokens.
async fn change_person(
    state: &AppState,
    admin: &Viewer,
    id: i64,
    change: PersonChange,
) -> Result<directory::Person> {
    let mut errors = FieldErrors::default();
    let role = match change
        .role
        .as_deref()
        .map(str::trim)
        .filter(|role| !role.is_empty())
    {
        None => None,
        Some(raw) => Role::parse_as("role", raw)
            .map_err(|e| errors.extend(e))
            .ok(),
    };
    let team = change.team.map(|team| team.trim().to_owned());
    if id == admin.user.id
        && (role.is_some_and(|role| role != Role::Admin) || change.active == Some(false))
    {
        errors.add(
            "role",
            "you cannot take away your own admin rights or deactivate yourself; ask another admin",
        );
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let now = state.clock.now();
    let actor = Actor::person(admin.user.id, &admin.user.email);
    state
        .db
        .write(move |connection| {
            let before = directory::person(connection, id)?.ok_or(Error::NotFound)?;
            let subject = format!("person:{id}");
            if let Some(role) = role.filter(|role| *role != before.role) {
                directory::set_role(connection, id, role)?;
                credentials::end_sessions(connection, id)?;
                audit::record(
                    connection,
                    &actor,
                    AuditAction::RoleChanged,
                    &subject,
                    &format!("{} to {role}", before.role),
                    now,
                )?;
            }
            if let Some(team) =
                team.filter(|team| Some(team.as_str()) != before.team.as_deref().or(Some("")))
            {
                let team_id = people::team_id(
                    connection,
                    Some(team.as_str()).filter(|team| !team.is_empty()),
                    "team",
                )?;
                directory::set_team(connection, id, team_id)?;
                let from = before.team.as_deref().unwrap_or("no team");
                let to = if team.is_empty() {
                    "no team"
                } else {
                    team.as_str()
                };
                audit::record(
                    connection,
                    &actor,
                    AuditAction::TeamChanged,
                    &subject,
                    &format!("{from} to {to}"),
                    now,
                )?;
            }
            match (change.active, before.deactivated_at.is_some()) {
                (Some(false), false) => {
                    directory::set_deactivated(connection, id, Some(now))?;
                    let sessions = credentials::end_sessions(connection, id)?;
                    let tokens = credentials::revoke_tokens_of(connection, id, now)?;
                    audit::record(
                        connection,
                        &actor,
                        AuditAction::Deactivated,
                        &subject,
                        &format!("{sessions} sessions ended, {tokens} tokens revoked"),
                        now,
                    )?;
                }
                (Some(true), true) => {
                    directory::set_deactivated(connection, id, None)?;
                    audit::record(
                        connection,
                        &actor,
                        AuditAction::Reactivated,
                        &subject,
                        "",
                        now,
                    )?;
                }
                _ => {}
            }
            directory::person(connection, id)?.ok_or(Error::NotFound)
        })
        .await
}

async fn person_view(
    state: &AppState,
    viewer: &Viewer,
    csrf: &str,
    id: i64,
    errors: FieldErrors,
    notice: Option<&str>,
) -> Result<Response> {
    let (person, teams) = state
        .db
        .read(move |connection| {
            Ok((
                directory::person(connection, id)?,
                directory::teams(connection)?,
            ))
        })
        .await?;
    let person = person.ok_or(Error::NotFound)?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf,
    };
    let status = super::form_status(&errors);
    let page = admin::PersonPage {
        person: &person,
        teams: &teams,
        errors: &errors,
        notice,
        can_send_reset: state.config.local_accounts && person.deactivated_at.is_none(),
    };
    Ok((status, admin::person_page(&chrome, &page)).into_response())
}

async fn person_page(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Admin(viewer): Admin,
    Path(id): Path<String>,
) -> Result<Response> {
    person_view(
        &state,
        &viewer,
        &csrf,
        parse_id(&id)?,
        FieldErrors::default(),
        None,
    )
    .await
}

#[derive(Deserialize)]
struct PersonForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    team: String,
    /// "deactivate", "reactivate" or empty.
    #[serde(default)]
    action: String,
}

async fn change_person_form(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Admin(viewer): Admin,
    Path(id): Path<String>,
    VerifiedForm(form): VerifiedForm<PersonForm>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let change = match form.action.as_str() {
        "deactivate" => PersonChange {
            active: Some(false),
            ..PersonChange::default()
        },
        "reactivate" => PersonChange {
            active: Some(true),
            ..PersonChange::default()
        },
        _ => PersonChange {
            role: Some(form.role),
            team: Some(form.team),
            active: None,
        },
    };
    match change_person(&state, &viewer, id, change).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/people/{id}")).into_response()),
        Err(Error::Invalid(errors)) => person_view(&state, &viewer, &csrf, id, errors, None).await,
        Err(error) => Err(error),
    }
}

/// Mails a one-use reset link through the outbox; earlier links stop working.
async fn send_reset_link(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Admin(viewer): Admin,
    Path(id): Path<String>,
    VerifiedForm(super::sign_in::EmptyForm {}): VerifiedForm<super::sign_in::EmptyForm>,
) -> Result<Response> {
    if !state.config.local_accounts {
        return Err(Error::NotFound);
    }
    let id = parse_id(&id)?;
    let token = new_token("rst_");
    let token_hash = hash_token(&token);
    let now = state.clock.now();
    let expires_at = now + state.config.reset_link_lifetime;
    let url = format!("{}/reset/{token}", state.links.public_url);
    let host = state.links.host().to_owned();
    let actor = Actor::person(viewer.user.id, &viewer.user.email);
    let hours = state.config.reset_link_lifetime.num_hours();
    state
        .db
        .write(move |connection| {
            let person = directory::person(connection, id)?
                .filter(|person| person.deactivated_at.is_none())
                .ok_or(Error::NotFound)?;
            credentials::insert_password_reset(connection, &token_hash, id, now, expires_at)?;
            digests::enqueue(
                connection,
                &NewMessage {
                    dedupe_key: format!("password-reset:{token_hash}"),
                    message_id: format!("<password-reset.{}@{host}>", &token_hash[..16]),
                    subscription_id: None,
                    period: None,
                    to_address: person.email.clone(),
                    subject: "Choose a new Earshot password".to_owned(),
                    body_text: format!(
                        "Hello {},\n\nAn Earshot admin sent you this link to choose a new password:\n\n{url}\n\n\
                         It works once, for {hours} hours. If you did not expect it, ignore this message.\n",
                        person.name
                    ),
                    body_html: None,
                },
                now,
            )?;
            audit::record(connection, &actor, AuditAction::PasswordResetSent, &format!("person:{id}"), &person.email, now)
        })
        .await?;
    person_view(
        &state,
        &viewer,
        &csrf,
        id,
        FieldErrors::default(),
        Some("A reset link is on its way by email."),
    )
    .await
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

async fn create_team(state: &AppState, admin: &Viewer, team: NewTeam) -> Result<directory::Team> {
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
) -> Result<Option<directory::Team>> {
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

async fn list_people_api(
    State(state): State<AppState>,
    Admin(_): Admin,
    Query(query): Query<SearchQuery>,
) -> Result<Json<Vec<directory::Person>>> {
    Ok(Json(
        state
            .db
            .read(move |connection| directory::people(connection, &query.q, PAGE_SIZE))
            .await?,
    ))
}

async fn get_person_api(
    State(state): State<AppState>,
    Admin(_): Admin,
    Path(id): Path<String>,
) -> Result<Json<directory::Person>> {
    let id = parse_id(&id)?;
    let person = state
        .db
        .read(move |connection| directory::person(connection, id))
        .await?;
    Ok(Json(person.ok_or(Error::NotFound)?))
}

async fn change_person_api(
    State(state): State<AppState>,
    Admin(viewer): Admin,
    Path(id): Path<String>,
    body: std::result::Result<Json<PersonChange>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<directory::Person>> {
    let Json(change) = body?;
    Ok(Json(
        change_person(&state, &viewer, parse_id(&id)?, change).await?,
    ))
}

async fn list_teams_api(
    State(state): State<AppState>,
    Admin(_): Admin,
) -> Result<Json<Vec<directory::Team>>> {
    Ok(Json(state.db.read(directory::teams).await?))
}

async fn create_team_api(
    State(state): State<AppState>,
    Admin(viewer): Admin,
    body: std::result::Result<Json<NewTeam>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<directory::Team>)> {
    let Json(team) = body?;
    Ok((
        StatusCode::CREATED,
        Json(create_team(&state, &viewer, team).await?),
    ))
}

async fn change_team_api(
    State(state): State<AppState>,
    Admin(viewer): Admin,
    Path(slug): Path<String>,
    body: std::result::Result<Json<TeamChange>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<directory::Team>> {
    let Json(change) = body?;
    let team = change_team(&state, &viewer, slug, change).await?;
    Ok(Json(team.ok_or(Error::NotFound)?))
}
