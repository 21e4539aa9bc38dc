//! The survey builder pages (platform team only): list and create drafts,
//! add and remove questions while a draft has no answers, open and close,
//! invite, make an open link, import, and read results.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::access::PlatformTeam;
use super::auth::{CsrfToken, VerifiedForm, Viewer};
use super::extract::Path;
use super::survey_import::import_csv;
use super::survey_invitations::invite_people;
use super::survey_results::survey_results;
use super::surveys::{create_open_link, load, move_to};
use crate::app::AppState;
use crate::db::{series, services, survey_responses, survey_results as published, surveys};
use crate::domain::FieldErrors;
use crate::domain::Id;
use crate::domain::survey::{
    NewQuestion, NewSurvey, QuestionDraft, QuestionRecord, Survey, SurveyDraft,
};
use crate::error::{Error, Result};
use crate::views::surveys::{BuilderChoices, QuestionFields, SurveyFields};
use crate::views::{self, Chrome};

pub async fn list_page(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response> {
    render_list(
        &state,
        &viewer,
        &csrf,
        &SurveyFields::default(),
        &FieldErrors::default(),
    )
    .await
}

/// The list with the new-survey form, as typed and with its problems.
async fn render_list(
    state: &AppState,
    viewer: &Viewer,
    csrf: &str,
    fields: &SurveyFields,
    errors: &FieldErrors,
) -> Result<Response> {
    let (list, all_series) = state
        .db
        .read(|connection| {
            Ok((
                surveys::list_surveys(connection)?,
                series::list(connection)?,
            ))
        })
        .await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf,
    };
    let status = super::form_status(errors);
    Ok((
        status,
        views::surveys::list(&chrome, &list, &all_series, fields, errors),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct SurveyForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    introduction: String,
    #[serde(default)]
    anonymous: Option<String>,
    #[serde(default)]
    threshold: String,
    #[serde(default)]
    opens_at: String,
    #[serde(default)]
    closes_at: String,
    #[serde(default)]
    previous_wave: String,
    #[serde(default)]
    series: String,
    #[serde(default)]
    period: String,
}

/// Creates a draft with no questions; they are added one at a time. A
/// form with problems comes back as typed, with the problems listed.
pub async fn create(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    VerifiedForm(form): VerifiedForm<SurveyForm>,
) -> Result<Response> {
    let fields = SurveyFields::from(form);
    match create_draft(&state, &viewer, &fields).await {
        Ok(id) => Ok(Redirect::to(&format!("/surveys/{id}")).into_response()),
        Err(Error::Invalid(errors)) => render_list(&state, &viewer, &csrf, &fields, &errors).await,
        Err(error) => Err(error),
    }
}

impl From<SurveyForm> for SurveyFields {
    fn from(form: SurveyForm) -> SurveyFields {
        SurveyFields {
            title: form.title,
            introduction: form.introduction,
            anonymous: form.anonymous.is_some(),
            threshold: form.threshold,
            opens_at: form.opens_at,
            closes_at: form.closes_at,
            previous_wave: form.previous_wave,
            series: form.series,
            period: form.period,
        }
    }
}

async fn create_draft(state: &AppState, viewer: &Viewer, fields: &SurveyFields) -> Result<i64> {
    let threshold = match fields.threshold.trim() {
        "" => None,
        raw => Some(
            raw.parse::<i64>()
                .map_err(|_| Error::invalid("threshold", "must be a whole number"))?,
        ),
    };
    let previous_wave = match fields.previous_wave.trim() {
        "" => None,
        raw => Some(raw.parse::<Id<Survey>>()?.get()),
    };
    let survey = NewSurvey::parse(&SurveyDraft {
        title: fields.title.clone(),
        introduction: fields.introduction.clone(),
        anonymous: fields.anonymous,
        threshold,
        previous_wave,
        opens_at: fields.opens_at.clone(),
        closes_at: fields.closes_at.clone(),
        questions: Vec::new(),
    })?;
    let created_by = viewer.user.id;
    let now = state.clock.now();
    let (chosen, period) = (fields.series.clone(), fields.period.clone());
    state
        .db
        .write(move |connection| {
            let wave_of = match chosen.trim() {
                "" => None,
                raw => Some(series::find(connection, raw)?.ok_or_else(|| {
                    Error::invalid("series", format!("there is no series {raw:?}"))
                })?),
            };
            let id = surveys::insert_survey(connection, &survey, created_by, now)?;
            if let Some(wave_of) = &wave_of {
                series::assign(connection, id, Some(wave_of), &period)?;
            }
            Ok(id)
        })
        .await
}

pub async fn detail_page(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<Survey>>,
) -> Result<Response> {
    render_detail(
        &state,
        &viewer,
        &csrf,
        id.get(),
        &QuestionFields::default(),
        &FieldErrors::default(),
    )
    .await
}

/// The survey page with the add-question form, as typed and with its problems.
async fn render_detail(
    state: &AppState,
    viewer: &Viewer,
    csrf: &str,
    id: i64,
    fields: &QuestionFields,
    errors: &FieldErrors,
) -> Result<Response> {
    let survey = load(state, id).await?;
    let survey_id = survey.id;
    let choices = state
        .db
        .read(move |connection| {
            let counts = published::published_counts(connection, survey_id)?;
            Ok(BuilderChoices {
                services: services::list_services(connection)?
                    .into_iter()
                    .map(|service| (service.slug, service.name))
                    .collect(),
                teams: survey_responses::team_slugs(connection)?,
                audience: surveys::audience_teams(connection, survey_id)?,
                invited: counts.invited,
                responses: counts.responses,
                answered: surveys::has_answers(connection, survey_id)?,
                series: series::list(connection)?,
                wave: series::wave_of(connection, survey_id)?,
            })
        })
        .await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf,
    };
    let status = super::form_status(errors);
    Ok((
        status,
        views::surveys::detail(&chrome, &survey, &choices, fields, errors),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct QuestionForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    prompt: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    choices: String,
    #[serde(default)]
    required: Option<String>,
    #[serde(default)]
    not_applicable: Option<String>,
}

pub async fn add_question(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<Survey>>,
    VerifiedForm(form): VerifiedForm<QuestionForm>,
) -> Result<Response> {
    let id = id.get();
    let fields = QuestionFields {
        kind: form.kind,
        prompt: form.prompt,
        service: form.service,
        choices: form.choices,
        required: form.required.is_some(),
        not_applicable: form.not_applicable.unwrap_or_default(),
    };
    match add_to_draft(&state, id, &fields).await {
        Ok(()) => Ok(Redirect::to(&format!("/surveys/{id}")).into_response()),
        Err(Error::Invalid(errors)) => {
            render_detail(&state, &viewer, &csrf, id, &fields, &errors).await
        }
        Err(error) => Err(error),
    }
}

async fn add_to_draft(state: &AppState, id: i64, fields: &QuestionFields) -> Result<()> {
    let question = NewQuestion::parse(&QuestionDraft {
        kind: fields.kind.clone(),
        prompt: fields.prompt.clone(),
        service: Some(fields.service.clone()),
        required: fields.required,
        not_applicable: match fields.not_applicable.trim() {
            "" => None,
            "off" => Some(false),
            _ => Some(true),
        },
        choices: fields.choices.lines().map(str::to_owned).collect(),
    })
    .map_err(|message| Error::invalid("prompt", message))?;
    state
        .db
        .write(move |connection| surveys::add_question(connection, id, &question))
        .await?;
    Ok(())
}

pub async fn remove_question(
    State(state): State<AppState>,
    _: PlatformTeam,
    Path((id, question)): Path<(Id<Survey>, Id<QuestionRecord>)>,
    VerifiedForm(_): VerifiedForm<Vec<(String, String)>>,
) -> Result<Redirect> {
    let (id, question) = (id.get(), question.get());
    state
        .db
        .write(move |connection| surveys::remove_question(connection, id, question))
        .await?;
    Ok(Redirect::to(&format!("/surveys/{id}")))
}

pub async fn open(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    Path(id): Path<Id<Survey>>,
    VerifiedForm(_): VerifiedForm<Vec<(String, String)>>,
) -> Result<Redirect> {
    move_to(&state, &viewer, id, "draft", "open").await?;
    Ok(Redirect::to(&format!("/surveys/{id}")))
}

/// Asks before closing.
pub async fn close_page(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<Survey>>,
) -> Result<maud::Markup> {
    let survey = load(&state, id.get()).await?;
    let survey_id = survey.id;
    let counts = state
        .db
        .read(move |connection| published::published_counts(connection, survey_id))
        .await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::surveys::confirm_close(
        &chrome,
        &survey,
        counts.responses,
    ))
}

pub async fn close(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    Path(id): Path<Id<Survey>>,
    VerifiedForm(_): VerifiedForm<Vec<(String, String)>>,
) -> Result<Redirect> {
    move_to(&state, &viewer, id, "open", "closed").await?;
    Ok(Redirect::to(&format!("/surveys/{id}")))
}

#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    emails: String,
    #[serde(default)]
    teams: Vec<String>,
}

pub async fn invite(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<Survey>>,
    VerifiedForm(form): VerifiedForm<InviteForm>,
) -> Result<maud::Markup> {
    let survey = load(&state, id.get()).await?;
    let emails = form
        .emails
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .map(str::to_owned)
        .collect();
    let outcome = invite_people(&state, &survey, emails, form.teams).await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::surveys::invited(&chrome, &survey, &outcome))
}

pub async fn open_link(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<Survey>>,
    VerifiedForm(_): VerifiedForm<Vec<(String, String)>>,
) -> Result<maud::Markup> {
    let survey = load(&state, id.get()).await?;
    if survey.status == "closed" {
        return Err(Error::Conflict("the survey is closed".into()));
    }
    let (_, url) = create_open_link(&state, survey.id).await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::surveys::open_link(&chrome, &survey, &url))
}

pub async fn results_page(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<Survey>>,
) -> Result<maud::Markup> {
    let survey = load(&state, id.get()).await?;
    let results = survey_results(&state, &survey).await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::survey_results::results(&chrome, &survey, &results))
}

pub async fn import_page(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<Survey>>,
) -> Result<maud::Markup> {
    let survey = load(&state, id.get()).await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(views::surveys::import(&chrome, &survey, "", &[], None))
}

#[derive(Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    csv: String,
}

/// A pasted CSV; problems are listed on the page (422) and nothing is stored.
pub async fn import(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<Id<Survey>>,
    VerifiedForm(form): VerifiedForm<ImportForm>,
) -> Result<Response> {
    let survey = load(&state, id.get()).await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    match import_csv(&state, &survey, form.csv.clone().into_bytes()).await {
        Ok(imported) => {
            Ok(views::surveys::import(&chrome, &survey, "", &[], Some(imported)).into_response())
        }
        Err(Error::Invalid(errors)) => {
            let problems: Vec<String> = errors.iter().map(|error| error.message.clone()).collect();
            // The text comes back as pasted, to be fixed in place.
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                views::surveys::import(&chrome, &survey, &form.csv, &problems, None),
            )
                .into_response())
        }
        Err(error) => Err(error),
    }
}
