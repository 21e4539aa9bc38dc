//! Facet counts from fast-field ordinals.
//!
//! tantivy's `FacetCollector` walks a hierarchical facet column and maps
//! every value to its path; at a million documents that was a third of a
//! common-term search. Here every document has one *facet key* instead, a
//! dictionary-encoded fast field joining its kind, team, year and services
//! (`pain␟payments␟2026␟ci-runner`), so counting a match is one array
//! increment at the key's ordinal. Tags, which most documents lack and some
//! have several of, are a column of their own.
//!
//! Turning ordinals back into words means reading the column's compressed
//! dictionary, which cost more than the counting. Segments never change, so
//! each segment's dictionaries are decoded once into [`SegmentValues`]: for
//! every ordinal, the small numbers of its values in a process-wide table of
//! facet values ([`Values`]). A search then adds its counts into one array
//! indexed by those numbers, and names only the values it found.
//!
//! Matches handed over one at a time (when results are ranked) are counted
//! in blocks of [`BLOCK`], so the key column is read a block at a time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{ColumnIndex, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// The fast field holding each document's facet key.
pub(super) const KEY_FIELD: &str = "facet_key";
/// The fast field holding each document's tags.
pub(super) const TAG_FIELD: &str = "facet_tag";

/// Separates the parts of a key; separates services within the last part.
const PART: char = '\u{1f}';
const SERVICE: char = '\u{1e}';

/// The facet key of a document. Slugs, kinds and years never contain the
/// separators (control characters).
pub(super) fn key(kind: &str, team: Option<&str>, year: i32, services: &[String]) -> String {
    format!(
        "{kind}{PART}{}{PART}{year}{PART}{}",
        team.unwrap_or_default(),
        services.join(&SERVICE.to_string())
    )
}

/// Counts per facet name, per value.
pub(super) type Counts = HashMap<&'static str, HashMap<String, u64>>;

/// Every facet value seen since start, numbered: (facet, value).
#[derive(Default)]
struct Values {
    numbers: HashMap<(&'static str, String), u32>,
    names: Vec<(&'static str, String)>,
}

impl Values {
    fn number(&mut self, facet: &'static str, value: &str) -> u32 {
        let next = self.names.len() as u32;
        let names = &mut self.names;
        *self
            .numbers
            .entry((facet, value.to_owned()))
            .or_insert_with(|| {
                names.push((facet, value.to_owned()));
                next
            })
    }
}

/// For each ordinal of a segment's key and tag columns, the numbers of the
/// facet values it stands for.
struct SegmentValues {
    keys: Vec<Vec<u32>>,
    tags: Vec<Vec<u32>>,
}

/// Decoded segments, by id. Segments are immutable, so an entry never goes
/// stale; the map is emptied when it grows past what merges leave behind.
struct Cache {
    values: Mutex<Values>,
    segments: Mutex<HashMap<SegmentId, Arc<SegmentValues>>>,
}

const CACHED_SEGMENTS: usize = 256;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Cache {
        values: Mutex::new(Values::default()),
        segments: Mutex::new(HashMap::new()),
    })
}

/// Every word of a column's dictionary, in ordinal order.
fn words(column: &StrColumn) -> tantivy::Result<Vec<String>> {
    let mut stream = column.dictionary().stream()?;
    let mut words = Vec::with_capacity(column.num_terms());
    while stream.advance() {
        words.push(String::from_utf8_lossy(stream.key()).into_owned());
    }
    Ok(words)
}

fn segment_values(
    reader: &SegmentReader,
    keys: Option<&StrColumn>,
    tags: Option<&StrColumn>,
) -> tantivy::Result<Arc<SegmentValues>> {
    let cache = cache();
    let id = reader.segment_id();
    if let Some(values) = cache.segments.lock().expect("not poisoned").get(&id) {
        return Ok(values.clone());
    }
    let key_words = keys.map(words).transpose()?.unwrap_or_default();
    let tag_words = tags.map(words).transpose()?.unwrap_or_default();
    let decoded = {
        let mut values = cache.values.lock().expect("not poisoned");
        let keys = key_words
            .iter()
            .map(|key| {
                let mut parts = key.split(PART);
                let mut numbers = Vec::with_capacity(4);
                for facet in ["kind", "team", "year"] {
                    let part = parts.next().unwrap_or_default();
                    if !part.is_empty() {
                        numbers.push(values.number(facet, part));
                    }
                }
                for service in parts.next().unwrap_or_default().split(SERVICE) {
                    if !service.is_empty() {
                        numbers.push(values.number("service", service));
                    }
                }
                numbers
            })
            .collect();
        let tags = tag_words
            .iter()
            .map(|tag| vec![values.number("tag", tag)])
            .collect();
        Arc::new(SegmentValues { keys, tags })
    };
    let mut segments = cache.segments.lock().expect("not poisoned");
    if segments.len() >= CACHED_SEGMENTS {
        segments.clear();
    }
    segments.insert(id, decoded.clone());
    Ok(decoded)
}

pub(super) struct FacetCounts;

impl Collector for FacetCounts {
    /// How many documents matched, and the counts per facet value.
    type Fruit = (usize, Counts);
    type Child = SegmentFacetCounts;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounts> {
        let fast = reader.fast_fields();
        // A segment in which no document has tags has no tag column, or
        // an empty one.
        let keys = fast.str(KEY_FIELD)?.filter(|column| column.num_terms() > 0);
        let tags = fast.str(TAG_FIELD)?.filter(|column| column.num_terms() > 0);
        let values = segment_values(reader, keys.as_ref(), tags.as_ref())?;
        Ok(SegmentFacetCounts {
            matches: 0,
            key_counts: vec![0; keys.as_ref().map_or(0, |column| column.num_terms())],
            tag_counts: vec![0; tags.as_ref().map_or(0, |column| column.num_terms())],
            keys,
            tags,
            values,
            pending: Vec::with_capacity(BLOCK),
            ordinals: Vec::new(),
            optional_ordinals: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<(usize, Vec<u64>)>) -> tantivy::Result<(usize, Counts)> {
        let mut matches = 0;
        let mut totals: Vec<u64> = Vec::new();
        for (segment_matches, segment) in segments {
            matches += segment_matches;
            if totals.len() < segment.len() {
                totals.resize(segment.len(), 0);
            }
            for (total, count) in totals.iter_mut().zip(segment) {
                *total += count;
            }
        }
        let values = cache().values.lock().expect("not poisoned");
        let mut counts = Counts::new();
        for (number, total) in totals.into_iter().enumerate() {
            if total > 0 {
                let (facet, value) = &values.names[number];
                counts
                    .entry(facet)
                    .or_default()
                    .insert(value.clone(), total);
            }
        }
        Ok((matches, counts))
    }
}

pub(super) struct SegmentFacetCounts {
    matches: usize,
    keys: Option<StrColumn>,
    tags: Option<StrColumn>,
    /// Matches per key ordinal and per tag ordinal.
    key_counts: Vec<u32>,
    tag_counts: Vec<u32>,
    values: Arc<SegmentValues>,
    /// Matches handed over one by one (when scoring), counted in blocks.
    pending: Vec<DocId>,
    /// Reused buffers for the key ordinals of a block of documents.
    ordinals: Vec<u64>,
    optional_ordinals: Vec<Option<u64>>,
}

/// How many matches are counted at once.
const BLOCK: usize = 256;

impl SegmentFacetCounts {
    fn count_block(&mut self, docs: &[DocId]) {
        self.matches += docs.len();
        if let Some(keys) = &self.keys {
            let ordinals = keys.ords();
            if matches!(ordinals.index, ColumnIndex::Full) {
                // Every document has one key (the usual case): read the
                // block's straight from the packed values.
                self.ordinals.resize(docs.len(), 0);
                ordinals.values.get_vals(docs, &mut self.ordinals);
                for ordinal in &self.ordinals {
                    self.key_counts[*ordinal as usize] += 1;
                }
            } else {
                self.optional_ordinals.clear();
                self.optional_ordinals.resize(docs.len(), None);
                ordinals.first_vals(docs, &mut self.optional_ordinals);
                for ordinal in self.optional_ordinals.iter().flatten() {
                    self.key_counts[*ordinal as usize] += 1;
                }
            }
        }
        if let Some(tags) = &self.tags {
            for doc in docs {
                for ordinal in tags.term_ords(*doc) {
                    self.tag_counts[ordinal as usize] += 1;
                }
            }
        }
    }

    fn flush(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        self.count_block(&pending);
        self.pending = pending;
        self.pending.clear();
    }
}

impl SegmentCollector for SegmentFacetCounts {
    type Fruit = (usize, Vec<u64>);

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.pending.push(doc);
        if self.pending.len() == BLOCK {
            self.flush();
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.count_block(docs);
    }

    fn harvest(mut self) -> (usize, Vec<u64>) {
        self.flush();
        let mut totals = Vec::new();
        let counted = [
            (&self.key_counts, &self.values.keys),
            (&self.tag_counts, &self.values.tags),
        ];
        for (counts, numbers) in counted {
            for (ordinal, count) in counts.iter().enumerate() {
                if *count == 0 {
                    continue;
                }
                for number in numbers.get(ordinal).into_iter().flatten() {
                    let number = *number as usize;
                    if totals.len() <= number {
                        totals.resize(number + 1, 0);
                    }
                    totals[number] += u64::from(*count);
                }
            }
        }
        (self.matches, totals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_facet_key_keeps_every_part_and_every_service() {
        let joined = key(
            "pain",
            Some("payments"),
            2026,
            &["ci-runner".into(), "alerting".into()],
        );
        let parts: Vec<&str> = joined.split(PART).collect();
        assert_eq!(parts[..3], ["pain", "payments", "2026"]);
        assert_eq!(
            parts[3].split(SERVICE).collect::<Vec<_>>(),
            ["ci-runner", "alerting"]
        );
        assert_eq!(key("idea", None, 2025, &[]), "idea\u{1f}\u{1f}2025\u{1f}");
    }

    #[test]
    fn facet_values_are_numbered_once_per_facet() {
        let mut values = Values::default();
        let pain = values.number("kind", "pain");
        assert_eq!(values.number("kind", "pain"), pain);
        assert_ne!(values.number("tag", "pain"), pain);
    }
}
