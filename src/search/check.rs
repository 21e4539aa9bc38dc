//! What `earshot check` asks of the search index, without writing to it:
//! is it intact, which database and change it follows, how many documents
//! of each kind it holds, and whether a sample of the database's documents
//! is indexed as the database has them now.

use std::path::Path;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use super::{SearchIndex, tantivy_error};
use crate::db::{self, Connection};
use crate::domain::search::{EntityKind, document_key};
use crate::error::Result;

/// The live generation, opened for reading only.
pub struct Inspection {
    index: SearchIndex,
}

impl Inspection {
    /// Opens the live generation under `data_dir`; the error says why it
    /// cannot be (none yet, an older Earshot's, unreadable).
    pub fn open(data_dir: &Path) -> Result<Inspection> {
        Ok(Inspection {
            index: SearchIndex::open(data_dir)?,
        })
    }

    pub fn generation(&self) -> &str {
        self.index.generation()
    }

    /// The identity of the database the index follows.
    pub fn database(&self) -> &str {
        self.index.database()
    }

    /// The last change the index applied.
    pub fn applied(&self) -> i64 {
        self.index.applied()
    }

    /// Files whose checksum fails (see [`SearchIndex::damaged_files`]).
    pub fn damaged_files(&self) -> Result<Vec<String>> {
        self.index.damaged_files()
    }

    /// Live documents of each kind.
    pub fn counts(&self) -> Result<Vec<(EntityKind, u64)>> {
        let searcher = self.index.reader.searcher();
        EntityKind::ALL
            .iter()
            .map(|&entity| {
                let query = TermQuery::new(
                    Term::from_field_text(self.index.fields.entity, entity.as_str()),
                    IndexRecordOption::Basic,
                );
                let count = searcher.search(&query, &Count).map_err(tantivy_error)?;
                Ok((entity, count as u64))
            })
            .collect()
    }

    /// Compares up to `per_kind` random things of each kind, as the
    /// database has them on `connection`, with their indexed documents;
    /// returns how many were compared and a sentence per difference.
    pub fn differences(
        &self,
        connection: &Connection,
        per_kind: u32,
    ) -> Result<(usize, Vec<String>)> {
        let mut compared = 0;
        let mut differences = Vec::new();
        for entity in EntityKind::ALL {
            for id in db::search::sample_ids(connection, entity, per_kind)? {
                compared += 1;
                let expected = db::search::document(connection, entity, id)?;
                let indexed = self.stored(&document_key(entity, id))?;
                let difference = match (expected, indexed) {
                    (None, None) => None,
                    (Some(_), None) => Some("is missing from the index".to_owned()),
                    (None, Some(_)) => Some("is indexed but not searchable any more".to_owned()),
                    (Some(expected), Some((title, _))) if expected.title != title => Some(format!(
                        "is indexed with the title {title:?}, not {:?}",
                        expected.title
                    )),
                    (Some(expected), Some((_, body))) if expected.body != body => {
                        Some("is indexed with another text".to_owned())
                    }
                    (Some(_), Some(_)) => None,
                };
                if let Some(difference) = difference {
                    differences.push(format!("{entity} {id} {difference}"));
                }
            }
        }
        Ok((compared, differences))
    }

    /// The stored title and body of the document under `key`.
    fn stored(&self, key: &str) -> Result<Option<(String, String)>> {
        let fields = &self.index.fields;
        let searcher = self.index.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(fields.key, key),
            IndexRecordOption::Basic,
        );
        let top = searcher
            .search(&query, &TopDocs::with_limit(1).order_by_score())
            .map_err(tantivy_error)?;
        let Some((_, address)) = top.first() else {
            return Ok(None);
        };
        let document: TantivyDocument = searcher.doc(*address).map_err(tantivy_error)?;
        let text = |field| {
            document
                .get_first(field)
                .and_then(|value| value.as_str().map(str::to_owned))
                .unwrap_or_default()
        };
        Ok(Some((text(fields.title), text(fields.body))))
    }
}
