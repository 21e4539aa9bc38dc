//! Markdown from interview notes, rendered safely: pulldown-cmark turns it
//! into HTML and ammonia keeps only harmless tags and attributes (no script,
//! no inline handlers, no `javascript:` links). Images are dropped too:
//! notes are text, the page's policy would block outside images anyway, and
//! an image link is a way to learn who reads the notes.

use maud::{Markup, PreEscaped};

/// The one place where text someone wrote becomes markup, after sanitising.
pub fn render(markdown: &str) -> Markup {
    let parser = pulldown_cmark::Parser::new_ext(markdown, pulldown_cmark::Options::ENABLE_TABLES);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    PreEscaped(
        ammonia::Builder::default()
            .rm_tags(["img"])
            .clean(&html)
            .to_string(),
    )
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
}
