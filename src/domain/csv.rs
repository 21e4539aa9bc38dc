//! Writing CSV (RFC 4180) that spreadsheets open safely.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_quotes_doubled() {
        assert_eq!(field("=cmd|' /C calc'!A0"), "\"'=cmd|' /C calc'!A0\"");
        assert_eq!(field("-2+3"), "\"'-2+3\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(row(["a", "b"]), "\"a\",\"b\"\r\n");
    }
}
