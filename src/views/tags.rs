//! Tags: the platform team's words for feedback, internal unless public.

use maud::{Markup, html};

use super::{Chrome, csrf_field, layout};

/// Every tag with whether submitters see it and how many items carry it.
pub fn tags_page(chrome: &Chrome<'_>, tags: &[(String, bool, u32)]) -> Markup {
    layout(
        "Tags",
        chrome,
        html! {
            h1 { "Tags" }
            p.lede { "Tags are internal: the person who gave feedback sees only the tags marked public here." }
            @if tags.is_empty() {
                p { "No tags yet: add them while triaging." }
            } @else {
                table {
                    thead { tr { th { "Tag" } th { "Items" } th { "Seen by submitters" } } }
                    tbody {
                        @for (name, public, count) in tags {
                            tr {
                                td { a href={ "/inbox?tag=" (name) } { (name) } }
                                td { (count) }
                                td {
                                    form.inline method="post" action={ "/tags/" (name) "/public" } {
                                        (csrf_field(chrome.csrf))
                                        @if *public {
                                            "Public "
                                            input type="hidden" name="public" value="false";
                                            button type="submit" { "Make internal" span.visually-hidden { ": " (name) } }
                                        } @else {
                                            "Internal "
                                            input type="hidden" name="public" value="true";
                                            button type="submit" { "Make public" span.visually-hidden { ": " (name) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}
