//! Views: plain functions returning `Markup`. maud escapes everything
//! interpolated, and no view uses `PreEscaped` on anything a user wrote.

pub mod account;
pub mod admin;
pub mod dashboard;
pub mod digest;
pub mod digests;
pub mod feedback;
pub mod figures;
pub mod inbox;
pub mod interviews;
pub mod item;
pub mod login;
pub mod markdown;
pub mod pain_points;
pub mod picker;
pub mod privacy;
pub mod reliability;
pub mod respond;
pub mod roadmap;
pub mod search;
pub mod series;
pub mod services;
pub mod survey_results;
pub mod surveys;
pub mod tags;
pub mod timeline;
pub mod tree;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, html};

use crate::domain::people::User;
use crate::error::Error;

/// What every page needs besides its content: who is looking, and the CSRF
/// token for its forms.
pub struct Chrome<'a> {
    pub viewer: Option<&'a User>,
    pub csrf: &'a str,
}

/// The page frame: a skip link, the header with search and the menu (a
/// row of links on wide screens, a "Menu" button on a phone; both work
/// without JavaScript), then `content`, and the one script.
pub fn layout(title: &str, chrome: &Chrome<'_>, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Earshot" }
                link rel="stylesheet" href="/static/earshot.css";
                script src="/static/earshot.js" defer {}
            }
            body {
                a.skip-link href="#main" { "Skip to content" }
                header.top {
                    a.brand href="/" { "Earshot" }
                    @if let Some(viewer) = chrome.viewer {
                        form.searchbox method="get" action="/search" role="search" {
                            input type="search" name="q" placeholder="Search feedback" aria-label="Search";
                        }
                        details.menu {
                            summary { "Menu" }
                            nav aria-label="Main" {
                                a href="/feedback/new" { "Give feedback" }
                                a href="/feedback/mine" { "My feedback" }
                                @if viewer.role.is_platform_team() {
                                    a href="/dashboard" { "Dashboard" }
                                    a href="/inbox" { "Inbox" }
                                    a href="/interviews" { "Interviews" }
                                    a href="/pain-points" { "Pain points" }
                                    a href="/roadmap" { "Roadmap" }
                                    a href="/surveys" { "Surveys" }
                                    a href="/tree" { "Tree" }
                                    a href="/tags" { "Tags" }
                                }
                                a href="/shipped" { "Shipped" }
                                a href="/services" { "Services" }
                                a href="/digests" { "Summaries" }
                                @if viewer.role == crate::domain::Role::Admin {
                                    a href="/admin/people" { "People" }
                                }
                                a href="/account" { "Account" }
                                form.signout method="post" action="/logout" {
                                    (csrf_field(chrome.csrf))
                                    span.who { (viewer.name) " · " (viewer.role) }
                                    button.link type="submit" { "Sign out" }
                                }
                            }
                        }
                    }
                }
                main #main tabindex="-1" { (content) }
            }
        }
    }
}

/// The hidden field every form carries.
pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}

/// A page explaining an error, with what to do about it.
pub fn error_page(status: StatusCode, detail: &str, error: &Error) -> Markup {
    let heading = match status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "Too large",
        status if status.is_server_error() => "Something went wrong",
        _ => "That did not work",
    };
    let detail = match status {
        StatusCode::NOT_FOUND => "There is nothing here, or it is not yours to see.",
        _ => detail,
    };
    let chrome = Chrome {
        viewer: None,
        csrf: "",
    };
    layout(
        heading,
        &chrome,
        html! {
            h1 { (heading) }
            p { (detail) }
            @if let Error::Invalid(errors) = error {
                ul.errors {
                    @for error in errors.iter() {
                        li { strong { (error.field) } ": " (error.message) }
                    }
                }
            }
            p { a href="/" { "Back to Earshot" } }
        },
    )
}

/// Where to send someone who must sign in first, coming back to `wanted`.
pub fn login_url(wanted: &str) -> String {
    if wanted == "/" || !is_local_path(wanted) {
        return "/login".to_owned();
    }
    let next: String = serde_html_form::to_string([("next", wanted)]).unwrap_or_default();
    format!("/login?{next}")
}

/// A path on this site (not `//evil.example` or `https://...`), safe to
/// redirect to after signing in: printable ASCII only, so no tab or line
/// break that a browser would drop (`/\t/evil.example` is `//evil.example`
/// to it) and nothing that cannot go in a `Location` header.
pub fn is_local_path(path: &str) -> bool {
    let mut bytes = path.bytes();
    bytes.next() == Some(b'/')
        && !matches!(bytes.next(), Some(b'/' | b'\\'))
        && path.len() <= 2_000
        && path
            .bytes()
            .all(|byte| (0x21..=0x7e).contains(&byte) && byte != b'\\')
}

/// A field's problem, under the field (its id is the field's `aria-describedby`).
pub fn field_error(errors: &crate::domain::FieldErrors, field: &str) -> Markup {
    html! {
        @if let Some(message) = errors.get(field) {
            p.field-error id={ (field) "-error" } { (message) }
        }
    }
}

/// The list of problems above a form that came back: each links to its
/// field; screen readers announce it.
pub fn error_summary(errors: &crate::domain::FieldErrors) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" tabindex="-1" {
                p { "Some fields need fixing:" }
                ul {
                    @for error in errors.iter() {
                        li { a href={ "#" (error.field) } { (error.message) } }
                    }
                }
            }
        }
    }
}

/// "1 response", "3 responses".
pub fn count_of(count: u64, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

pub fn date(at: DateTime<Utc>) -> String {
    at.format("%-d %b %Y").to_string()
}

pub fn date_time(at: DateTime<Utc>) -> String {
    at.format("%-d %b %Y, %H:%M UTC").to_string()
}
