//! Survey results for the platform team, as JSON and as formula-safe CSV:
//! both render the one [`SurveyResults`] that `domain::survey_results`
//! builds from the published snapshot under the disclosure rules (the
//! results page renders it too).

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::access::PlatformTeam;
use super::extract::Path;
use super::surveys::load;
use crate::app::AppState;
use crate::db::survey_results;
use crate::db::surveys;
use crate::domain::Id;
use crate::domain::survey::Survey;
use crate::domain::survey_results::csv::results_csv;
use crate::domain::survey_results::{
    PublishedAnswers, ResultsInput, ResultsSurvey, SurveyResults, build,
};
use crate::error::Result;

/// The published results of `survey`, compared with its previous wave.
pub async fn survey_results(state: &AppState, survey: &Survey) -> Result<SurveyResults> {
    let survey_id = survey.id;
    let previous_id = survey.previous_wave_id;
    let (counts, answers, previous) = state
        .db
        .read(move |connection| {
            let previous = match previous_id {
                None => None,
                Some(id) => surveys::survey_by_id(connection, id)?
                    .map(|previous| -> Result<_> {
                        let answers = PublishedAnswers {
                            tallies: survey_results::tallies(connection, id)?,
                            ..PublishedAnswers::default()
                        };
                        Ok((ResultsSurvey::from(&previous), answers))
                    })
                    .transpose()?,
            };
            Ok((
                survey_results::published_counts(connection, survey_id)?,
                survey_results::published_answers(connection, survey_id)?,
                previous,
            ))
        })
        .await?;
    Ok(build(&ResultsInput {
        survey: &ResultsSurvey::from(survey),
        counts,
        answers: &answers,
        previous: previous.as_ref().map(|(survey, answers)| (survey, answers)),
    }))
}

/// Results: NPS in points, CSAT in percent, CES as a mean, intervals in the
/// same unit; team and service breakdowns; changes since the previous wave.
#[utoipa::path(
    get,
    path = "/api/v1/surveys/{id}/results",
    operation_id = "survey_results",
    tag = "surveys",
    params(("id" = i64, Path, description = "The survey's id")),
    responses((status = 200, description = "Published results (figures below the anonymity threshold hidden)", body = serde_json::Value))
)]
pub async fn results(
    State(state): State<AppState>,
    _: PlatformTeam,
    Path(id): Path<Id<Survey>>,
) -> Result<Json<SurveyResults>> {
    let survey = load(&state, id.get()).await?;
    Ok(Json(survey_results(&state, &survey).await?))
}

/// The results as CSV (see `domain::survey_results::csv`).
#[utoipa::path(
    get,
    path = "/api/v1/surveys/{id}/results.csv",
    operation_id = "survey_results_csv",
    tag = "surveys",
    params(("id" = i64, Path, description = "The survey's id")),
    responses((status = 200, description = "Published results as CSV", content_type = "text/csv", body = String))
)]
pub async fn results_csv_export(
    State(state): State<AppState>,
    PlatformTeam(viewer): PlatformTeam,
    Path(id): Path<Id<Survey>>,
) -> Result<Response> {
    let survey = load(&state, id.get()).await?;
    let results = survey_results(&state, &survey).await?;
    super::audit::record(
        &state,
        &viewer,
        crate::domain::audit::AuditAction::Exported,
        format!("survey:{}", survey.id),
        "results.csv".to_owned(),
    )
    .await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"survey-{}-results.csv\"", survey.id),
            ),
        ],
        results_csv(&results),
    )
        .into_response())
}
