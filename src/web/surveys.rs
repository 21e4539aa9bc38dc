//! The surveys API: build, open and close, make an open link, respond.
//! Invitations, results and import have modules of their own
//! (`survey_invitations`, `survey_results`, `survey_import`), and the
//! builder pages are in `survey_pages`.
//!
//! Personal links carry a random token; only its hash is stored. In an
//! anonymous survey a link answers once, and the response keeps nothing
//! that leads back to the link (the invitation only records that it was
//! used); in a named survey the response is found again through a second
//! hash of the token, so that answering again replaces it.

use super::routes::Routes;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::access::PlatformTeam;
use super::api::{ApiJson, created};
use super::auth::Viewer;
use super::extract::Path;
use super::request;
use super::survey_requests::{AnswersRequest, SurveyRequest};
use crate::app::AppState;
use crate::auth::{hash_token, new_token};
use crate::db::survey_responses::{self, ALREADY_ANSWERED, Respondent};
use crate::db::surveys;
use crate::domain::Id;
use crate::domain::survey::SurveySummary;
use crate::domain::survey::{Answer, NewSurvey, Survey, check_answers, taking_answers};
use crate::error::{Error, Result};

/// Surveys: built, run and read by the platform team (pages in
/// `web::survey_pages`, API here and in `survey_invitations`,
/// `survey_results`, `survey_import`); answered by anyone holding a link
/// (`web::respond`, and `/api/v1/responses/{token}`).
pub fn routes() -> Routes {
    use super::{
        respond, survey_import, survey_invitations, survey_pages as pages, survey_results,
    };
    Routes::default()
        .team_page("/surveys", get(pages::list_page).post(pages::create))
        .team_page("/surveys/{id}", get(pages::detail_page))
        .team_page("/surveys/{id}/questions", post(pages::add_question))
        .team_page(
            "/surveys/{id}/questions/{question}/remove",
            post(pages::remove_question),
        )
        .team_page("/surveys/{id}/open", post(pages::open))
        .team_page(
            "/surveys/{id}/close",
            get(pages::close_page).post(pages::close),
        )
        .team_page("/surveys/{id}/invitations", post(pages::invite))
        .team_page("/surveys/{id}/open-link", post(pages::open_link))
        .team_page("/surveys/{id}/results", get(pages::results_page))
        .team_page(
            "/surveys/{id}/import",
            get(pages::import_page).post(pages::import),
        )
        .team_page("/surveys/responses/{id}", get(respond::written_response))
        .page("/respond/{token}", get(respond::form).post(respond::submit))
        .team_api("/api/v1/surveys", get(list_surveys).post(create_survey))
        .team_api("/api/v1/surveys/{id}", get(get_survey))
        .team_api("/api/v1/surveys/{id}/open", post(open_survey))
        .team_api("/api/v1/surveys/{id}/close", post(close_survey))
        .team_api(
            "/api/v1/surveys/{id}/invitations",
            post(survey_invitations::invite),
        )
        .team_api("/api/v1/surveys/{id}/results", get(survey_results::results))
        .team_api(
            "/api/v1/surveys/{id}/results.csv",
            get(survey_results::results_csv_export),
        )
        .team_api("/api/v1/surveys/{id}/open-link", post(open_link))
        .team_api(
            "/api/v1/surveys/{id}/import",
            post(survey_import::import_api),
        )
        .api("/api/v1/responses/{token}", post(respond))
}

pub(super) async fn load(state: &AppState, id: i64) -> Result<Survey> {
    state
        .db
        .read(move |connection| surveys::survey_by_id(connection, id))
        .await?
        .ok_or(Error::NotFound)
}

/// Every survey, newest first, as the surveys page lists them: its response
/// count is the published one (it moves in steps of the survey's threshold).
#[utoipa::path(
    get,
    path = "/api/v1/surveys",
    operation_id = "list_surveys",
    tag = "surveys",
    responses((status = 200, description = "Every survey with its counts", body = [SurveySummary]))
)]
pub async fn list_surveys(
    State(state): State<AppState>,
    _: PlatformTeam,
) -> Result<Json<Vec<SurveySummary>>> {
    Ok(Json(state.db.read(surveys::list_surveys).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/surveys",
    operation_id = "create_survey",
    tag = "surveys",
    request_body = SurveyRequest,
    responses((status = 201, description = "The new survey, a draft", body = Survey))
)]
pub async fn create_survey(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response> {
    let body: SurveyRequest = request::read(body)?;
    let survey = NewSurvey::parse(&body.draft()?)?;
    let created_by = viewer.user.id;
    let now = state.clock.now();
    let id = state
        .db
        .write(move |connection| surveys::insert_survey(connection, &survey, created_by, now))
        .await?;
    let survey = load(&state, id).await?;
    Ok(created(format!("/api/v1/surveys/{id}"), survey))
}

#[utoipa::path(
    get,
    path = "/api/v1/surveys/{id}",
    operation_id = "get_survey",
    tag = "surveys",
    params(("id" = i64, Path, description = "The survey's id")),
    responses((status = 200, description = "One survey", body = Survey))
)]
pub async fn get_survey(
    State(state): State<AppState>,
    _: PlatformTeam,
    Path(id): Path<Id<Survey>>,
) -> Result<Json<Survey>> {
    Ok(Json(load(&state, id.get()).await?))
}

/// Moves a survey from `from` to `to` (one with no questions cannot open)
/// and records it in the audit log; the API and the pages both come here.
pub async fn move_to(
    state: &AppState,
    viewer: &Viewer,
    id: Id<Survey>,
    from: &'static str,
    to: &'static str,
) -> Result<()> {
    let survey = load(state, id.get()).await?;
    if to == "open" && survey.questions.is_empty() {
        return Err(Error::Conflict(
            "the survey has no questions yet; add one before opening it".into(),
        ));
    }
    let survey_id = survey.id;
    state
        .db
        .write(move |connection| surveys::change_status(connection, survey_id, from, to))
        .await?;
    super::audit::record(
        state,
        viewer,
        crate::domain::audit::AuditAction::StatusChanged,
        format!("survey:{id}"),
        to.to_owned(),
    )
    .await
}

#[utoipa::path(
    post,
    path = "/api/v1/surveys/{id}/open",
    operation_id = "open_survey",
    tag = "surveys",
    params(("id" = i64, Path, description = "The survey's id")),
    responses((status = 200, description = "The survey, open", body = Survey))
)]
pub async fn open_survey(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    Path(id): Path<Id<Survey>>,
) -> Result<Json<Survey>> {
    move_to(&state, &viewer, id, "draft", "open").await?;
    Ok(Json(load(&state, id.get()).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/surveys/{id}/close",
    operation_id = "close_survey",
    tag = "surveys",
    params(("id" = i64, Path, description = "The survey's id")),
    responses((status = 200, description = "The survey, closed", body = Survey))
)]
pub async fn close_survey(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    Path(id): Path<Id<Survey>>,
) -> Result<Json<Survey>> {
    move_to(&state, &viewer, id, "open", "closed").await?;
    Ok(Json(load(&state, id.get()).await?))
}

/// Makes a new open link (any earlier one stops working) and returns it,
/// once: only its hash is stored.
pub async fn create_open_link(state: &AppState, survey_id: i64) -> Result<(String, String)> {
    let token = new_token("svo_");
    let token_hash = hash_token(&token);
    state
        .db
        .write(move |connection| surveys::set_open_link(connection, survey_id, &token_hash))
        .await?;
    let url = format!("{}/respond/{token}", state.links.public_url);
    Ok((token, url))
}

/// `POST /api/v1/surveys/{id}/open-link` → `{"token", "url"}`.
#[utoipa::path(
    post,
    path = "/api/v1/surveys/{id}/open-link",
    operation_id = "create_open_link",
    tag = "surveys",
    params(("id" = i64, Path, description = "The survey's id")),
    responses((status = 201, description = "A link anyone may answer through", body = serde_json::Value))
)]
pub async fn open_link(
    State(state): State<AppState>,
    _: PlatformTeam,
    Path(id): Path<Id<Survey>>,
) -> Result<Response> {
    let _now = state.clock.now();
    let survey = load(&state, id.get()).await?;
    if survey.status == "closed" {
        return Err(Error::Conflict("the survey is closed".into()));
    }
    let (token, url) = create_open_link(&state, survey.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"token": token, "url": url})),
    )
        .into_response())
}

/// Who answers through `token`: a personal link or the survey's open link
/// (a new response each time, with no person and no team: an open link is
/// a bearer link anyone may hold). A personal link of a named survey finds
/// its earlier response again by a second hash of the token; one of an
/// anonymous survey has no such key, and says whether it was used.
pub(super) async fn respondent(
    state: &AppState,
    token: &str,
) -> Result<(Survey, Respondent, bool)> {
    let token_hash = hash_token(token);
    let (survey_id, invitation) = state
        .db
        .read(move |connection| {
            if let Some(invitation) = surveys::invitation_by_token(connection, &token_hash)? {
                return Ok((invitation.survey_id, Some(invitation)));
            }
            let survey_id =
                surveys::survey_by_open_link(connection, &token_hash)?.ok_or(Error::NotFound)?;
            Ok((survey_id, None))
        })
        .await?;
    let survey = load(state, survey_id).await?;
    let (respondent, used) = match invitation {
        Some(invitation) => {
            let key = (!survey.anonymous).then(|| hash_token(&format!("response:{token}")));
            (invitation.respondent(key), invitation.used)
        }
        None => (
            Respondent {
                survey_id,
                invitation_id: None,
                user_id: None,
                team_id: None,
                key: None,
            },
            false,
        ),
    };
    let spent = used && survey.anonymous;
    Ok((survey, respondent, spent))
}

/// Stores checked answers, checking again in the same transaction that the
/// survey still takes answers (and that an anonymous survey's personal link
/// was not used meanwhile), so a response racing the closing time is
/// either in before it or refused. Returns whether the response is new.
pub(super) async fn save_answers(
    state: &AppState,
    respondent: Respondent,
    answers: Vec<(i64, Answer)>,
) -> Result<bool> {
    let now = state.clock.now();
    state
        .db
        .write(move |connection| {
            let survey =
                surveys::survey_by_id(connection, respondent.survey_id)?.ok_or(Error::NotFound)?;
            taking_answers(&survey.status, survey.opens_at, survey.closes_at, now)
                .map_err(Error::Conflict)?;
            let complete = answers.len() == survey.questions.len();
            survey_responses::save_response(
                connection,
                &respondent,
                survey.anonymous,
                &answers,
                complete,
                now,
            )
        })
        .await
}

/// A response through a personal or open link; answering again through a
/// named survey's personal link replaces the earlier answers, and through an
/// anonymous survey's is refused (409). The token is the credential, no
/// session needed.
#[utoipa::path(
    post,
    path = "/api/v1/responses/{token}",
    operation_id = "respond_to_survey",
    tag = "surveys",
    params(("token" = String, Path, description = "The response link's token")), security(()),
    request_body = AnswersRequest,
    responses(
        (status = 201, description = "The answers were saved", body = serde_json::Value),
        (status = 200, description = "The answers replaced earlier ones (a personal link of a named survey)", body = serde_json::Value)
    )
)]
pub async fn respond(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response> {
    let (survey, respondent, used) = respondent(&state, &token).await?;
    taking_answers(
        &survey.status,
        survey.opens_at,
        survey.closes_at,
        state.clock.now(),
    )
    .map_err(Error::Conflict)?;
    if used {
        return Err(Error::Conflict(ALREADY_ANSWERED.into()));
    }
    let body: AnswersRequest = request::read(body)?;
    let drafts = body.drafts()?;
    let questions: Vec<_> = survey
        .questions
        .iter()
        .map(|question| question.for_checking())
        .collect();
    let answers = check_answers(&questions, &drafts)?;
    let created = save_answers(&state, respondent, answers).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(json!({"saved": true, "replaced": !created}))).into_response())
}
