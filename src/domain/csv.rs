//! CSV (RFC 4180): writing fields that spreadsheets open safely, and
//! reading records back.

/// One field, quoted, with a leading `=`, `+`, `-`, `@`, tab or carriage
/// return neutralised by a `'` so that a spreadsheet shows it as text
/// instead of running it as a formula (OWASP "CSV injection").
pub fn field(value: &str) -> String {
    let risky = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let value = if risky {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    format!("\"{}\"", value.replace('"', "\"\""))
}

/// A row of fields, ending in CRLF.
pub fn row<I, S>(fields: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let fields: Vec<String> = fields
        .into_iter()
        .map(|value| field(value.as_ref()))
        .collect();
    format!("{}\r\n", fields.join(","))
}

/// Whether a cell would run as a formula in a spreadsheet: it starts with
/// `=`, `+`, `@`, a tab or carriage return, or with `-` without being a
/// number.
pub fn looks_like_formula(value: &str) -> bool {
    value.starts_with(['=', '+', '@', '\t', '\r'])
        || (value.starts_with('-') && value.parse::<f64>().is_err())
}

/// Reads UTF-8 CSV text into records of fields: fields may be quoted, with
/// `""` for a quote inside, and may span lines; lines end in CRLF or LF; a
/// leading byte-order mark is skipped and blank lines are dropped. Each
/// record comes with the line it starts on. An unterminated quote is an
/// error naming that line.
pub fn parse(text: &str) -> Result<Vec<(usize, Vec<String>)>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut record_line = 1;
    let mut chars = text.chars().peekable();
    let mut field_started = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !field_started => {
                quoted = true;
                field_started = true;
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                field_started = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                field_started = false;
                if !(record.len() == 1 && record[0].is_empty()) {
                    records.push((record_line, std::mem::take(&mut record)));
                }
                record.clear();
                line += 1;
                record_line = line;
            }
            _ => {
                field.push(c);
                field_started = true;
            }
        }
    }
    if quoted {
        return Err(format!(
            "line {record_line}: a quoted field is never closed (a \" is missing)"
        ));
    }
    if field_started || !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push((record_line, record));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_with_commas_quotes_and_newlines_are_read_back() {
        let text = "\u{feff}a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n\n1,,3";
        let records = parse(text).unwrap();
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
        assert!(parse("a,\"b\n").unwrap_err().contains("line 1"));
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
        assert_eq!(field("=cmd|' /C calc'!A0"), "\"'=cmd|' /C calc'!A0\"");
        assert_eq!(field("-2+3"), "\"'-2+3\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(row(["a", "b"]), "\"a\",\"b\"\r\n");
    }
}
