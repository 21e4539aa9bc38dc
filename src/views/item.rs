//! A feedback item's page: what its author sees (replies, public tags, the
//! plan it is part of) and, for the platform team, triage on one form.

use maud::{Markup, html};

use super::feedback::{item_title, rating, status_badge};
use super::picker::{Picker, PickerKind, picker};
use super::{Chrome, csrf_field, date_time, error_summary, field_error, layout};
use crate::domain::feedback::{Feedback, Note};
use crate::domain::triage::TriageDraft;
use crate::domain::triage::{PublicPlan, Reply};
use crate::domain::{FeedbackStatus, FieldErrors};

/// What the platform team gets on the page besides the item.
pub struct TeamPart<'a> {
    pub notes: &'a [Note],
    pub pain_points: &'a [(i64, String)],
    pub members: &'a [(i64, String)],
    /// The triage form's values: the item's own, or as typed when it came back.
    pub draft: &'a TriageDraft,
    pub reply: &'a str,
    pub errors: &'a FieldErrors,
    /// The next item waiting in the inbox, for "save and next".
    pub next: Option<i64>,
    /// Pain points this item is evidence for: (id, title).
    pub evidence_for: &'a [(i64, String)],
}

/// One item's page.
pub struct ItemPage<'a> {
    pub item: &'a Feedback,
    pub replies: &'a [Reply],
    /// Tags the submitter may see (all of them for the team).
    pub shown_tags: &'a [String],
    pub plans: &'a [PublicPlan],
    /// A confirmation of what was just saved.
    pub saved: Option<&'a str>,
    pub team: Option<TeamPart<'a>>,
}

/// The item as its author or the team reads it.
pub fn item_article(item: &Feedback, shown_tags: &[String], show_author: bool) -> Markup {
    html! {
        article.feedback-item {
            p.meta {
                "Feedback #" (item.id) " on " code { (item.service_slug) } " · " (item.kind.as_str())
                " · " (rating(item.rating)) " · " (status_badge(item.status))
            }
            h1 { (item_title(item)) }
            div.body { (item.body) }
            p.meta {
                "Received " (date_time(item.created_at))
                @match &item.author {
                    Some(author) if show_author => {
                        " from " (author.name)
                        @if let Some(team) = &author.team { " (" (team) ")" }
                        @if item.contact_ok { " · happy to be contacted" }
                    }
                    Some(_) => {}
                    None => " · anonymous",
                }
            }
            @if !shown_tags.is_empty() {
                ul.tags aria-label="Tags" { @for tag in shown_tags { li { (tag) } } }
            }
        }
    }
}

/// The plan an item is part of and the team's replies, as its submitter sees them.
pub fn follow_up(plans: &[PublicPlan], replies: &[Reply]) -> Markup {
    html! {
        @if !plans.is_empty() {
            section.plan {
                h2 { "Part of the plan" }
                ul {
                    @for plan in plans {
                        li {
                            a href={ "/roadmap/" (plan.id) } { (plan.title) }
                            " · " span.badge { (plan.status.label()) }
                            @if let Some(quarter) = &plan.target_quarter { " · " (quarter) }
                        }
                    }
                }
            }
        }
        section.replies {
            h2 { "Replies from the platform team" }
            @if replies.is_empty() {
                p.hint { "No reply yet." }
            }
            @for reply in replies {
                div.note.reply {
                    p.meta { (reply.author_name) " · " (date_time(reply.created_at)) }
                    div.body { (reply.body) }
                }
            }
        }
    }
}

pub fn item_page(chrome: &Chrome<'_>, page: &ItemPage<'_>) -> Markup {
    let item = page.item;
    layout(
        &item_title(item),
        chrome,
        html! {
            p.back {
                @if page.team.is_some() { a href="/inbox" { "← Inbox" } } @else { a href="/feedback/mine" { "← My feedback" } }
            }
            @if let Some(saved) = page.saved {
                p.notice role="status" { (saved) }
            }
            (item_article(item, page.shown_tags, page.team.is_some()))
            @match &page.team {
                Some(team) => (team_part(chrome, item, page.replies, team)),
                None => (follow_up(page.plans, page.replies)),
            }
        },
    )
}

fn team_part(
    chrome: &Chrome<'_>,
    item: &Feedback,
    replies: &[Reply],
    team: &TeamPart<'_>,
) -> Markup {
    let draft = team.draft;
    let errors = team.errors;
    let assignee = draft.assignee.trim().parse::<i64>().ok();
    html! {
        section.triage #triage-section {
            h2 { "Triage" }
            (error_summary(errors))
            @if !team.evidence_for.is_empty() {
                p { "Evidence for: "
                    @for (index, (id, title)) in team.evidence_for.iter().enumerate() {
                        @if index > 0 { ", " }
                        a href={ "/pain-points/" (id) } { (title) }
                    }
                }
            }
            form #triage method="post" action={ "/feedback/" (item.id) "/triage" } data-save-inline="" {
                (csrf_field(chrome.csrf))
                div.triage-grid {
                    div {
                        label for="status" { "Status" }
                        select #status name="status" {
                            @for status in FeedbackStatus::ALL {
                                option value=(status.as_str()) selected[draft.status == status.as_str()] { (status.as_str()) }
                            }
                        }
                        (field_error(errors, "status"))
                    }
                    div {
                        (picker(&Picker { kind: PickerKind::TeamMember, name: "assignee", id: "assignee", label: "Assignee", choices: team.members, chosen: assignee, form: None, required: false }))
                        (field_error(errors, "assignee"))
                    }
                    div.wide {
                        label for="tags" { "Tags" }
                        input #tags type="text" name="tags" value=(draft.tags) placeholder="caching, flaky" aria-describedby="tags-hint";
                        p.hint #tags-hint { "The whole set, separated by commas or spaces. Tags are internal unless marked public on " a href="/tags" { "Tags" } "." }
                        (field_error(errors, "tags"))
                    }
                    div {
                        (picker(&Picker { kind: PickerKind::PainPoint, name: "pain_points", id: "pain_points", label: "Add as evidence for", choices: team.pain_points, chosen: None, form: None, required: false }))
                        (field_error(errors, "pain_points"))
                    }
                    div {
                        label for="new_pain_point" { "…or a new pain point from this" }
                        input #new_pain_point type="text" name="new_pain_point" value=(draft.new_pain_point) placeholder="title in the user's words";
                        (field_error(errors, "new_pain_point"))
                    }
                    div.wide {
                        label for="note" { "Internal note (only the platform team sees it)" }
                        textarea #note name="note" rows="2" { (draft.note) }
                        (field_error(errors, "note"))
                    }
                }
                div.actions {
                    button type="submit" name="then" value="stay" { "Save" }
                    @if let Some(next) = team.next {
                        " "
                        button type="submit" name="then" value="next" { "Save and next item" }
                        " " a href={ "/feedback/" (next) } { "Skip to next item" }
                    }
                }
                p.hint { "Press " kbd { "Ctrl" } "+" kbd { "Enter" } " to save and go to the next item." }
            }
        }
        @if !team.notes.is_empty() {
            section.triage {
                h2 { "Internal notes" }
                @for note in team.notes {
                    div.note {
                        p.meta { (note.author_name) " · " (date_time(note.created_at)) }
                        div.body { (note.body) }
                    }
                }
            }
        }
        section.triage #replies {
            h2 { "Replies to the submitter" }
            @for reply in replies {
                div.note.reply {
                    p.meta { (reply.author_name) " · " (date_time(reply.created_at)) }
                    div.body { (reply.body) }
                }
            }
            form method="post" action={ "/feedback/" (item.id) "/replies" } {
                (csrf_field(chrome.csrf))
                label for="reply" { "Reply" }
                textarea #reply name="reply" rows="3"
                    aria-invalid=[errors.get("reply").map(|_| "true")]
                    aria-describedby="reply-hint" { (team.reply) }
                p.hint #reply-hint {
                    @match &item.author {
                        Some(_) => "The submitter sees it under My feedback and gets it by email.",
                        None => "Anonymous: it is shown on the private page the submitter was given, if they kept its link; nobody is emailed.",
                    }
                }
                (field_error(errors, "reply"))
                button type="submit" { "Send reply" }
            }
        }
        p { a.danger-link href={ "/feedback/" (item.id) "/delete" } { "Delete this feedback…" } }
    }
}
