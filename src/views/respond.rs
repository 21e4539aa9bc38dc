//! The survey answering page: plain HTML controls with labels and
//! fieldsets, usable by keyboard and on a phone, no script needed.

use maud::{DOCTYPE, Markup, html};

use super::{Chrome, csrf_field, date, layout};
use crate::domain::FieldErrors;
use crate::domain::survey::{Answer, QuestionKind, QuestionRecord, Survey, WrittenResponse};

fn scale_labels(kind: QuestionKind) -> (&'static str, &'static str) {
    match kind {
        QuestionKind::Nps => ("not at all likely", "extremely likely"),
        QuestionKind::Csat => ("very dissatisfied", "very satisfied"),
        QuestionKind::Ces => ("very difficult", "very easy"),
        _ => ("strongly disagree", "strongly agree"),
    }
}

fn question(question: &QuestionRecord, previous: Option<&Answer>) -> Markup {
    let name = format!("q{}", question.id);
    html! {
        fieldset.question {
            legend { (question.prompt) @if question.required { " " span.hint { "(required)" } } }
            @if let Some((low, high)) = question.kind.scale() {
                @let (low_label, high_label) = scale_labels(question.kind);
                div.scale {
                    @for value in low..=high {
                        label.choice.scale-point {
                            input type="radio" name=(name) value=(value) checked[previous == Some(&Answer::Value(value))];
                            (value)
                            @if value == low { span.hint { " " (low_label) } }
                            @if value == high { span.hint { " " (high_label) } }
                        }
                    }
                    @if question.allow_na {
                        label.choice {
                            input type="radio" name=(name) value="na" checked[previous == Some(&Answer::NotApplicable)];
                            "Not applicable"
                        }
                    }
                }
            } @else if question.kind == QuestionKind::Text {
                label.visually-hidden for=(name) { (question.prompt) }
                textarea id=(name) name=(name) rows="4" {
                    @if let Some(Answer::Text(text)) = previous { (text) }
                }
            } @else {
                @let chosen: &[String] = match previous { Some(Answer::Choices(choices)) => choices, _ => &[] };
                @for choice in &question.choices {
                    label.choice {
                        @if question.kind == QuestionKind::Single {
                            input type="radio" name=(name) value=(choice) checked[chosen.contains(choice)];
                        } @else {
                            input type="checkbox" name=(name) value=(choice) checked[chosen.contains(choice)];
                        }
                        (choice)
                    }
                }
            }
        }
    }
}

/// `personal`: a personal link (answers keep the team; in a named survey
/// they can be edited) rather than the survey's open link (no name, no
/// team). Every anonymous form links to `/privacy`.
pub fn form(
    chrome: &Chrome<'_>,
    survey: &Survey,
    token: &str,
    personal: bool,
    previous: &[(i64, Answer)],
    errors: &FieldErrors,
) -> Markup {
    layout(
        &survey.title,
        chrome,
        html! {
            section.narrow {
                h1 { (survey.title) }
                @if !survey.introduction.is_empty() { p.lede { (survey.introduction) } }
                @if !personal {
                    p.hint { "Your answers are stored without your name or team, and no group smaller than " (survey.threshold) " people is ever shown. " a href="/privacy" { "What is stored, and who sees what" } }
                } @else if survey.anonymous {
                    p.hint { "Anonymous: your answers are stored with your team but not your name, with the day but not the time, and no group smaller than " (survey.threshold) " people is ever shown. This link answers once. " a href="/privacy" { "What is stored, and who sees what" } }
                }
                {
                    @if !errors.is_empty() {
                        div.error-summary role="alert" {
                            p { "Some answers need fixing:" }
                            ul { @for error in errors.iter() { li { (error.message) } } }
                        }
                    }
                    @if !previous.is_empty() && errors.is_empty() {
                        p.notice { "You answered before; sending again replaces your earlier answers." }
                    }
                    form method="post" action={ "/respond/" (token) } {
                        (csrf_field(chrome.csrf))
                        @for item in &survey.questions {
                            (question(item, previous.iter().find(|(id, _)| *id == item.id).map(|(_, answer)| answer)))
                        }
                        button type="submit" { "Send answers" }
                    }
                }
            }
        },
    )
}

pub fn thanks(chrome: &Chrome<'_>, survey: &Survey, token: &str, editable: bool) -> Markup {
    layout(
        "Thank you",
        chrome,
        html! {
            section.narrow {
                h1 { "Thank you" }
                p { "Your answers to " strong { (survey.title) } " are saved." }
                @if editable {
                    p { "Changed your mind? " a href={ "/respond/" (token) } { "Edit your answers" } " while the survey is open." }
                }
            }
        },
    )
}

/// A personal link of an anonymous survey that was used: nothing of the
/// answers is kept with it, so nothing of them can be shown.
pub fn already_answered(chrome: &Chrome<'_>, survey: &Survey) -> Markup {
    layout(
        &survey.title,
        chrome,
        html! {
            section.narrow {
                h1 { (survey.title) }
                p { "This link has been used to answer already. The survey is anonymous: answers are not kept with the link, so they cannot be shown or changed." }
                p { a href="/privacy" { "What is stored, and who sees what" } }
            }
        },
    )
}

/// The survey takes no answers now; `reason` says why (not open yet, closed).
pub fn closed(chrome: &Chrome<'_>, survey: &Survey, reason: &str) -> Markup {
    layout(
        &survey.title,
        chrome,
        html! { section.narrow { h1 { (survey.title) } p.error { "Sorry: " (reason) "." } } },
    )
}

/// The invitation email: subject, text and HTML, with the personal link.
pub fn invitation_message(
    title: &str,
    introduction: &str,
    name: &str,
    url: &str,
    anonymous: bool,
) -> (String, String, String) {
    let subject = format!("Survey: {title}");
    let introduction_text = if introduction.is_empty() {
        String::new()
    } else {
        format!("{introduction}\n\n")
    };
    let after = if anonymous {
        "The survey is anonymous: the link answers once, and your answers are not kept with it."
    } else {
        "You can come back to the same link to change your answers while the survey is open."
    };
    let text = format!(
        "Hi {name},\n\nThe platform team asks for your view: {title}.\n\n{introduction_text}\
         Answer here (this link is yours; do not forward it): {url}\n\n{after}\n"
    );
    let html = html! {
        (DOCTYPE)
        html {
            head { meta charset="utf-8"; title { (subject) } }
            body style="font-family:Arial,Helvetica,sans-serif;color:#1d2330;" {
                p { "Hi " (name) "," }
                p { "The platform team asks for your view: " strong { (title) } "." }
                @if !introduction.is_empty() { p { (introduction) } }
                p { a href=(url) style="color:#2456c7;" { "Answer the survey" } }
                p style="font-size:12px;color:#5d6678;" { "This link is yours; do not forward it. " (after) }
            }
        }
    }
    .into_string();
    (subject, text, html)
}

pub fn written_response(chrome: &Chrome<'_>, response: &WrittenResponse) -> Markup {
    layout(
        &format!("Survey comment: {}", response.survey_title),
        chrome,
        html! {
            p.breadcrumb { a href={ "/surveys/" (response.survey_id) "/results" } { (response.survey_title) } }
            h1 { "Survey comment" }
            p.lede {
                "Answered on " (date(response.submitted_at))
                @match (&response.respondent, &response.team) {
                    (Some(name), Some(team)) => { " by " (name) " (" (team) ")." }
                    (Some(name), None) => { " by " (name) "." }
                    _ => { ". The survey is anonymous: who answered is not recorded." }
                }
            }
            @for (prompt, text) in &response.comments {
                section.comment {
                    h2 { (prompt) }
                    blockquote { (text) }
                }
            }
        },
    )
}
