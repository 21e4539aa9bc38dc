//! The /digests page and the unsubscribe page.

use chrono::{DateTime, Utc};
use maud::{Markup, html};

use super::{Chrome, csrf_field, date_time, layout};
use crate::domain::FieldErrors;
use crate::domain::digest::{Cadence, Section, Subscription, SubscriptionDraft};
use crate::domain::outbox::OutboxMessage;
use crate::domain::service::Service;

pub struct DigestsPage<'a> {
    pub subscriptions: &'a [Subscription],
    pub messages: &'a [OutboxMessage],
    pub services: &'a [Service],
    pub draft: &'a SubscriptionDraft,
    pub errors: &'a FieldErrors,
    /// Team members may subscribe any address; others only themselves.
    pub can_subscribe_others: bool,
    pub now: DateTime<Utc>,
}

fn describe(subscription: &Subscription) -> String {
    let schedule = subscription.schedule;
    let when = match schedule.cadence {
        Cadence::Weekly(weekday) => format!("Weekly on {weekday}"),
        Cadence::Monthly => "Monthly on the 1st".to_owned(),
    };
    format!(
        "{when} at {:02}:{:02} {}",
        schedule.hour,
        schedule.minute,
        schedule.timezone.name()
    )
}

fn error(errors: &FieldErrors, field: &str) -> Markup {
    html! { @if let Some(message) = errors.get(field) { p.field-error id={ (field) "-error" } { (message) } } }
}

pub fn digests_page(chrome: &Chrome<'_>, page: &DigestsPage<'_>) -> Markup {
    let draft = page.draft;
    layout(
        "Satisfaction summaries",
        chrome,
        html! {
            h1 { "Satisfaction summaries" }
            p.lede { "A summary of what internal users said, by email, weekly or monthly. Stakeholders read it without signing in." }
            @if page.subscriptions.is_empty() {
                p { "No subscriptions yet." }
            } @else {
                table.feedback {
                    thead { tr { th { "Address" } th { "Schedule" } th { "Services" } th { "Sections" } th { "Next" } th { "" } } }
                    tbody {
                        @for subscription in page.subscriptions {
                            tr {
                                td data-label="Address" { (subscription.email) }
                                td data-label="Schedule" { (describe(subscription)) }
                                td data-label="Services" {
                                    @if subscription.services.is_empty() { "all" } @else { (subscription.services.join(", ")) }
                                }
                                td data-label="Sections" {
                                    @if subscription.sections.is_empty() { "all" } @else {
                                        (subscription.sections.iter().map(|section| section.label()).collect::<Vec<_>>().join(", "))
                                    }
                                }
                                td data-label="Next" {
                                    @if subscription.unsubscribed_at.is_some() { em { "unsubscribed" } }
                                    @else { (date_time(subscription.schedule.in_progress(page.now).send_at)) }
                                }
                                td {
                                    a href={ "/digests/" (subscription.id) "/preview" } { "Preview" }
                                    @if subscription.unsubscribed_at.is_none() {
                                        form.inline method="post" action={ "/digests/" (subscription.id) "/unsubscribe" } {
                                            (csrf_field(chrome.csrf))
                                            button.link type="submit" { "Unsubscribe" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section.narrow {
                h2 { "Subscribe" }
                form method="post" action="/digests" {
                    (csrf_field(chrome.csrf))
                    label for="email" { "Email address" }
                    @if page.can_subscribe_others {
                        input #email type="email" name="email" value=(draft.email) required;
                    } @else {
                        input #email type="email" name="email" value=(draft.email) readonly;
                    }
                    (error(page.errors, "email"))
                    label for="cadence" { "How often" }
                    select #cadence name="cadence" {
                        option value="weekly" selected[draft.cadence != "monthly"] { "Weekly" }
                        option value="monthly" selected[draft.cadence == "monthly"] { "Monthly, on the 1st" }
                    }
                    (error(page.errors, "cadence"))
                    label for="weekday" { "Day (weekly)" }
                    select #weekday name="weekday" {
                        @for day in ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] {
                            option value=(day) selected[draft.weekday == day] { (day[..1].to_uppercase()) (day[1..]) }
                        }
                    }
                    (error(page.errors, "weekday"))
                    label for="hour" { "Time (like 8 or 08:30)" }
                    input #hour type="text" inputmode="numeric" name="hour" value=(if draft.hour.is_empty() { "8" } else { &draft.hour });
                    (error(page.errors, "hour"))
                    label for="timezone" { "Time zone" }
                    input #timezone type="text" name="timezone" placeholder="Europe/Berlin" value=(if draft.timezone.is_empty() { "UTC" } else { &draft.timezone });
                    (error(page.errors, "timezone"))
                    fieldset {
                        legend { "Services (none ticked: all)" }
                        @for service in page.services {
                            label.choice {
                                input type="checkbox" name="services" value=(service.slug) checked[draft.services.contains(&service.slug)];
                                (service.name)
                            }
                        }
                    }
                    (error(page.errors, "services"))
                    @if !page.can_subscribe_others {
                        p.hint { "Your summary lists the roadmap items that shipped, with the pain points they answered." }
                    } @else {
                    fieldset {
                        legend { "Sections (none ticked: all)" }
                        @for section in Section::ALL {
                            label.choice {
                                input type="checkbox" name="sections" value=(section.as_str()) checked[draft.sections.iter().any(|chosen| chosen == section.as_str())];
                                (section.title())
                            }
                        }
                    }
                    }
                    (error(page.errors, "sections"))
                    button type="submit" { "Subscribe" }
                }
            }
            @if !page.messages.is_empty() {
                h2 { "Recent messages" }
                table.feedback {
                    thead { tr { th { "To" } th { "Subject" } th { "Status" } th { "Attempts" } th { "Queued" } } }
                    tbody {
                        @for message in page.messages {
                            tr {
                                td data-label="To" { (message.to_address) }
                                td data-label="Subject" { (message.subject) }
                                td data-label="Status" {
                                    span class={ "badge status-" (message.status) } { (message.status) }
                                    @if let Some(error) = &message.last_error { br; small { (error) } }
                                }
                                td data-label="Attempts" { (message.attempts) }
                                td.nowrap data-label="Queued" { (date_time(message.created_at)) }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub fn unsubscribe_page(chrome: &Chrome<'_>, token: &str, done: Option<&str>) -> Markup {
    layout(
        "Unsubscribe",
        chrome,
        html! {
            section.narrow {
                @match done {
                    Some(email) => {
                        h1 { "Unsubscribed" }
                        p role="status" { (email) " will get no more Earshot summaries from this subscription." }
                        form method="post" action={ "/unsubscribe/" (token) "/undo" } {
                            (csrf_field(chrome.csrf))
                            button type="submit" { "Undo: keep sending them" }
                        }
                    }
                    None => {
                        h1 { "Unsubscribe from Earshot summaries?" }
                        form method="post" action={ "/unsubscribe/" (token) } {
                            (csrf_field(chrome.csrf))
                            button type="submit" { "Unsubscribe" }
                        }
                    }
                }
            }
        },
    )
}

/// After undoing an unsubscribe, from the page that confirmed it.
pub fn resubscribed_page(chrome: &Chrome<'_>, token: &str, email: &str) -> Markup {
    layout(
        "Subscribed again",
        chrome,
        html! {
            section.narrow {
                h1 { "Subscribed again" }
                p role="status" { (email) " will get these Earshot summaries again, from the next one on." }
                form method="post" action={ "/unsubscribe/" (token) } {
                    (csrf_field(chrome.csrf))
                    button type="submit" { "Unsubscribe after all" }
                }
            }
        },
    )
}
