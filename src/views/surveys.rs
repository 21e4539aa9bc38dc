//! The survey builder for the platform team: the list of surveys, a draft
//! built one question at a time, inviting, links, import, and results. Plain
//! forms, no script needed.

use maud::{Markup, html};
use serde_json::Value;

use super::{Chrome, count_of, csrf_field, date, date_time, error_summary, layout};
use crate::db::surveys::{Survey, SurveySummary};
use crate::domain::FieldErrors;
use crate::domain::survey::QuestionKind;

/// What the detail page offers in its selects.
pub struct BuilderChoices {
    /// Service slugs and names.
    pub services: Vec<(String, String)>,
    pub teams: Vec<String>,
    /// Teams the survey was sent to as a whole.
    pub audience: Vec<String>,
    pub invited: u32,
    pub responses: u32,
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
    pub not_applicable: bool,
}

impl Default for QuestionFields {
    fn default() -> QuestionFields {
        QuestionFields {
            kind: String::new(),
            prompt: String::new(),
            service: String::new(),
            choices: String::new(),
            required: false,
            not_applicable: true,
        }
    }
}

fn status_badge(status: &str) -> Markup {
    html! { span.badge class={ "status-" (status) } { (status) } }
}

pub fn list(
    chrome: &Chrome<'_>,
    surveys: &[SurveySummary],
    fields: &SurveyFields,
    errors: &FieldErrors,
) -> Markup {
    layout(
        "Surveys",
        chrome,
        html! {
            h1 { "Surveys" }
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
                label for="threshold" { "Anonymity threshold k " span.hint { "(no group smaller than this is ever shown)" } }
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
    let editable = survey.status == "draft" && choices.responses == 0;
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
                    label.choice { input type="checkbox" name="not_applicable" value="on" checked[fields.not_applicable]; " Offer “not applicable” (rating scales)" }
                    p { button type="submit" { "Add the question" } }
                }
            } @else {
                p.hint { "The questions are fixed: " @if choices.responses > 0 { "the survey has answers." } @else { "the survey is " (survey.status) "." } }
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

/// The links made by inviting or by an open link, shown once to copy.
pub fn links(chrome: &Chrome<'_>, survey: &Survey, heading: &str, outcome: &Value) -> Markup {
    let list = |key: &str| -> Vec<String> {
        outcome[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|value| value.as_str().map(str::to_owned))
            .collect()
    };
    layout(
        heading,
        chrome,
        html! {
            p.back { a href={ "/surveys/" (survey.id) } { "← " (survey.title) } }
            h1 { (heading) }
            @let made = outcome["url"].is_string()
                || outcome["invitations"].as_array().is_some_and(|invitations| !invitations.is_empty());
            @if made {
                p.notice { "Copy these links now: only their hashes are kept, so they cannot be shown again." }
            } @else {
                p.notice { "Nobody new was invited, so there are no new links." }
            }
            @if let Some(url) = outcome["url"].as_str() {
                p { code { (url) } }
            }
            @if let Some(invitations) = outcome["invitations"].as_array() {
                p { (invitations.len()) " invited; each gets their link by email." }
                @if !invitations.is_empty() {
                    table {
                        thead { tr { th { "Person" } th { "Personal link" } } }
                        tbody {
                            @for invitation in invitations {
                                tr { td { (invitation["email"].as_str().unwrap_or_default()) } td { code { (invitation["url"].as_str().unwrap_or_default()) } } }
                            }
                        }
                    }
                }
                @for (key, label) in [("already_invited", "Already invited"), ("unknown", "Not known to Earshot (add them with earshot user add)"), ("contacted_recently", "Asked for something recently (contact cap)")] {
                    @let people = list(key);
                    @if !people.is_empty() { p { strong { (label) ": " } (people.join(", ")) } }
                }
            }
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

fn figure(value: &Value) -> String {
    value
        .as_f64()
        .map(|value| format!("{value:.1}"))
        .unwrap_or_else(|| "–".to_owned())
}

fn figures(group: &Value) -> Markup {
    html! {
        @if group["suppressed"] == true {
            td colspan="3" { span.hint { "hidden: fewer than k people, or recoverable from the others" } }
        } @else {
            td { (group["n"]) }
            td { (figure(&group["score"])) }
            td.nowrap { (figure(&group["ci_low"])) " – " (figure(&group["ci_high"])) }
        }
    }
}

/// The results page: the same figures as the API, as tables.
pub fn results(chrome: &Chrome<'_>, survey: &Survey, results: &Value) -> Markup {
    layout(
        &format!("Results: {}", survey.title),
        chrome,
        html! {
            p.back { a href={ "/surveys/" (survey.id) } { "← " (survey.title) } }
            h1 { "Results: " (survey.title) }
            p.meta {
                (count_of(results["responses"].as_u64().unwrap_or_default(), "response", "responses")) " · " (results["invited_responses"]) " of " (results["invited"]) " invited answered"
                @if let Some(rate) = results["response_rate"].as_f64() { " (" (format!("{rate:.0}")) "%)" }
                @if let Some(rate) = results["completion_rate"].as_f64() { " · " (format!("{rate:.0}")) "% complete" }
                " · NPS in points, CSAT in percent, CES and Likert as means; 95% intervals"
            }
            @if let Some(previous) = results["previous_wave"].as_object() {
                p { "Compared with " (previous["title"].as_str().unwrap_or_default()) ". "
                    @let movers = results["movers"].as_array().map(Vec::len).unwrap_or_default();
                    @if movers == 0 { "No significant movers (p < 0.05)." } @else { (movers) " significant movers (p < 0.05)." }
                }
            }
            @if let Some(services) = results["breakdowns"]["service"].as_array().filter(|services| !services.is_empty()) {
                h2 { "By service" }
                table {
                    thead { tr { th { "Service" } th { "Kind" } th { "n" } th { "Score" } th { "95% interval" } th { "Change" } } }
                    tbody {
                        @for group in services {
                            tr {
                                td { (group["group"].as_str().unwrap_or_default()) }
                                td { (group["kind"].as_str().unwrap_or_default()) }
                                (figures(group))
                                td {
                                    @if let Some(delta) = group["previous"]["delta"].as_f64() {
                                        (format!("{delta:+.1}"))
                                        @if group["previous"]["significant"] == true { " " strong { "significant" } } @else { " " span.hint { "not significant" } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @for question in results["questions"].as_array().into_iter().flatten() {
                section.question-results {
                    h2 { (question["prompt"].as_str().unwrap_or_default()) " " span.hint { "(" (question["kind"].as_str().unwrap_or_default()) ")" } }
                    @if question["suppressed"] == true {
                        p.hint { "Hidden until at least " (results["threshold"]) " people have answered this question (" (question["n"]) " so far), so that no one's answers can be told apart." }
                    } @else if let Some(answers) = question["answers"].as_array() {
                        p { (answers.len()) " answers" }
                        ul { @for answer in answers.iter().take(200) { li.body { (answer.as_str().unwrap_or_default()) } } }
                    } @else if let Some(counts) = question["choices"].as_array() {
                        table { tbody { @for count in counts { tr { td { (count["choice"].as_str().unwrap_or_default()) } td { (count["count"]) } } } } }
                    } @else {
                        table {
                            thead { tr { th { "Group" } th { "n" } th { "Score" } th { "95% interval" } } }
                            tbody {
                                tr { td { strong { "Everyone" } } (figures(question)) }
                                @for group in question["breakdowns"]["team"].as_array().into_iter().flatten() {
                                    tr { td { (group["group"].as_str().unwrap_or_default()) } (figures(group)) }
                                }
                            }
                        }
                        @if let Some(delta) = question["previous"]["delta"].as_f64() {
                            p { "Since the previous wave: " (format!("{delta:+.1}")) " (p = " (format!("{:.3}", question["previous"]["p_value"].as_f64().unwrap_or(1.0))) ")"
                                @if question["previous"]["significant"] == true { " " strong { "significant" } } }
                        }
                    }
                }
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
                p { "It has " (count_of(u64::from(responses), "response", "responses")) ". Once closed it takes no more answers, personal or open-link, and cannot be opened again; its results stay." }
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
