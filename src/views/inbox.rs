//! The triage inbox: filters that apply as they change, saved views, bulk
//! changes to selected items, and keyboard use (see `earshot.js`).

use maud::{Markup, html};

use super::feedback::{item_title, rating, status_badge};
use super::picker::{Picker, PickerKind, picker};
use super::{Chrome, csrf_field, date, error_summary, field_error, layout};
use crate::domain::feedback::{Assignee, Feedback, FeedbackFilter};
use crate::domain::service::Service;
use crate::domain::triage::SavedView;
use crate::domain::{FeedbackKind, FeedbackStatus, FieldErrors};

/// The inbox page: filters, one page of items, and links to the others.
pub struct InboxPage<'a> {
    pub services: &'a [Service],
    pub filter: &'a FeedbackFilter,
    /// A window relative to today: "today", "week" or "month".
    pub received: Option<&'a str>,
    /// The filter as a query string (without `page`), for links and views.
    pub query: &'a str,
    pub items: &'a [Feedback],
    pub total: u64,
    pub page: u32,
    pub page_size: u32,
    pub pain_points: &'a [(i64, String)],
    pub members: &'a [(i64, String)],
    pub tags: &'a [String],
    pub views: &'a [SavedView],
    /// What a bulk change just did.
    pub done: Option<&'a str>,
    pub errors: &'a FieldErrors,
}

impl InboxPage<'_> {
    fn page_link(&self, page: u32) -> String {
        if self.query.is_empty() {
            format!("/inbox?page={page}")
        } else {
            format!("/inbox?{}&page={page}", self.query)
        }
    }

    fn last_page(&self) -> u32 {
        (self.total.div_ceil(u64::from(self.page_size)).max(1)) as u32
    }
}

fn filters(inbox: &InboxPage<'_>) -> Markup {
    let filter = inbox.filter;
    html! {
        form.filters #inbox-filters method="get" action="/inbox" data-autosubmit="" {
            label { "Text "
                input type="search" name="text" value=[filter.text.as_deref()] placeholder="words in the feedback";
            }
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
            label { "Tag "
                select name="tag" {
                    option value="" { "All" }
                    @for tag in inbox.tags {
                        option value=(tag) selected[filter.tag.as_deref() == Some(tag.as_str())] { (tag) }
                    }
                }
            }
            label { "Assignee "
                select name="assignee" {
                    option value="" { "Anyone" }
                    option value="nobody" selected[filter.assignee == Some(Assignee::Nobody)] { "Nobody" }
                    @for (id, name) in inbox.members {
                        option value=(id) selected[filter.assignee == Some(Assignee::Person(*id))] { (name) }
                    }
                }
            }
            label { "Rating "
                select name="rating" {
                    option value="" { "Any" }
                    @for value in 1..=5u8 {
                        option value=(value) selected[filter.rating == Some(value)] { (value) }
                    }
                }
            }
            label { "Received "
                select name="received" {
                    @for (value, label) in [("", "Any time"), ("today", "Today"), ("week", "Last 7 days"), ("month", "Last 30 days")] {
                        option value=(value) selected[inbox.received.unwrap_or_default() == value] { (label) }
                    }
                }
            }
            label { "From " input type="date" name="from" value=[filter.from.map(|day| day.to_string())]; }
            label { "To " input type="date" name="to" value=[filter.to.map(|day| day.to_string())]; }
            button type="submit" { "Filter" }
            a href="/inbox" { "Clear" }
        }
    }
}

fn saved_views(chrome: &Chrome<'_>, inbox: &InboxPage<'_>) -> Markup {
    html! {
        div.views {
            @if !inbox.views.is_empty() {
                nav.saved-views aria-label="Saved views" {
                    span.hint { "Saved views: " }
                    @for view in inbox.views {
                        span.view {
                            a href={ "/inbox?" (view.query) } { (view.name) }
                            form.inline method="post" action={ "/inbox/views/" (view.id) "/delete" } {
                                (csrf_field(chrome.csrf))
                                button.link type="submit" aria-label={ "Delete view " (view.name) } { "×" }
                            }
                        }
                    }
                }
            }
            form.inline method="post" action="/inbox/views" {
                (csrf_field(chrome.csrf))
                input type="hidden" name="query" value=(inbox.query);
                label for="view_name" { "Save these filters as " }
                input #view_name type="text" name="view_name" placeholder="new this week for ci-runner"
                    aria-invalid=[inbox.errors.get("view_name").map(|_| "true")];
                button type="submit" { "Save view" }
                (field_error(inbox.errors, "view_name"))
            }
        }
    }
}

fn bulk_form(chrome: &Chrome<'_>, inbox: &InboxPage<'_>) -> Markup {
    html! {
        form.bulk #bulk method="post" action="/inbox/bulk" {
            (csrf_field(chrome.csrf))
            input type="hidden" name="back" value=(inbox.query);
            p.hint { "With the selected items:" }
            div.bulk-actions {
                span.group {
                    label for="bulk_status" { "Status " }
                    select #bulk_status name="bulk_status" {
                        @for status in FeedbackStatus::ALL { option value=(status.as_str()) { (status.as_str()) } }
                    }
                    button type="submit" name="action" value="status" { "Set status" }
                }
                span.group {
                    label for="bulk_tags" { "Tags " }
                    input #bulk_tags type="text" name="bulk_tags" placeholder="caching" size="12";
                    button type="submit" name="action" value="tags" { "Add tags" }
                }
                span.group {
                    (picker(&Picker { kind: PickerKind::TeamMember, name: "bulk_assignee", id: "bulk_assignee", label: "Assignee ", choices: inbox.members, chosen: None, form: None, required: false }))
                    button type="submit" name="action" value="assign" { "Assign" }
                }
                span.group {
                    (picker(&Picker { kind: PickerKind::PainPoint, name: "pain_point", id: "bulk_pain_point", label: "Pain point ", choices: inbox.pain_points, chosen: None, form: None, required: false }))
                    label for="bulk_new_pain_point" { "or a new one " }
                    input #bulk_new_pain_point type="text" name="new_pain_point" placeholder="title in the user's words" size="18";
                    button type="submit" name="action" value="link" { "Link as evidence" }
                }
            }
            @for field in ["bulk_status", "bulk_tags", "bulk_assignee", "pain_point", "new_pain_point", "feedback_ids", "action"] {
                (field_error(inbox.errors, field))
            }
        }
    }
}

fn items_table(inbox: &InboxPage<'_>) -> Markup {
    html! {
        table.feedback.inbox #inbox-items {
            thead {
                tr {
                    th { span.visually-hidden { "Select" } }
                    th { "Feedback" } th { "Service" } th { "Kind" } th { "Rating" } th { "Status" }
                    th { "Assignee" } th { "From" } th { "Received" }
                }
            }
            tbody {
                @for item in inbox.items {
                    tr data-item=(item.id) {
                        td {
                            input type="checkbox" name="feedback_ids" value=(item.id) form="bulk"
                                aria-label={ "Select feedback #" (item.id) };
                        }
                        td data-label="Feedback" { a.item-link href={ "/feedback/" (item.id) } { (item_title(item)) } }
                        td data-label="Service" { code.nowrap { (item.service_slug) } }
                        td data-label="Kind" { (item.kind.as_str()) }
                        td data-label="Rating" { (rating(item.rating)) }
                        td data-label="Status" { (status_badge(item.status)) }
                        td data-label="Assignee" {
                            @match &item.assignee { Some((_, name)) => (name), None => span.hint { "–" } }
                        }
                        td data-label="From" {
                            @match &item.author { Some(author) => (author.name), None => em { "anonymous" } }
                        }
                        td.nowrap data-label="Received" { (date(item.created_at)) }
                    }
                }
            }
        }
    }
}

pub fn inbox(chrome: &Chrome<'_>, inbox: &InboxPage<'_>) -> Markup {
    layout(
        "Inbox",
        chrome,
        html! {
            h1 { "Inbox" }
            (error_summary(inbox.errors))
            @if let Some(done) = inbox.done {
                p.notice role="status" { (done) }
            }
            (saved_views(chrome, inbox))
            (filters(inbox))
            p.count { (inbox.total) @if inbox.total == 1 { " item" } @else { " items" } }
            @if inbox.items.is_empty() {
                p { "Nothing matches these filters." }
            } @else {
                (bulk_form(chrome, inbox))
                (items_table(inbox))
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
            details.help #keys {
                summary { "Keyboard shortcuts" }
                dl {
                    dt { kbd { "j" } " / " kbd { "k" } } dd { "next / previous item" }
                    dt { kbd { "e" } } dd { "open the item to triage it (status, tags, assignee, pain points, note: one save)" }
                    dt { kbd { "x" } } dd { "select the item for a bulk change" }
                    dt { kbd { "l" } } dd { "link the selected items to a pain point" }
                    dt { kbd { "?" } } dd { "show or hide this help" }
                }
            }
        },
    )
}
