//! Inviting people to a survey: by address or by team, one personal link
//! each. Each new invitee gets one message through the email outbox
//! (deterministic Message-ID, keyed so it is enqueued once), enqueued in the
//! same transaction as the invitation; the links are also returned once to
//! the team, to copy by hand.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::api::{ApiJson, object};
use super::auth::Viewer;
use super::parse_id;
use super::surveys::{load, strings};
use crate::app::AppState;
use crate::auth::{hash_token, new_token};
use crate::db::digests::{self, NewMessage, SURVEY_INVITATION_KEY};
use crate::db::settings;
use crate::db::surveys::{self, Invited, Survey};
use crate::domain::Email;
use crate::error::{Error, Result};
use crate::views::respond::invitation_message;

/// The most people one request may invite.
const MAX_INVITEES: usize = 10_000;

/// What inviting did, by outcome; `invitations` holds the new links.
pub async fn invite_people(
    state: &AppState,
    survey: &Survey,
    raw_emails: Vec<String>,
    teams: Vec<String>,
) -> Result<Value> {
    let now = state.clock.now();
    if survey.status == "closed" {
        return Err(Error::Conflict(
            "the survey is closed; it takes no new invitations".into(),
        ));
    }
    let mut emails = Vec::new();
    for raw in raw_emails.iter().filter(|raw| !raw.trim().is_empty()) {
        let email = Email::parse(raw)
            .map_err(|message| Error::invalid("emails", format!("{raw:?} {message}")))?;
        emails.push(email.as_str().to_owned());
    }
    let teams: Vec<String> = teams
        .into_iter()
        .map(|team| team.trim().to_owned())
        .filter(|team| !team.is_empty())
        .collect();
    if emails.is_empty() && teams.is_empty() {
        return Err(Error::invalid(
            "emails",
            "give at least one address or team to invite",
        ));
    }
    let survey_id = survey.id;
    let title = survey.title.clone();
    let introduction = survey.introduction.clone();
    let links = state.links.clone();
    state
        .db
        .write(move |connection| {
            let now = now;
            let mut everyone = emails;
            for team in &teams {
                let members = surveys::audience_team(connection, survey_id, team)?
                    .ok_or_else(|| Error::invalid("teams", format!("there is no team {team:?}")))?;
                everyone.extend(members);
            }
            everyone.sort();
            everyone.dedup();
            if everyone.len() > MAX_INVITEES {
                return Err(Error::invalid(
                    "emails",
                    format!("invite at most {MAX_INVITEES} people at once"),
                ));
            }
            let cap = settings::number(connection, settings::CONTACT_CAP_DAYS, 30)?;
            let (mut invited, mut already, mut unknown, mut capped) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for email in everyone {
                let token = new_token("svy_");
                match surveys::invite(connection, survey_id, &email, &hash_token(&token), cap, now)?
                {
                    Invited::New { user_id, name } => {
                        let url = format!("{}/respond/{token}", links.public_url);
                        let (subject, text, html) =
                            invitation_message(&title, &introduction, &name, &url);
                        digests::enqueue(
                            connection,
                            &NewMessage {
                                dedupe_key: format!("{SURVEY_INVITATION_KEY}{survey_id}:{user_id}"),
                                message_id: format!(
                                    "<survey-invitation.{survey_id}.{user_id}@{}>",
                                    links.host()
                                ),
                                subscription_id: None,
                                period: None,
                                to_address: email.clone(),
                                subject,
                                body_text: text,
                                body_html: Some(html),
                            },
                            now,
                        )?;
                        invited.push(json!({"email": email, "token": token, "url": url}));
                    }
                    Invited::Already => already.push(email),
                    Invited::Unknown => unknown.push(email),
                    Invited::Capped => capped.push(email),
                }
            }
            Ok(json!({
                "invitations": invited,
                "already_invited": already,
                "unknown": unknown,
                "contacted_recently": capped,
            }))
        })
        .await
}

/// `{"emails": [...], "teams": [...]}` → one personal link per known
/// person (shown once) and one invitation message each in the outbox.
pub async fn invite(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response> {
    viewer.require_platform_team()?;
    let survey = load(&state, parse_id(&id)?).await?;
    let body = object(body)?;
    let outcome = invite_people(
        &state,
        &survey,
        strings(body.get("emails")),
        strings(body.get("teams")),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(outcome)).into_response())
}
