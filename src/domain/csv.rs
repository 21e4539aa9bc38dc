//! CSV (RFC 4180) through the `csv` crate: tables written so that
//! spreadsheets open them safely, and records read back with the line each
//! starts on.

use std::io::Read;

use csv::{QuoteStyle, ReaderBuilder, StringRecord, Terminator, WriterBuilder};

/// A CSV table written in memory: every field quoted, rows ending in CRLF,
/// and a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return
/// neutralised by a leading `'` so that a spreadsheet shows it as text
/// instead of running it as a formula (OWASP "CSV injection"). A plain
/// negative number (`-12.5`) is left alone: it stays a number.
pub struct SafeCsvWriter {
    writer: csv::Writer<Vec<u8>>,
}

impl SafeCsvWriter {
    /// A table whose first row is `header`.
    pub fn with_header<I, S>(header: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let writer = WriterBuilder::new()
            .quote_style(QuoteStyle::Always)
            .terminator(Terminator::CRLF)
            .flexible(true)
            .from_writer(Vec::new());
        let mut table = Self { writer };
        table.row(header);
        table
    }

    /// Appends a row of fields.
    pub fn row<I, S>(&mut self, fields: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let fields = fields.into_iter().map(|value| {
            let value = value.as_ref();
            if looks_like_formula(value) {
                format!("'{value}")
            } else {
                value.to_owned()
            }
        });
        // A flexible writer refuses nothing, and a Vec takes every write.
        self.writer
            .write_record(fields)
            .expect("writing CSV to memory cannot fail");
    }

    /// The text of the table.
    pub fn finish(self) -> String {
        let bytes = self
            .writer
            .into_inner()
            .expect("flushing CSV to memory cannot fail");
        String::from_utf8(bytes).expect("CSV written from UTF-8 fields is UTF-8")
    }
}

/// Whether a cell would run as a formula in a spreadsheet: it starts with
/// `=`, `+`, `@`, a tab or carriage return, or with `-` without being a
/// number.
pub fn looks_like_formula(value: &str) -> bool {
    value.starts_with(['=', '+', '@', '\t', '\r'])
        || value
            .strip_prefix('-')
            .is_some_and(|rest| !is_plain_number(rest))
}

/// Digits with at most one decimal point, as `12` or `0.75`.
fn is_plain_number(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit())
        && text.chars().all(|c| c.is_ascii_digit() || c == '.')
        && text.matches('.').count() <= 1
}

/// A record of a CSV file.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The file line the record starts on, counting from 1.
    pub line: usize,
    pub fields: StringRecord,
}

/// The line appended to the text read by [`read_records`]; see there.
const END_MARKER: &str = "earshot: the end of the file";

/// Reads UTF-8 CSV text into records: fields may be quoted, with `""` for a
/// quote inside, and may span lines; lines end in CRLF, LF or a lone CR; a
/// leading byte-order mark is skipped and blank lines are dropped. A quote
/// that is never closed is an error naming the line its record starts on.
pub fn read_records(text: &str) -> Result<Vec<Record>, String> {
    // The csv crate reads a quote that is never closed to the end of the
    // input, without an error. To tell, a marker line is appended: it comes
    // back as a record of its own only if every quote before it was closed.
    let input = text
        .as_bytes()
        .chain(&b"\n"[..])
        .chain(END_MARKER.as_bytes());
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut lines = LineNumbers::new(text.as_bytes());
    let mut records = Vec::new();
    for fields in reader.records() {
        let fields = fields.map_err(|error| format!("the file cannot be read as CSV: {error}"))?;
        let start = fields.position().map_or(0, |position| position.byte());
        records.push(Record {
            line: lines.line_at(usize::try_from(start).unwrap_or(usize::MAX)),
            fields,
        });
    }
    match records.pop() {
        Some(marker) if marker.fields.iter().eq([END_MARKER]) => Ok(records),
        Some(open) => Err(format!(
            "line {}: a quoted field is never closed (a \" is missing)",
            open.line
        )),
        None => Ok(records),
    }
}

/// Turns the byte offsets where records start, in increasing order, into
/// line numbers, counting CRLF, LF and a lone CR as one line end each, as
/// the csv crate and text editors do.
struct LineNumbers<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineNumbers<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            offset: 0,
            line: 1,
        }
    }

    fn line_at(&mut self, offset: usize) -> usize {
        // A record's position is where the reader stopped after the one
        // before, so blank lines and the rest of a CRLF come first.
        let mut offset = offset.clamp(self.offset, self.bytes.len());
        while matches!(self.bytes.get(offset), Some(b'\r' | b'\n')) {
            offset += 1;
        }
        let passed = &self.bytes[self.offset..offset];
        self.line += passed
            .iter()
            .enumerate()
            .filter(|&(at, &byte)| {
                byte == b'\n' || (byte == b'\r' && passed.get(at + 1) != Some(&b'\n'))
            })
            .count();
        self.offset = offset;
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<(usize, Vec<String>)> {
        read_records(text)
            .unwrap()
            .into_iter()
            .map(|record| {
                let fields = record.fields.iter().map(str::to_owned).collect();
                (record.line, fields)
            })
            .collect()
    }

    #[test]
    fn quoted_fields_with_commas_quotes_and_newlines_are_read_back() {
        let text = "\u{feff}a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n\n1,,3";
        let records = read(text);
        assert_eq!(records.len(), 3);
        assert_eq!(records[0], (1, vec!["a".into(), "b".into(), "c".into()]));
        assert_eq!(
            records[1],
            (
                2,
                vec!["x, y".into(), "say \"hi\"".into(), "two\nlines".into()]
            )
        );
        assert_eq!(records[2], (5, vec!["1".into(), "".into(), "3".into()]));
        assert!(read_records("a,\"b\n").unwrap_err().contains("line 1"));
        assert!(
            read_records("a\r\n\r\nb,\"c\"\"\n")
                .unwrap_err()
                .contains("line 3")
        );
        assert!(read_records("").unwrap().is_empty());
    }

    #[test]
    fn lines_ending_in_a_lone_carriage_return_are_records_with_their_line() {
        let records = read("a,b\r1,\"x\ry\"\r\r2,3\r");
        assert_eq!(records[0], (1, vec!["a".into(), "b".into()]));
        assert_eq!(records[1], (2, vec!["1".into(), "x\ry".into()]));
        assert_eq!(records[2], (5, vec!["2".into(), "3".into()]));
    }

    #[test]
    fn formula_like_cells_are_recognised_but_negative_numbers_are_not() {
        for cell in ["=1+1", "+cmd", "@SUM(A1)", "-x", "\tA"] {
            assert!(looks_like_formula(cell), "{cell}");
        }
        for cell in ["-3", "5", "text", ""] {
            assert!(!looks_like_formula(cell), "{cell}");
        }
    }

    #[test]
    fn formulas_are_neutralised_and_quotes_doubled() {
        let mut table = SafeCsvWriter::with_header(["a", "b"]);
        table.row(["=cmd|' /C calc'!A0", "-2+3"]);
        table.row(["-100.00", "-inf"]);
        table.row(["say \"hi\"", ""]);
        table.row(["two\nlines", "\rx"]);
        assert_eq!(
            table.finish(),
            "\"a\",\"b\"\r\n\
             \"'=cmd|' /C calc'!A0\",\"'-2+3\"\r\n\
             \"-100.00\",\"'-inf\"\r\n\
             \"say \"\"hi\"\"\",\"\"\r\n\
             \"two\nlines\",\"'\rx\"\r\n"
        );
    }
}
