//! Markdown from interview notes, rendered safely: pulldown-cmark turns it
//! into HTML and ammonia keeps only harmless tags and attributes (no script,
//! no inline handlers, no `javascript:` links). Images are dropped too:
//! notes are text, the page's policy would block outside images anyway, and
//! an image link is a way to learn who reads the notes.
//!
//! Rendering is bounded: containers (quotes, lists) nest at most
//! [`MAX_NESTING`] deep, deeper ones keep their text but lose their box
//! (40 KB of `>` once made 40,000 nested quotes, which took ammonia's HTML
//! parser 13 s), and only the first [`MAX_MARKDOWN_BYTES`] are read as
//! Markdown, the rest shown as plain text. Handlers still call [`render`]
//! off the async threads (`spawn_blocking`), as it is CPU work.

use maud::{Markup, PreEscaped, html};
use pulldown_cmark::{Event, Tag, TagEnd};

/// Deepest nesting of quotes and lists that is kept.
pub const MAX_NESTING: usize = 16;
/// Notes beyond this many bytes are shown as plain text.
pub const MAX_MARKDOWN_BYTES: usize = 64 * 1024;

fn is_container(tag: &Tag<'_>) -> bool {
    matches!(tag, Tag::BlockQuote(_) | Tag::List(_) | Tag::Item)
}

fn is_container_end(tag: &TagEnd) -> bool {
    matches!(tag, TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item)
}

/// The one place where text someone wrote becomes markup, after sanitising.
pub fn render(markdown: &str) -> Markup {
    let mut cut = markdown.len().min(MAX_MARKDOWN_BYTES);
    while !markdown.is_char_boundary(cut) {
        cut -= 1;
    }
    let (head, rest) = markdown.split_at(cut);
    let parser = pulldown_cmark::Parser::new_ext(head, pulldown_cmark::Options::ENABLE_TABLES);
    let mut depth = 0usize;
    // Whether each open container was kept, to drop the matching end.
    let mut kept = Vec::new();
    let events = parser.filter(|event| match event {
        Event::Start(tag) if is_container(tag) => {
            depth += 1;
            let keep = depth <= MAX_NESTING;
            kept.push(keep);
            keep
        }
        Event::End(tag) if is_container_end(tag) => {
            depth = depth.saturating_sub(1);
            kept.pop().unwrap_or(true)
        }
        _ => true,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    let cleaned = ammonia::Builder::default()
        .rm_tags(["img"])
        .clean(&html)
        .to_string();
    html! {
        (PreEscaped(cleaned))
        @if !rest.is_empty() {
            p.meta { "The notes go on beyond what is shown as formatted text:" }
            div.body { (rest) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered_and_anything_active_is_removed() {
        let html = render("**cold** cache\n\n<script>alert(1)</script><img src=x onerror=alert(1)>[x](javascript:alert(1))").into_string();
        assert!(html.contains("<strong>cold</strong>"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("onerror"));
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("href=\"javascript:"), "{html}");
    }

    #[test]
    fn deep_nesting_is_flattened_but_its_text_kept() {
        let notes = format!("{}deep secret", ">".repeat(40_000));
        let html = render(&notes).into_string();
        assert_eq!(html.matches("<blockquote>").count(), MAX_NESTING);
        assert!(html.contains("deep secret"));
    }

    #[test]
    fn notes_beyond_the_cap_are_shown_as_escaped_text() {
        let notes = format!("{}**tail** <b>x</b>", "a".repeat(MAX_MARKDOWN_BYTES));
        let html = render(&notes).into_string();
        assert!(
            html.contains("**tail** &lt;b&gt;x&lt;/b&gt;"),
            "{}",
            &html[html.len() - 200..]
        );
    }
}
