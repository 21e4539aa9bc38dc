//! A person's account page (password, API tokens, signing out everywhere)
//! and the page a password reset link opens.

use chrono::{DateTime, Utc};
use maud::{Markup, html};

use super::{Chrome, csrf_field, date_time, error_summary, layout};
use crate::domain::FieldErrors;
use crate::domain::people::ApiTokenInfo;

/// A token just created: shown once, never again.
pub struct NewToken {
    pub label: String,
    pub token: String,
}

pub struct AccountPage<'a> {
    pub tokens: &'a [ApiTokenInfo],
    /// Local accounts are on and this person has a password.
    pub can_change_password: bool,
    pub errors: &'a FieldErrors,
    pub new_token: Option<NewToken>,
    pub notice: Option<&'a str>,
    pub now: DateTime<Utc>,
}

pub(super) fn field_error(errors: &FieldErrors, field: &str) -> Markup {
    html! { @if let Some(message) = errors.get(field) { p.field-error id={ (field) "-error" } { (message) } } }
}

/// "live", "expired" or "revoked", as the token's status.
pub fn token_status(token: &ApiTokenInfo, now: DateTime<Utc>) -> &'static str {
    if token.revoked_at.is_some() {
        "revoked"
    } else if token.expires_at.is_some_and(|at| at <= now) {
        "expired"
    } else {
        "live"
    }
}

/// The tokens table; `show_owner` for the admin's list of everyone's.
pub fn tokens_table(
    chrome: &Chrome<'_>,
    tokens: &[ApiTokenInfo],
    now: DateTime<Utc>,
    show_owner: bool,
) -> Markup {
    html! {
        @if tokens.is_empty() {
            p { "No API tokens." }
        } @else {
            table.feedback {
                thead { tr {
                    th { "Label" }
                    @if show_owner { th { "Owner" } }
                    th { "Created" } th { "Last used" } th { "Expires" } th { "Status" } th { "" }
                } }
                tbody {
                    @for token in tokens {
                        @let status = token_status(token, now);
                        tr {
                            td data-label="Label" { (token.label) }
                            @if show_owner { td data-label="Owner" { (token.owner) } }
                            td data-label="Created" { (date_time(token.created_at)) }
                            td data-label="Last used" { @if let Some(at) = token.last_used_at { (date_time(at)) } @else { "never" } }
                            td data-label="Expires" { @if let Some(at) = token.expires_at { (date_time(at)) } @else { "never" } }
                            td data-label="Status" { (status) }
                            td {
                                @if status == "live" {
                                    form.inline method="post" action={ "/account/tokens/" (token.id) "/revoke" } {
                                        (csrf_field(chrome.csrf))
                                        button.link type="submit" { "Revoke" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn account_page(chrome: &Chrome<'_>, page: &AccountPage<'_>) -> Markup {
    let errors = page.errors;
    layout(
        "Your account",
        chrome,
        html! {
            h1 { "Your account" }
            @if let Some(viewer) = chrome.viewer {
                p { (viewer.name) " · " (viewer.email) " · " (viewer.role) @if let Some(team) = &viewer.team { " · " (team) } }
            }
            @if let Some(notice) = page.notice { p.notice role="status" { (notice) } }
            (error_summary(errors))
            @if page.can_change_password {
                section.narrow {
                    h2 { "Change your password" }
                    p { "At least 12 characters; a few unrelated words make a good one. Changing it signs you out everywhere else." }
                    form method="post" action="/account/password" {
                        (csrf_field(chrome.csrf))
                        label for="current" { "Current password" }
                        input #current type="password" name="current" autocomplete="current-password" required;
                        (field_error(errors, "current"))
                        label for="new" { "New password" }
                        input #new type="password" name="new" autocomplete="new-password" minlength="12" required;
                        (field_error(errors, "new"))
                        label for="confirm" { "New password again" }
                        input #confirm type="password" name="confirm" autocomplete="new-password" required;
                        (field_error(errors, "confirm"))
                        button type="submit" { "Change password" }
                    }
                }
            }
            section {
                h2 { "API tokens" }
                p { "A token acts as you in the API: send it as " code { "Authorization: Bearer <token>" } "." }
                @if let Some(new_token) = &page.new_token {
                    div.notice role="status" {
                        p { "Your new token " strong { (new_token.label) } " (shown once; only its hash is kept):" }
                        p { code #new-token { (new_token.token) } }
                    }
                }
                (tokens_table(chrome, page.tokens, page.now, false))
                form method="post" action="/account/tokens" {
                    (csrf_field(chrome.csrf))
                    label for="label" { "Label" }
                    input #label type="text" name="label" maxlength="100" required placeholder="incident bot";
                    (field_error(errors, "label"))
                    label for="expires_in_days" { "Expires after (days, empty for never)" }
                    input #expires_in_days type="number" name="expires_in_days" min="1" max="730" value="90";
                    (field_error(errors, "expires_in_days"))
                    button type="submit" { "Create token" }
                }
            }
            section {
                h2 { "Sessions" }
                form method="post" action="/account/sign-out-everywhere" {
                    (csrf_field(chrome.csrf))
                    p { "Signed in on a computer you no longer use? This ends every session of yours, this one included." }
                    button type="submit" { "Sign out everywhere" }
                }
            }
        },
    )
}

pub fn reset_page(chrome: &Chrome<'_>, email: &str, errors: &FieldErrors) -> Markup {
    layout(
        "Choose a new password",
        chrome,
        html! {
            section.narrow {
                h1 { "Choose a new password" }
                p { "For " (email) ". At least 12 characters; this link works once." }
                (error_summary(errors))
                form method="post" {
                    (csrf_field(chrome.csrf))
                    label for="new" { "New password" }
                    input #new type="password" name="new" autocomplete="new-password" minlength="12" required;
                    (field_error(errors, "new"))
                    label for="confirm" { "New password again" }
                    input #confirm type="password" name="confirm" autocomplete="new-password" required;
                    (field_error(errors, "confirm"))
                    button type="submit" { "Set password and sign in" }
                }
            }
        },
    )
}
