//! People, for admins: find people, change their role and team, deactivate
//! them (their sessions and tokens end at once; their feedback stays,
//! attributed as before). The same through `/api/v1/people`. Teams are in
//! `web::teams`, reset links in `web::password_reset`.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::access::Admin;
use super::auth::{CsrfToken, VerifiedForm, Viewer};
use super::extract::{Path, Query};
use super::routes::Routes;
use crate::app::AppState;
use crate::db::audit::{self, Actor};
use crate::db::{credentials, directory, people};
use crate::domain::Id;
use crate::domain::audit::AuditAction;
use crate::domain::people::{Person, User};
use crate::domain::{FieldErrors, Role};
use crate::error::{Error, Result};
use crate::views::Chrome;
use crate::views::admin;

/// The directory of people, for admins.
pub fn routes() -> Routes {
    Routes::default()
        .admin_page("/admin/people", get(people_page))
        .admin_page(
            "/admin/people/{id}",
            get(person_page).post(change_person_form),
        )
        .admin_api("/api/v1/people", get(list_people_api))
        .admin_api(
            "/api/v1/people/{id}",
            get(get_person_api).patch(change_person_api),
        )
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct SearchQuery {
    /// Part of a name or email.
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
) -> Result<Person> {
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

pub(super) async fn person_view(
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
    Path(id): Path<Id<User>>,
) -> Result<Response> {
    person_view(
        &state,
        &viewer,
        &csrf,
        id.get(),
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
    Path(id): Path<Id<User>>,
    VerifiedForm(form): VerifiedForm<PersonForm>,
) -> Result<Response> {
    let id = id.get();
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

#[utoipa::path(
    get,
    path = "/api/v1/people",
    operation_id = "list_people",
    tag = "people",
    params(SearchQuery),
    responses((status = 200, description = "People", body = [Person]))
)]
async fn list_people_api(
    State(state): State<AppState>,
    Admin(_): Admin,
    Query(query): Query<SearchQuery>,
) -> Result<Json<Vec<Person>>> {
    Ok(Json(
        state
            .db
            .read(move |connection| directory::people(connection, &query.q, PAGE_SIZE))
            .await?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/people/{id}",
    operation_id = "get_person",
    tag = "people",
    params(("id" = i64, Path, description = "The person's id")),
    responses((status = 200, description = "One person", body = Person))
)]
async fn get_person_api(
    State(state): State<AppState>,
    Admin(_): Admin,
    Path(id): Path<Id<User>>,
) -> Result<Json<Person>> {
    let id = id.get();
    let person = state
        .db
        .read(move |connection| directory::person(connection, id))
        .await?;
    Ok(Json(person.ok_or(Error::NotFound)?))
}

#[utoipa::path(
    patch,
    path = "/api/v1/people/{id}",
    operation_id = "update_person",
    tag = "people",
    params(("id" = i64, Path, description = "The person's id")),
    request_body = serde_json::Value,
    responses((status = 200, description = "The person as changed", body = Person))
)]
async fn change_person_api(
    State(state): State<AppState>,
    Admin(viewer): Admin,
    Path(id): Path<Id<User>>,
    body: std::result::Result<Json<PersonChange>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Person>> {
    let Json(change) = body?;
    Ok(Json(
        change_person(&state, &viewer, id.get(), change).await?,
    ))
}
