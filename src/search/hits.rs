//! A hit from a stored document: its title (or the start of its text), a
//! snippet with the query's words marked, and its link.

use chrono::DateTime as ChronoDateTime;
use tantivy::schema::{Field, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Searcher, TantivyDocument};

use super::query::SearchHit;
use super::{SearchIndex, tantivy_error};
use crate::domain::search::EntityKind;
use crate::error::{Error, Result};

/// The longest snippet, in characters.
pub(super) const SNIPPET_CHARS: usize = 200;

impl SearchIndex {
    pub(super) fn hit(
        &self,
        searcher: &Searcher,
        snippets: &SnippetGenerator,
        score: f32,
        address: DocAddress,
    ) -> Result<Option<SearchHit>> {
        let document: TantivyDocument = searcher.doc(address).map_err(tantivy_error)?;
        let text = |field: Field| {
            document
                .get_first(field)
                .and_then(|value| value.as_str().map(str::to_owned))
                .unwrap_or_default()
        };
        let Some(entity) = EntityKind::parse(&text(self.fields.entity)) else {
            return Ok(None);
        };
        let id = document
            .get_first(self.fields.id)
            .and_then(|value| value.as_i64())
            .ok_or_else(|| Error::Internal("an indexed document has no id".into()))?;
        let body = text(self.fields.body);
        let mut snippet = snippets.snippet(&body);
        snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
        let snippet_html = if snippet.is_empty() {
            escape_html(&excerpt(&body, SNIPPET_CHARS))
        } else {
            snippet.to_html()
        };
        let title = match text(self.fields.title) {
            title if title.is_empty() => excerpt(&body, 80),
            title => title,
        };
        let created_at = document
            .get_first(self.fields.created)
            .and_then(|value| value.as_datetime())
            .and_then(|date| ChronoDateTime::from_timestamp_micros(date.into_timestamp_micros()));
        Ok(Some(SearchHit {
            entity,
            id,
            title,
            snippet_html,
            url: entity.url(id),
            score,
            created_at,
        }))
    }
}

fn excerpt(text: &str, chars: usize) -> String {
    let mut excerpt: String = text.chars().take(chars).collect();
    if text.chars().count() > chars {
        excerpt.push('…');
    }
    excerpt
}

fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}
