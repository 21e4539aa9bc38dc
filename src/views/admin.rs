//! The admin's pages: people, a person, teams, everyone's tokens, the audit log.

use chrono::{DateTime, Utc};
use maud::{Markup, html};

use super::account::{field_error, tokens_table};
use super::{Chrome, csrf_field, date_time, error_summary, layout};
use crate::domain::audit::{AuditAction, AuditEntry, AuditFilter};
use crate::domain::people::{ApiTokenInfo, Person, Team};
use crate::domain::{FieldErrors, Role};

fn admin_nav() -> Markup {
    html! {
        nav.tabs aria-label="Administration" {
            a href="/admin/people" { "People" } " · "
            a href="/admin/teams" { "Teams" } " · "
            a href="/admin/tokens" { "API tokens" } " · "
            a href="/admin/audit" { "Audit log" }
        }
    }
}

pub fn people_page(chrome: &Chrome<'_>, query: &str, people: &[Person]) -> Markup {
    layout(
        "People",
        chrome,
        html! {
            h1 { "People" }
            (admin_nav())
            form method="get" action="/admin/people" role="search" {
                label for="q" { "Find people by name, email or team" }
                input #q type="search" name="q" value=(query);
                button type="submit" { "Find" }
            }
            @if people.is_empty() {
                p { "Nobody matches." }
            } @else {
                table.feedback {
                    thead { tr { th { "Name" } th { "Email" } th { "Role" } th { "Team" } th { "Signs in with" } th { "Last sign-in" } th { "Status" } } }
                    tbody {
                        @for person in people {
                            tr {
                                td data-label="Name" { a href={ "/admin/people/" (person.id) } { (person.name) } }
                                td data-label="Email" { (person.email) }
                                td data-label="Role" { (person.role) }
                                td data-label="Team" { (person.team.as_deref().unwrap_or("")) }
                                td data-label="Signs in with" { (person.sign_in) }
                                td data-label="Last sign-in" { @if let Some(at) = person.last_sign_in_at { (date_time(at)) } @else { "never" } }
                                td data-label="Status" { @if person.deactivated_at.is_some() { "deactivated" } @else { "active" } }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub struct PersonPage<'a> {
    pub person: &'a Person,
    pub teams: &'a [Team],
    pub errors: &'a FieldErrors,
    pub notice: Option<&'a str>,
    pub can_send_reset: bool,
}

pub fn person_page(chrome: &Chrome<'_>, page: &PersonPage<'_>) -> Markup {
    let person = page.person;
    layout(
        &person.name,
        chrome,
        html! {
            h1 { (person.name) }
            (admin_nav())
            p { (person.email) " · signs in with " (person.sign_in)
                @if let Some(at) = person.deactivated_at { " · deactivated on " (date_time(at)) } }
            @if let Some(notice) = page.notice { p.notice role="status" { (notice) } }
            (error_summary(page.errors))
            section.narrow {
                h2 { "Role and team" }
                p { "Changing the role signs the person out; they sign in again with the new role." }
                form method="post" action={ "/admin/people/" (person.id) } {
                    (csrf_field(chrome.csrf))
                    label for="role" { "Role" }
                    select #role name="role" {
                        @for role in Role::ALL {
                            option value=(role.as_str()) selected[*role == person.role] { (role.label()) }
                        }
                    }
                    (field_error(page.errors, "role"))
                    label for="team" { "Team" }
                    select #team name="team" {
                        option value="" selected[person.team.is_none()] { "no team" }
                        @for team in page.teams {
                            option value=(team.slug) selected[person.team.as_deref() == Some(team.slug.as_str())] { (team.name) " (" (team.slug) ")" }
                        }
                    }
                    (field_error(page.errors, "team"))
                    button type="submit" { "Save" }
                }
            }
            section.narrow {
                h2 { "Access" }
                form method="post" action={ "/admin/people/" (person.id) } {
                    (csrf_field(chrome.csrf))
                    @if person.deactivated_at.is_some() {
                        input type="hidden" name="action" value="reactivate";
                        button type="submit" { "Reactivate" }
                    } @else {
                        input type="hidden" name="action" value="deactivate";
                        p { "Deactivating ends their sessions and API tokens at once. Their feedback stays, under their name." }
                        button.danger type="submit" { "Deactivate" }
                    }
                }
                @if page.can_send_reset {
                    form method="post" action={ "/admin/people/" (person.id) "/reset" } {
                        (csrf_field(chrome.csrf))
                        p { "Mail them a link to choose a new password (it works once, for a day)." }
                        button type="submit" { "Send a password reset link" }
                    }
                }
            }
        },
    )
}

pub fn teams_page(chrome: &Chrome<'_>, teams: &[Team], errors: &FieldErrors) -> Markup {
    layout(
        "Teams",
        chrome,
        html! {
            h1 { "Teams" }
            (admin_nav())
            (error_summary(errors))
            table.feedback {
                thead { tr { th { "Team" } th { "Slug" } th { "People" } th { "Rename" } th { "Merge into" } } }
                tbody {
                    @for team in teams {
                        tr {
                            td data-label="Team" { (team.name) }
                            td data-label="Slug" { code { (team.slug) } }
                            td data-label="People" { (team.members) }
                            td data-label="Rename" {
                                form.inline method="post" action={ "/admin/teams/" (team.slug) } {
                                    (csrf_field(chrome.csrf))
                                    input type="text" name="name" value=(team.name) aria-label={ "New name for " (team.name) } maxlength="100";
                                    button type="submit" { "Rename" }
                                }
                            }
                            td data-label="Merge into" {
                                form.inline method="post" action={ "/admin/teams/" (team.slug) } {
                                    (csrf_field(chrome.csrf))
                                    select name="merge_into" aria-label={ "Merge " (team.name) " into" } {
                                        @for other in teams.iter().filter(|other| other.id != team.id) {
                                            option value=(other.slug) { (other.name) }
                                        }
                                    }
                                    button type="submit" { "Merge" }
                                }
                            }
                        }
                    }
                }
            }
            section.narrow {
                h2 { "New team" }
                form method="post" action="/admin/teams" {
                    (csrf_field(chrome.csrf))
                    label for="slug" { "Slug (lowercase letters, digits, dashes)" }
                    input #slug type="text" name="slug" maxlength="50" required;
                    (field_error(errors, "slug"))
                    label for="name" { "Name" }
                    input #name type="text" name="name" maxlength="100" required;
                    (field_error(errors, "name"))
                    button type="submit" { "Create team" }
                }
            }
        },
    )
}

pub fn tokens_page(chrome: &Chrome<'_>, tokens: &[ApiTokenInfo], now: DateTime<Utc>) -> Markup {
    layout(
        "API tokens",
        chrome,
        html! {
            h1 { "Everyone's API tokens" }
            (admin_nav())
            (tokens_table(chrome, tokens, now, true))
        },
    )
}

pub fn audit_page(chrome: &Chrome<'_>, filter: &AuditFilter, entries: &[AuditEntry]) -> Markup {
    let text = filter.text.as_deref().unwrap_or("");
    let export = serde_html_form::to_string([
        ("action", filter.action.map_or("", AuditAction::as_str)),
        ("q", text),
    ])
    .unwrap_or_default();
    layout(
        "Audit log",
        chrome,
        html! {
            h1 { "Audit log" }
            (admin_nav())
            form method="get" action="/admin/audit" {
                label for="action" { "What" }
                select #action name="action" {
                    option value="" { "everything" }
                    @for action in AuditAction::ALL {
                        option value=(action.as_str()) selected[filter.action == Some(*action)] { (action.label()) }
                    }
                }
                label for="q" { "Who or what (email, person:12, feedback:7)" }
                input #q type="search" name="q" value=(text);
                button type="submit" { "Filter" }
            }
            p { a href={ "/admin/audit.jsonl?" (export) } download { "Export these lines as JSON lines" } }
            @if entries.is_empty() {
                p { "Nothing recorded matches." }
            } @else {
                table.feedback {
                    thead { tr { th { "When" } th { "Who" } th { "What" } th { "Subject" } th { "Detail" } } }
                    tbody {
                        @for entry in entries {
                            tr {
                                td data-label="When" { (date_time(entry.at)) }
                                td data-label="Who" { (entry.actor) }
                                td data-label="What" { (entry.action.label()) }
                                td data-label="Subject" { (entry.subject) }
                                td data-label="Detail" { (entry.detail) }
                            }
                        }
                    }
                }
            }
        },
    )
}
