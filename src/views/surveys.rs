//! The survey builder for the platform team: the list of surveys, a draft
//! built one question at a time, inviting, the open link, import and
//! closing (the results page is `survey_results`). Plain forms, no script
//! needed.

use maud::{Markup, html};

use super::{Chrome, count_of, csrf_field, date, date_time, error_summary, layout};
use crate::domain::FieldErrors;
use crate::domain::series::{Series, WaveOf};
use crate::domain::survey::{InvitationOutcome, QuestionKind, Survey, SurveySummary};

/// What the detail page offers in its selects.
pub struct BuilderChoices {
    /// Service slugs and names.
    pub services: Vec<(String, String)>,
    pub teams: Vec<String>,
    /// Teams the survey was sent to as a whole.
    pub audience: Vec<String>,
    pub invited: u32,
    /// Published responses.
    pub responses: u32,
    /// Whether anyone answered yet (the questions are fixed once anyone has).
    pub answered: bool,
    /// Every survey series, and the one this survey is a wave of.
    pub series: Vec<Series>,
    pub wave: Option<WaveOf>,
}

/// What was typed into the new-survey form, kept when it comes back.
pub struct SurveyFields {
    pub title: String,
    pub introduction: String,
    pub anonymous: bool,
    pub threshold: String,
    pub opens_at: String,
    pub closes_at: String,
    pub previous_wave: String,
    /// The series it is a wave of (its id), empty for an ad-hoc survey.
    pub series: String,
    /// The period it stands for in the series; empty for the one it opens in.
    pub period: String,
}

impl Default for SurveyFields {
    fn default() -> SurveyFields {
        SurveyFields {
            title: String::new(),
            introduction: String::new(),
            anonymous: true,
            threshold: "5".into(),
            opens_at: String::new(),
            closes_at: String::new(),
            previous_wave: String::new(),
            series: String::new(),
            period: String::new(),
        }
    }
}

/// What was typed into the add-question form, kept when it comes back.
pub struct QuestionFields {
    pub kind: String,
    pub prompt: String,
    pub service: String,
    pub choices: String,
    pub required: bool,
    /// "on", "off", or empty for the kind's usual (offered on rating
    /// scales, not on NPS, which asks everyone).
    pub not_applicable: String,
}

impl Default for QuestionFields {
    fn default() -> QuestionFields {
        QuestionFields {
            kind: String::new(),
            prompt: String::new(),
            service: String::new(),
            choices: String::new(),
            required: true,
            not_applicable: String::new(),
        }
    }
}

fn status_badge(status: &str) -> Markup {
    html! { span.badge class={ "status-" (status) } { (status) } }
}

pub fn list(
    chrome: &Chrome<'_>,
    surveys: &[SurveySummary],
    series: &[Series],
    fields: &SurveyFields,
    errors: &FieldErrors,
) -> Markup {
    layout(
        "Surveys",
        chrome,
        html! {
            h1 { "Surveys" }
            p { a href="/surveys/series" { "Survey series" } ": the recurring surveys whose waves the dashboard charts." }
            @if surveys.is_empty() {
                p.lede { "No surveys yet. Start one below." }
            } @else {
                table {
                    thead { tr { th { "Survey" } th { "Status" } th { "Questions" } th { "Invited" } th { "Responses" } th { "Created" } } }
                    tbody {
                        @for survey in surveys {
                            tr {
                                td { a href={ "/surveys/" (survey.id) } { (survey.title) } @if survey.anonymous { " " span.hint { "(anonymous)" } } }
                                td { (status_badge(&survey.status)) }
                                td { (survey.questions) }
                                td { (survey.invited) }
                                td { (survey.responses) }
                                td.nowrap { (date(survey.created_at)) }
                            }
                        }
                    }
                }
            }
            h2 #new { "New survey" }
            (error_summary(errors))
            form method="post" action="/surveys" {
                (csrf_field(chrome.csrf))
                label for="title" { "Title" }
                input #title type="text" name="title" required maxlength="200" placeholder="Platform survey, this quarter" value=(fields.title);
                label for="introduction" { "Introduction " span.hint { "(shown above the questions)" } }
                textarea #introduction name="introduction" rows="3" { (fields.introduction) }
                label.choice { input type="checkbox" name="anonymous" value="on" checked[fields.anonymous]; " Anonymous: keep the team, never the person" }
                label for="threshold" { "Anonymity threshold k " span.hint { "(no figure rests on fewer real answers; at least 3 for an anonymous survey)" } }
                input #threshold type="number" name="threshold" min="1" max="1000" value=(fields.threshold);
                label for="opens_at" { "Opens at " span.hint { "(UTC, optional)" } }
                input #opens_at type="datetime-local" name="opens_at" value=(fields.opens_at);
                label for="closes_at" { "Closes at " span.hint { "(UTC, optional)" } }
                input #closes_at type="datetime-local" name="closes_at" value=(fields.closes_at);
                label for="previous_wave" { "Previous wave " span.hint { "(results are compared with it)" } }
                select #previous_wave name="previous_wave" {
                    option value="" { "None" }
                    @for survey in surveys { option value=(survey.id) selected[fields.previous_wave == survey.id.to_string()] { (survey.title) } }
                }
                label for="series" { "Series " span.hint { "(a wave of a recurring survey; none: ad hoc, never in the headline figures)" } }
                select #series name="series" {
                    option value="" { "None (ad hoc)" }
                    @for one in series { option value=(one.id) selected[fields.series == one.id.to_string()] { (one.name) " (" (one.cadence.label()) ")" } }
                }
                label for="period" { "Period in the series " span.hint { "(like 2026-Q1; empty: the period it opens in)" } }
                input #period type="text" name="period" value=(fields.period);
                p { button type="submit" { "Create the draft" } }
            }
        },
    )
}

fn kind_label(kind: QuestionKind) -> &'static str {
    match kind {
        QuestionKind::Nps => "NPS (0–10)",
        QuestionKind::Csat => "CSAT (1–5)",
        QuestionKind::Ces => "CES (1–7)",
        QuestionKind::Likert => "Likert (1–5)",
        QuestionKind::Single => "Single choice",
        QuestionKind::Multi => "Multiple choice",
        QuestionKind::Text => "Free text",
    }
}

fn window(survey: &Survey) -> Markup {
    html! {
        @match (survey.opens_at, survey.closes_at) {
            (None, None) => "Takes answers while open.",
            (Some(opens), None) => { "Takes answers from " (date_time(opens)) "." }
            (None, Some(closes)) => { "Takes answers until " (date_time(closes)) "." }
            (Some(opens), Some(closes)) => { "Takes answers from " (date_time(opens)) " until " (date_time(closes)) "." }
        }
    }
}

pub fn detail(
    chrome: &Chrome<'_>,
    survey: &Survey,
    choices: &BuilderChoices,
    fields: &QuestionFields,
    errors: &FieldErrors,
) -> Markup {
    let editable = survey.status == "draft" && !choices.answered;
    layout(
        &survey.title,
        chrome,
        html! {
            p.back { a href="/surveys" { "← Surveys" } }
            h1 { (survey.title) " " (status_badge(&survey.status)) }
            @if !survey.introduction.is_empty() { p.lede { (survey.introduction) } }
            p.meta {
                @if survey.anonymous { "Anonymous" } @else { "Named" }
                " · k = " (survey.threshold) " · " (window(survey))
                " · " (choices.invited) " invited, " (choices.responses) " responses"
                @if survey.open_link { " · has an open link" }
                @if !choices.audience.is_empty() { " · teams: " (choices.audience.join(", ")) }
            }
            p {
                a href={ "/surveys/" (survey.id) "/results" } { "Results" } " · "
                a href={ "/api/v1/surveys/" (survey.id) "/results.csv" } { "Export CSV" } " · "
                a href={ "/surveys/" (survey.id) "/import" } { "Import CSV" }
            }
            (super::series::wave_form(chrome, survey.id, &choices.series, choices.wave.as_ref()))
            h2 { "Questions" }
            @if survey.questions.is_empty() { p.hint { "No questions yet: add the first below." } }
            ol {
                @for question in &survey.questions {
                    li {
                        (question.prompt) " "
                        span.hint {
                            "(" (kind_label(question.kind))
                            @if let Some(service) = &question.service { ", about " (service) }
                            @if question.required { ", required" }
                            @if question.allow_na { ", offers not applicable" }
                            @if !question.choices.is_empty() { ": " (question.choices.join(" / ")) }
                            ")"
                        }
                        @if editable {
                            form.inline method="post" action={ "/surveys/" (survey.id) "/questions/" (question.id) "/remove" } {
                                (csrf_field(chrome.csrf))
                                button.link type="submit" { "Remove" }
                            }
                        }
                    }
                }
            }
            @if editable {
                h3 #add-question { "Add a question" }
                (error_summary(errors))
                form method="post" action={ "/surveys/" (survey.id) "/questions" } {
                    (csrf_field(chrome.csrf))
                    label for="kind" { "Kind" }
                    select #kind name="kind" {
                        @for kind in [QuestionKind::Nps, QuestionKind::Csat, QuestionKind::Ces, QuestionKind::Likert, QuestionKind::Single, QuestionKind::Multi, QuestionKind::Text] {
                            option value=(kind.as_str()) selected[fields.kind == kind.as_str()] { (kind_label(kind)) }
                        }
                    }
                    label for="prompt" { "Question" }
                    input #prompt type="text" name="prompt" required maxlength="500" value=(fields.prompt);
                    label for="service" { "About a service " span.hint { "(CSAT per service; optional)" } }
                    select #service name="service" {
                        option value="" { "No particular service" }
                        @for (slug, name) in &choices.services { option value=(slug) selected[&fields.service == slug] { (name) " (" (slug) ")" } }
                    }
                    label for="choices" { "Choices " span.hint { "(single and multiple choice: one per line)" } }
                    textarea #choices name="choices" rows="3" { (fields.choices) }
                    label.choice { input type="checkbox" name="required" value="on" checked[fields.required]; " Required" }
                    label for="not_applicable" { "“Not applicable” " span.hint { "(rating scales)" } }
                    select #not_applicable name="not_applicable" {
                        option value="" selected[fields.not_applicable.is_empty()] { "As usual: offered on CSAT, CES and Likert, not on NPS" }
                        option value="on" selected[fields.not_applicable == "on"] { "Offered" }
                        option value="off" selected[fields.not_applicable == "off"] { "Not offered" }
                    }
                    p { button type="submit" { "Add the question" } }
                }
            } @else {
                p.hint { "The questions are fixed: " @if choices.answered { "the survey has answers." } @else { "the survey is " (survey.status) "." } }
            }
            h2 { "Status" }
            @if survey.status == "draft" {
                form method="post" action={ "/surveys/" (survey.id) "/open" } {
                    (csrf_field(chrome.csrf))
                    button type="submit" { "Open the survey" }
                }
            } @else if survey.status == "open" {
                p { a href={ "/surveys/" (survey.id) "/close" } { "Close the survey…" } }
            } @else {
                p { "Closed: it takes no more answers." }
            }
            @if survey.status != "closed" {
                h2 { "Audience" }
                form method="post" action={ "/surveys/" (survey.id) "/invitations" } {
                    (csrf_field(chrome.csrf))
                    fieldset {
                        legend { "Whole teams" }
                        @if !choices.audience.is_empty() {
                            p.hint { "Already invited: " (choices.audience.join(", ")) ". Ticking one again invites only its newcomers." }
                        }
                        @for team in &choices.teams {
                            label.choice { input type="checkbox" name="teams" value=(team); " " (team) }
                        }
                    }
                    label for="emails" { "People " span.hint { "(addresses of known people, one per line)" } }
                    textarea #emails name="emails" rows="3" {}
                    p { button type="submit" { "Invite and mail their personal links" } }
                }
                form method="post" action={ "/surveys/" (survey.id) "/open-link" } {
                    (csrf_field(chrome.csrf))
                    p.hint { "An open link lets anyone who has it answer, signed in or not; each answer is a new response with no name and no team." }
                    button type="submit" { @if survey.open_link { "Replace the open link" } @else { "Make an open link" } }
                }
            }
        },
    )
}

/// Who was invited. Their personal links went to them by mail and are
/// shown to nobody else: whoever holds a link can answer as its person.
pub fn invited(chrome: &Chrome<'_>, survey: &Survey, outcome: &InvitationOutcome) -> Markup {
    layout(
        "Invited",
        chrome,
        html! {
            p.back { a href={ "/surveys/" (survey.id) } { "← " (survey.title) } }
            h1 { "Invited" }
            @if outcome.invited.is_empty() {
                p.notice { "Nobody new was invited." }
            } @else {
                p.notice { (count_of(outcome.invited.len() as u64, "person was", "people were")) " invited; each gets their personal link by email, and only they see it." }
                ul { @for email in &outcome.invited { li { (email) } } }
            }
            @for (people, label) in [(&outcome.already_invited, "Already invited"), (&outcome.unknown, "Not known to Earshot (add them with earshot user add)"), (&outcome.contacted_recently, "Asked for something recently (contact cap)")] {
                @if !people.is_empty() { p { strong { (label) ": " } (people.join(", ")) } }
            }
        },
    )
}

/// A new open link, shown once to copy (only its hash is kept).
pub fn open_link(chrome: &Chrome<'_>, survey: &Survey, url: &str) -> Markup {
    layout(
        "Open link",
        chrome,
        html! {
            p.back { a href={ "/surveys/" (survey.id) } { "← " (survey.title) } }
            h1 { "Open link" }
            p.notice { "Copy this link now: only its hash is kept, so it cannot be shown again. Anyone who has it can answer, with no name and no team." }
            p { code { (url) } }
        },
    )
}

pub fn import(
    chrome: &Chrome<'_>,
    survey: &Survey,
    pasted: &str,
    problems: &[String],
    imported: Option<usize>,
) -> Markup {
    layout(
        "Import results",
        chrome,
        html! {
            p.back { a href={ "/surveys/" (survey.id) } { "← " (survey.title) } }
            h1 { "Import results into " (survey.title) }
            @if let Some(imported) = imported { p.notice { (imported) " responses imported." } }
            @if !problems.is_empty() {
                div.error-summary role="alert" {
                    p { "Nothing was imported. Fix these and try again:" }
                    ul { @for problem in problems { li { (problem) } } }
                }
            }
            p { "Paste a CSV export (for example from Google Forms): one row per response, a header row with the questions' prompts as they are here, and optionally " code { "Timestamp" } " and " code { "Team" } " (a team slug) columns. Write “N/A” for not applicable. Rows are imported all together or not at all. A file with another encoding than UTF-8 can be sent to " code { "POST /api/v1/surveys/" (survey.id) "/import" } "." }
            p.hint { "Columns: " (survey.questions.iter().map(|question| format!("{:?}", question.prompt)).collect::<Vec<_>>().join(", ")) }
            form method="post" action={ "/surveys/" (survey.id) "/import" } {
                (csrf_field(chrome.csrf))
                label for="csv" { "CSV" }
                textarea #csv name="csv" rows="12" required { (pasted) }
                p { button type="submit" { "Import" } }
            }
        },
    )
}

/// Closing cannot be undone: the page says what it means before it happens.
pub fn confirm_close(chrome: &Chrome<'_>, survey: &Survey, responses: u32) -> Markup {
    layout(
        &format!("Close {}?", survey.title),
        chrome,
        html! {
            section.narrow {
                p.back { a href={ "/surveys/" (survey.id) } { "← " (survey.title) } }
                h1 { "Close this survey?" }
                p { "Its results show " (count_of(u64::from(responses), "response", "responses")) ". Once closed it takes no more answers, personal or open-link, and cannot be opened again; its results stay, with team rows added. Answers that arrived since the last refresh are published only if at least " (survey.threshold) " did: on top of figures already seen, fewer would give them away." }
                form method="post" action={ "/surveys/" (survey.id) "/close" } {
                    (csrf_field(chrome.csrf))
                    button.danger type="submit" { "Close it" }
                    " "
                    a href={ "/surveys/" (survey.id) } { "Keep it open" }
                }
            }
        },
    )
}
