//! The index's schema and text analysis: `prose` fields split on anything
//! but letters and digits, fold case and accents and stem English;
//! `ident` fields keep identifiers whole as typed, folded.

use tantivy::Index;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RegexTokenizer, RemoveLongFilter, SimpleTokenizer,
    Stemmer, TextAnalyzer,
};

use super::tantivy_error;
use crate::error::Result;

pub(super) const PROSE: &str = "earshot_prose";
pub(super) const IDENT: &str = "earshot_ident";
/// Identifiers: letters and digits, joined by `-`, `.`, `_`, `/` or `#`.
const IDENT_PATTERN: &str = r"[\p{L}\p{N}]+(?:[-._/#][\p{L}\p{N}]+)*";

/// The index's fields.
#[derive(Clone, Copy)]
pub(super) struct Fields {
    pub(super) key: Field,
    pub(super) entity: Field,
    pub(super) id: Field,
    pub(super) kind: Field,
    pub(super) title: Field,
    pub(super) body: Field,
    pub(super) internal: Field,
    pub(super) ident: Field,
    pub(super) ident_internal: Field,
    pub(super) service: Field,
    pub(super) team: Field,
    pub(super) tag: Field,
    pub(super) status: Field,
    pub(super) rating: Field,
    pub(super) created: Field,
    pub(super) audience: Field,
    /// Facet columns (see `facets`), never searched.
    pub(super) facet_key: Field,
    pub(super) facet_tag: Field,
}

pub(super) fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = |analyzer: &str, stored: bool| {
        let options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored {
            options.set_stored()
        } else {
            options
        }
    };
    let fields = Fields {
        key: builder.add_text_field("key", STRING | STORED),
        entity: builder.add_text_field("entity", STRING | STORED),
        id: builder.add_i64_field("id", STORED),
        kind: builder.add_text_field("kind", STRING),
        title: builder.add_text_field("title", text(PROSE, true)),
        body: builder.add_text_field("body", text(PROSE, true)),
        internal: builder.add_text_field("internal", text(PROSE, false)),
        ident: builder.add_text_field("ident", text(IDENT, false)),
        ident_internal: builder.add_text_field("ident_internal", text(IDENT, false)),
        service: builder.add_text_field("service", STRING),
        team: builder.add_text_field("team", STRING),
        tag: builder.add_text_field("tag", STRING),
        status: builder.add_text_field("status", STRING),
        rating: builder.add_u64_field("rating", INDEXED | FAST),
        created: builder.add_date_field("created", INDEXED | FAST | STORED),
        audience: builder.add_text_field("audience", STRING),
        facet_key: builder.add_text_field(super::facets::KEY_FIELD, FAST),
        facet_tag: builder.add_text_field(super::facets::TAG_FIELD, FAST),
    };
    (builder.build(), fields)
}

pub(super) fn register_analyzers(index: &Index) -> Result<()> {
    let prose = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(60))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build();
    let ident = TextAnalyzer::builder(RegexTokenizer::new(IDENT_PATTERN).map_err(tantivy_error)?)
        .filter(RemoveLongFilter::limit(80))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build();
    index.tokenizers().register(PROSE, prose);
    index.tokenizers().register(IDENT, ident);
    Ok(())
}
