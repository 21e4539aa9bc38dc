//! Inviting people to a survey: by address or by team, one personal link
//! each. Each new invitee gets one message through the email outbox
//! (deterministic Message-ID, keyed so it is enqueued once), enqueued in the
//! same transaction as the invitation. The links go to their people only:
//! whoever invites never sees them (whoever holds a link can answer as its
//! person, and an anonymous answer's link would name it); the open link
//! serves other channels.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::access::PlatformTeam;
use super::api::ApiJson;
use super::extract::Path;
use super::request;
use super::survey_requests::InvitationRequest;
use super::surveys::load;
use crate::app::AppState;
use crate::auth::{hash_token, new_token};
use crate::db::outbox::{self, NewMessage, SURVEY_INVITATION_KEY};
use crate::db::settings;
use crate::db::surveys::{self, Invited};
use crate::domain::Email;
use crate::domain::Id;
use crate::domain::survey::{InvitationOutcome, Survey};
use crate::error::{Error, Result};
use crate::views::respond::invitation_message;

/// The most people one request may invite.
const MAX_INVITEES: usize = 10_000;

/// Invites people and mails each their link; says what it did, by address.
pub async fn invite_people(
    state: &AppState,
    survey: &Survey,
    raw_emails: Vec<String>,
    teams: Vec<String>,
) -> Result<InvitationOutcome> {
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
    let anonymous = survey.anonymous;
    let links = state.links.clone();
    let now = state.clock.now();
    state
        .db
        .write(move |connection| {
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
            let mut outcome = InvitationOutcome::default();
            for email in everyone {
                let token = new_token("svy_");
                match surveys::invite(connection, survey_id, &email, &hash_token(&token), cap, now)?
                {
                    Invited::New { user_id, name } => {
                        let url = format!("{}/respond/{token}", links.public_url);
                        let (subject, text, html) =
                            invitation_message(&title, &introduction, &name, &url, anonymous);
                        outbox::enqueue(
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
                        outcome.invited.push(email);
                    }
                    Invited::Already => outcome.already_invited.push(email),
                    Invited::Unknown => outcome.unknown.push(email),
                    Invited::Capped => outcome.contacted_recently.push(email),
                }
            }
            Ok(outcome)
        })
        .await
}

/// `{"emails": [...], "teams": [...]}` → one personal link per known
/// person, in one invitation message each through the outbox; the answer
/// lists who was invited, not their links.
#[utoipa::path(
    post,
    path = "/api/v1/surveys/{id}/invitations",
    operation_id = "invite_to_survey",
    tag = "surveys",
    params(("id" = i64, Path, description = "The survey's id")),
    request_body = InvitationRequest,
    responses((status = 201, description = "Who was invited, already invited, unknown or contacted recently (addresses, never links)", body = serde_json::Value))
)]
pub async fn invite(
    State(state): State<AppState>,
    _: PlatformTeam,
    Path(id): Path<Id<Survey>>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response> {
    let survey = load(&state, id.get()).await?;
    let body: InvitationRequest = request::read(body)?;
    let (emails, teams) = body.audience()?;
    let outcome = invite_people(&state, &survey, emails, teams).await?;
    Ok((StatusCode::CREATED, Json(outcome)).into_response())
}
