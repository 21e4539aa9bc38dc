//! Feedback pages: the form, the thank-you page, "my feedback", the triage
//! inbox and an item's page.

use maud::{Markup, html};

use super::{Chrome, csrf_field, date, date_time, layout};
use crate::db::feedback::{Feedback, FeedbackFilter, Note};
use crate::db::services::Service;
use crate::domain::feedback::{BODY_MAX_CHARS, TITLE_MAX_CHARS};
use crate::domain::{FeedbackDraft, FeedbackKind, FeedbackStatus, FieldErrors};

fn kind_label(kind: FeedbackKind) -> &'static str {
    match kind {
        FeedbackKind::Pain => "Something is painful",
        FeedbackKind::Idea => "An idea",
        FeedbackKind::Praise => "Praise",
        FeedbackKind::Question => "A question",
    }
}

fn field_error(errors: &FieldErrors, field: &str) -> Markup {
    html! {
        @if let Some(message) = errors.get(field) {
            p.field-error id={ (field) "-error" } { (message) }
        }
    }
}

pub fn feedback_form(
    chrome: &Chrome<'_>,
    services: &[Service],
    draft: &FeedbackDraft,
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
                    div #similar hidden {
                        p { "Already said? Similar items you can open:" }
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
                    button type="submit" { "Send feedback" }
                }
                script src="/static/earshot.js" defer {}
            }
        },
    )
}

pub fn thanks(chrome: &Chrome<'_>, id: Option<i64>) -> Markup {
    layout(
        "Thank you",
        chrome,
        html! {
            section.narrow {
                h1 { "Thank you" }
                p { "The platform team reads every piece of feedback." }
                @if let Some(id) = id {
                    p { "You can follow it at " a href={ "/feedback/" (id) } { "feedback #" (id) } "." }
                } @else {
                    p { "It was stored without your name, so it does not appear under My feedback." }
                }
                p { a href="/feedback/new" { "Give more feedback" } }
            }
        },
    )
}

fn rating(rating: Option<u8>) -> Markup {
    html! {
        @match rating {
            Some(value) => span.rating title={ "Satisfaction " (value) " of 5" } { (value) "/5" },
            None => span.rating.none { "–" },
        }
    }
}

fn item_title(item: &Feedback) -> String {
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

fn status_badge(status: FeedbackStatus) -> Markup {
    html! { span class={ "badge status-" (status.as_str()) } { (status.as_str()) } }
}

fn feedback_table(items: &[Feedback], show_author: bool, select_into: Option<&str>) -> Markup {
    html! {
        table.feedback {
            thead {
                tr {
                    @if select_into.is_some() { th { span.visually-hidden { "Select" } } }
                    th { "Feedback" } th { "Service" } th { "Kind" } th { "Rating" } th { "Status" }
                    @if show_author { th { "From" } }
                    th { "Received" }
                }
            }
            tbody {
                @for item in items {
                    tr {
                        @if let Some(form) = select_into {
                            td {
                                input type="checkbox" name="feedback_ids" value=(item.id) form=(form)
                                    aria-label={ "Select feedback #" (item.id) };
                            }
                        }
                        td data-label="Feedback" { a href={ "/feedback/" (item.id) } { (item_title(item)) } }
                        td data-label="Service" { code.nowrap { (item.service_slug) } }
                        td data-label="Kind" { (item.kind.as_str()) }
                        td data-label="Rating" { (rating(item.rating)) }
                        td data-label="Status" { (status_badge(item.status)) }
                        @if show_author {
                            td data-label="From" {
                                @match &item.author {
                                    Some(author) => (author.name),
                                    None => em { "anonymous" },
                                }
                            }
                        }
                        td.nowrap data-label="Received" { (date(item.created_at)) }
                    }
                }
            }
        }
    }
}

pub fn my_feedback(chrome: &Chrome<'_>, items: &[Feedback]) -> Markup {
    layout(
        "My feedback",
        chrome,
        html! {
            h1 { "My feedback" }
            @if items.is_empty() {
                p { "You have not given feedback under your name yet. " a href="/feedback/new" { "Give feedback" } }
            } @else {
                (feedback_table(items, false, None))
            }
            p.hint { "Anonymous feedback is not listed here: it is stored without your name." }
        },
    )
}

/// The inbox page: filters, one page of items, and links to the others.
pub struct InboxPage<'a> {
    pub services: &'a [Service],
    pub filter: &'a FeedbackFilter,
    pub items: &'a [Feedback],
    pub total: u64,
    pub page: u32,
    pub page_size: u32,
    /// Pain points to link selected items to: (id, title).
    pub pain_points: &'a [(i64, String)],
}

impl InboxPage<'_> {
    fn page_link(&self, page: u32) -> String {
        let filter = self.filter;
        let pairs = [
            ("service", filter.service.clone().unwrap_or_default()),
            (
                "kind",
                filter
                    .kind
                    .map(|kind| kind.as_str().to_owned())
                    .unwrap_or_default(),
            ),
            (
                "status",
                filter
                    .status
                    .map(|status| status.as_str().to_owned())
                    .unwrap_or_default(),
            ),
            (
                "from",
                filter.from.map(|day| day.to_string()).unwrap_or_default(),
            ),
            (
                "to",
                filter.to.map(|day| day.to_string()).unwrap_or_default(),
            ),
            ("page", page.to_string()),
        ];
        let pairs: Vec<_> = pairs
            .into_iter()
            .filter(|(_, value)| !value.is_empty())
            .collect();
        format!(
            "/inbox?{}",
            serde_html_form::to_string(pairs).unwrap_or_default()
        )
    }

    fn last_page(&self) -> u32 {
        (self.total.div_ceil(u64::from(self.page_size)).max(1)) as u32
    }
}

pub fn inbox(chrome: &Chrome<'_>, inbox: &InboxPage<'_>) -> Markup {
    let filter = inbox.filter;
    layout(
        "Inbox",
        chrome,
        html! {
            h1 { "Inbox" }
            form.filters method="get" action="/inbox" {
                label { "Service "
                    select name="service" {
                        option value="" { "All" }
                        @for service in inbox.services {
                            option value=(service.slug) selected[filter.service.as_deref() == Some(service.slug.as_str())] { (service.name) }
                        }
                    }
                }
                label { "Kind "
                    select name="kind" {
                        option value="" { "All" }
                        @for kind in FeedbackKind::ALL {
                            option value=(kind.as_str()) selected[filter.kind == Some(*kind)] { (kind.as_str()) }
                        }
                    }
                }
                label { "Status "
                    select name="status" {
                        option value="" { "All" }
                        @for status in FeedbackStatus::ALL {
                            option value=(status.as_str()) selected[filter.status == Some(*status)] { (status.as_str()) }
                        }
                    }
                }
                label { "From " input type="date" name="from" value=[filter.from.map(|day| day.to_string())]; }
                label { "To " input type="date" name="to" value=[filter.to.map(|day| day.to_string())]; }
                button type="submit" { "Filter" }
                a href="/inbox" { "Clear" }
            }
            p.count { (inbox.total) @if inbox.total == 1 { " item" } @else { " items" } }
            @if inbox.items.is_empty() {
                p { "Nothing matches these filters." }
            } @else {
                @if !inbox.pain_points.is_empty() {
                    form.inline #link-form method="post" action="/pain-points/evidence" {
                        (csrf_field(chrome.csrf))
                        label for="pain_point" { "Link selected to " }
                        select #pain_point name="pain_point" {
                            @for (id, title) in inbox.pain_points { option value=(id) { (title) } }
                        }
                        button type="submit" { "Link to pain point" }
                    }
                }
                (feedback_table(inbox.items, true, (!inbox.pain_points.is_empty()).then_some("link-form")))
            }
            @if inbox.last_page() > 1 {
                nav.pager aria-label="Pages" {
                    @if inbox.page > 1 {
                        a rel="prev" href=(inbox.page_link(inbox.page - 1)) { "← Newer" }
                    }
                    span { "Page " (inbox.page) " of " (inbox.last_page()) }
                    @if inbox.page < inbox.last_page() {
                        a rel="next" href=(inbox.page_link(inbox.page + 1)) { "Older →" }
                    }
                }
            }
        },
    )
}

/// An item's page. `notes` is `Some` only for the platform team, who also
/// get the triage controls; `errors` come from a triage form sent back.
/// What was typed into a triage form that came back with an error.
#[derive(Debug, Default)]
pub struct TypedTriage {
    pub tags: String,
    pub note: String,
}

/// Pain points an item's page offers to link it to: (id, title).
pub type PainPointChoices = Vec<(i64, String)>;

pub fn detail(
    chrome: &Chrome<'_>,
    item: &Feedback,
    notes: Option<&[Note]>,
    errors: &FieldErrors,
    typed: &TypedTriage,
    pain_points: &[(i64, String)],
) -> Markup {
    let title = item_title(item);
    layout(
        &title,
        chrome,
        html! {
            p.back {
                @if notes.is_some() { a href="/inbox" { "← Inbox" } } @else { a href="/feedback/mine" { "← My feedback" } }
            }
            article.feedback-item {
                p.meta {
                    "Feedback #" (item.id) " on " code { (item.service_slug) } " · " (item.kind.as_str())
                    " · " (rating(item.rating)) " · " (status_badge(item.status))
                }
                h1 { (title) }
                div.body { (item.body) }
                p.meta {
                    "Received " (date_time(item.created_at))
                    @match &item.author {
                        Some(author) => {
                            " from " (author.name)
                            @if let Some(team) = &author.team { " (" (team) ")" }
                            @if item.contact_ok { " · happy to be contacted" }
                        }
                        None => " · anonymous",
                    }
                }
                @if !item.tags.is_empty() {
                    ul.tags {
                        @for tag in &item.tags {
                            li {
                                (tag)
                                @if notes.is_some() {
                                    form.inline method="post" action={ "/feedback/" (item.id) "/tags/remove" } {
                                        (csrf_field(chrome.csrf))
                                        input type="hidden" name="tag" value=(tag);
                                        button.link type="submit" aria-label={ "Remove tag " (tag) } { "×" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(notes) = notes {
                section.triage {
                    h2 { "Triage" }
                    form.inline method="post" action={ "/feedback/" (item.id) "/status" } {
                        (csrf_field(chrome.csrf))
                        label for="status" { "Status " }
                        select #status name="status" {
                            @for status in FeedbackStatus::ALL {
                                option value=(status.as_str()) selected[item.status == *status] { (status.as_str()) }
                            }
                        }
                        button type="submit" { "Set status" }
                    }
                    (field_error(errors, "status"))
                    form.inline method="post" action={ "/feedback/" (item.id) "/tags" } {
                        (csrf_field(chrome.csrf))
                        label for="tags" { "Add tags " }
                        input #tags type="text" name="tags" placeholder="caching, flaky" value=(typed.tags)
                            aria-describedby="tags-hint";
                        button type="submit" { "Add" }
                    }
                    p.hint #tags-hint { "Separate tags with commas or spaces; use - inside a tag (alert-fatigue)." }
                    (field_error(errors, "tags"))
                    @if !pain_points.is_empty() {
                        form.inline method="post" action="/pain-points/evidence" {
                            (csrf_field(chrome.csrf))
                            input type="hidden" name="feedback_ids" value=(item.id);
                            label for="pain_point" { "Evidence for " }
                            select #pain_point name="pain_point" {
                                @for (id, title) in pain_points { option value=(id) { (title) } }
                            }
                            button type="submit" { "Link" }
                        }
                    }
                    h2 { "Internal notes" }
                    p.hint { "Only the platform team sees these; the person who gave the feedback never does." }
                    @for note in notes {
                        div.note {
                            p.meta { (note.author_name) " · " (date_time(note.created_at)) }
                            div.body { (note.body) }
                        }
                    }
                    form method="post" action={ "/feedback/" (item.id) "/notes" } {
                        (csrf_field(chrome.csrf))
                        label for="note" { "Add a note" }
                        textarea #note name="body" rows="3" required { (typed.note) }
                        (field_error(errors, "body"))
                        button type="submit" { "Add note" }
                    }
                    p { a href={ "/feedback/" (item.id) "/delete" } { "Delete this feedback…" } }
                }
            }
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
                    p.notice { "It is evidence for these pain points; they keep the rest of their evidence, and their impact is recomputed without it:" }
                    ul { @for (id, pain_point) in evidence_for { li { a href={ "/pain-points/" (id) } { (pain_point) } } } }
                }
                p.hint { "Its tags and internal notes go with it. This cannot be undone." }
                form method="post" action={ "/feedback/" (item.id) "/delete" } {
                    (csrf_field(chrome.csrf))
                    button.danger type="submit" { "Delete it" }
                    " "
                    a href={ "/feedback/" (item.id) } { "Keep it" }
                }
            }
        },
    )
}
