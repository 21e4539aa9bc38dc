//! Feedback pages: the form, the thank-you page, "my feedback", the triage
//! inbox and an item's page.

use maud::{Markup, html};

use super::{Chrome, csrf_field, date, field_error, layout};
use crate::domain::feedback::{BODY_MAX_CHARS, Feedback, TITLE_MAX_CHARS};
use crate::domain::service::Service;
use crate::domain::triage::{PublicPlan, Reply};
use crate::domain::{FeedbackDraft, FeedbackKind, FeedbackStatus, FieldErrors};

fn kind_label(kind: FeedbackKind) -> &'static str {
    match kind {
        FeedbackKind::Pain => "Something is painful",
        FeedbackKind::Idea => "An idea",
        FeedbackKind::Praise => "Praise",
        FeedbackKind::Question => "A question",
    }
}

pub fn feedback_form(
    chrome: &Chrome<'_>,
    services: &[Service],
    draft: &FeedbackDraft,
    notify_status: bool,
    errors: &FieldErrors,
) -> Markup {
    layout(
        "Give feedback",
        chrome,
        html! {
            section.narrow {
                h1 { "Give feedback" }
                p.lede { "Tell the platform team what works and what gets in your way. It takes a minute." }
                (super::error_summary(errors))
                @if services.is_empty() {
                    p.error { "The services catalog is empty, so there is nothing to give feedback on yet. An admin can add services." }
                }
                form method="post" action="/feedback" novalidate {
                    (csrf_field(chrome.csrf))
                    label for="service" { "Service" }
                    select #service name="service" required
                        aria-invalid=[errors.get("service").map(|_| "true")]
                        aria-describedby=[errors.get("service").map(|_| "service-error")] {
                        option value="" { "Choose a service" }
                        @for service in services {
                            option value=(service.slug) selected[draft.service == service.slug] {
                                (service.name)
                            }
                        }
                    }
                    (field_error(errors, "service"))

                    fieldset #kind {
                        legend { "What is it?" }
                        @for kind in FeedbackKind::ALL {
                            label.choice {
                                input type="radio" name="kind" value=(kind.as_str()) checked[draft.kind == kind.as_str()];
                                (kind_label(*kind))
                            }
                        }
                    }
                    (field_error(errors, "kind"))

                    fieldset #rating {
                        legend { "How satisfied are you with this service? (optional)" }
                        label.choice {
                            input type="radio" name="rating" value="" checked[draft.rating.is_empty()];
                            "Rather not say"
                        }
                        @for rating in 1..=5 {
                            label.choice {
                                input type="radio" name="rating" value=(rating) checked[draft.rating == rating.to_string()];
                                (rating) @if rating == 1 { " (very unhappy)" } @if rating == 5 { " (very happy)" }
                            }
                        }
                    }
                    (field_error(errors, "rating"))

                    label for="title" { "Title (optional)" }
                    input #title type="text" name="title" value=(draft.title) maxlength=(TITLE_MAX_CHARS)
                        aria-invalid=[errors.get("title").map(|_| "true")]
                        aria-describedby=[errors.get("title").map(|_| "title-error")];
                    (field_error(errors, "title"))

                    label for="body" { "What happened, or what would help?" }
                    textarea #body name="body" rows="8" maxlength=(BODY_MAX_CHARS) required
                        aria-invalid=[errors.get("body").map(|_| "true")]
                        aria-describedby=[errors.get("body").map(|_| "body-error")] { (draft.body) }
                    (field_error(errors, "body"))
                    // Filled by earshot.js while the person types.
                    div #similar.notice hidden aria-live="polite" {
                        p { "Already said or planned? Items you can open:" }
                        ul {}
                    }

                    label.choice {
                        input type="checkbox" name="anonymous" value="true" checked[draft.anonymous];
                        "Submit anonymously (your name is not stored, only the hour; you will not see it under My feedback)"
                    }
                    p.hint { a href="/privacy" { "What is stored for anonymous feedback, and who sees what" } }
                    label.choice {
                        input type="checkbox" name="contact_ok" value="true" checked[draft.contact_ok];
                        "You may contact me about this"
                    }
                    (field_error(errors, "contact_ok"))
                    label.choice {
                        input type="checkbox" name="notify_status" value="true" checked[notify_status];
                        "Email me when its status changes (not for anonymous feedback)"
                    }
                    button type="submit" { "Send feedback" }
                }
            }
        },
    )
}

/// After feedback was given. For anonymous feedback, `private_link` (the
/// full address to keep, and its path on this site) is the only way back to
/// it: shown on this page once, and kept nowhere else.
pub fn thanks(
    chrome: &Chrome<'_>,
    id: Option<i64>,
    private_link: Option<&(String, String)>,
) -> Markup {
    layout(
        "Thank you",
        chrome,
        html! {
            section.narrow {
                h1 { "Thank you" }
                p { "The platform team reads every piece of feedback." }
                @if let Some(id) = id {
                    p { "You can follow it, and read the team's replies, at " a href={ "/feedback/" (id) } { "feedback #" (id) } " (also under My feedback)." }
                } @else {
                    p { "It was stored without your name, so it does not appear under My feedback." }
                }
                @if let Some((link, path)) = private_link {
                    div.notice {
                        p { strong { "Keep this private link to read the team's replies:" } }
                        p { a #private-link href=(path) { (link) } }
                        p.hint { "It is shown only this once. Earshot keeps no copy of it and does not tie it to your account, so nobody, not even the platform team, can find it again. Bookmark it or copy it somewhere safe." }
                    }
                }
                p { a href="/feedback/new" { "Give more feedback" } }
            }
        },
    )
}

pub(crate) fn rating(rating: Option<u8>) -> Markup {
    html! {
        @match rating {
            Some(value) => span.rating title={ "Satisfaction " (value) " of 5" } { (value) "/5" },
            None => span.rating.none { "–" },
        }
    }
}

pub(crate) fn item_title(item: &Feedback) -> String {
    match &item.title {
        Some(title) => title.clone(),
        None => {
            let mut excerpt: String = item.body.chars().take(80).collect();
            if item.body.chars().count() > 80 {
                excerpt.push('…');
            }
            excerpt
        }
    }
}

pub(crate) fn status_badge(status: FeedbackStatus) -> Markup {
    html! { span class={ "badge status-" (status.as_str()) } { (status.as_str()) } }
}

/// One of a person's own items, with what came of it.
pub struct MyItem {
    pub item: Feedback,
    pub replies: u32,
    pub plans: Vec<PublicPlan>,
}

pub fn my_feedback(chrome: &Chrome<'_>, items: &[MyItem]) -> Markup {
    layout(
        "My feedback",
        chrome,
        html! {
            h1 { "My feedback" }
            @if items.is_empty() {
                p { "You have not given feedback under your name yet. " a href="/feedback/new" { "Give feedback" } }
            } @else {
                table.feedback {
                    thead { tr { th { "Feedback" } th { "Service" } th { "Status" } th { "Plan" } th { "Replies" } th { "Received" } } }
                    tbody {
                        @for mine in items {
                            tr {
                                td data-label="Feedback" { a href={ "/feedback/" (mine.item.id) } { (item_title(&mine.item)) } }
                                td data-label="Service" { code.nowrap { (mine.item.service_slug) } }
                                td data-label="Status" { (status_badge(mine.item.status)) }
                                td data-label="Plan" {
                                    @for plan in &mine.plans {
                                        a href={ "/roadmap/" (plan.id) } { (plan.title) } " (" (plan.status.label()) ") "
                                    }
                                    @if mine.plans.is_empty() { span.hint { "–" } }
                                }
                                td data-label="Replies" {
                                    @if mine.replies > 0 { a href={ "/feedback/" (mine.item.id) "#replies" } { (mine.replies) } } @else { "0" }
                                }
                                td.nowrap data-label="Received" { (date(mine.item.created_at)) }
                            }
                        }
                    }
                }
            }
            p.hint { "Anonymous feedback is not listed here: it is stored without your name. Its replies are on the private page whose link you were given." }
        },
    )
}

/// Asks before deleting, and says which pain points lose this evidence.
pub fn confirm_delete(
    chrome: &Chrome<'_>,
    item: &Feedback,
    evidence_for: &[(i64, String)],
) -> Markup {
    let title = item_title(item);
    layout(
        &format!("Delete {title}?"),
        chrome,
        html! {
            section.narrow {
                p.back { a href={ "/feedback/" (item.id) } { "← " (title) } }
                h1 { "Delete this feedback?" }
                blockquote { (item.body) }
                @if evidence_for.is_empty() {
                    p { "It is not evidence for any pain point." }
                } @else {
                    p.notice { "This deletes " (super::count_of(evidence_for.len() as u64, "evidence link", "evidence links")) ": the pain points below keep the rest of their evidence, and their impact is recomputed without it." }
                    ul { @for (id, pain_point) in evidence_for { li { a href={ "/pain-points/" (id) } { (pain_point) } } } }
                }
                p.hint { "Its tags and internal notes go with it. This cannot be undone." }
                form method="post" action={ "/feedback/" (item.id) "/delete" } {
                    (csrf_field(chrome.csrf))
                    button.danger type="submit" {
                        @if evidence_for.is_empty() { "Delete it" } @else { "Delete it and " (super::count_of(evidence_for.len() as u64, "evidence link", "evidence links")) }
                    }
                    " "
                    a href={ "/feedback/" (item.id) } { "Keep it" }
                }
            }
        },
    )
}

/// An anonymous item's private page: the item as its submitter may see it,
/// the plan it is part of and the team's replies.
pub fn private_page(
    chrome: &Chrome<'_>,
    item: &Feedback,
    tags: &[String],
    plans: &[PublicPlan],
    replies: &[Reply],
) -> Markup {
    layout(
        "Your anonymous feedback",
        chrome,
        html! {
            p.hint { "This private page is reached only through its link; it shows your feedback without your name." }
            (super::item::item_article(item, tags, false))
            (super::item::follow_up(plans, replies))
        },
    )
}
