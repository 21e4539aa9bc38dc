//! The paths a Rust source file names (`use` trees flattened, and paths
//! written inline such as `rusqlite::params!`), read with a small lexer
//! that skips comments, strings and characters, so that prose and SQL
//! never count as an import.

/// One path named in a file: its segments (`crate` first for paths within
/// the crate) and the line it is on.
#[derive(Debug)]
pub struct NamedPath {
    pub segments: Vec<String>,
    pub line: usize,
}

impl NamedPath {
    /// `crate::db::feedback` etc.
    pub fn text(&self) -> String {
        self.segments.join("::")
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    PathSeparator,
    Open,
    Close,
    Comma,
    Semicolon,
    Star,
    Other,
}

/// Every path named in `source`, a file of the module `module` (such as
/// `["views", "search"]`), with `self::` and `super::` resolved.
pub fn named_paths(source: &str, module: &[String]) -> Vec<NamedPath> {
    let tokens = lex(source);
    let mut paths = Vec::new();
    let mut index = 0;
    while index < tokens.len() {
        let (token, line) = &tokens[index];
        if *token == Token::Word("use".into()) {
            index += 1;
            let mut flattened = Vec::new();
            use_tree(&tokens, &mut index, Vec::new(), &mut flattened);
            paths.extend(flattened.into_iter().map(|segments| NamedPath {
                segments,
                line: *line,
            }));
            continue;
        }
        if let Some((segments, next)) = inline_path(&tokens, index) {
            paths.push(NamedPath {
                segments,
                line: *line,
            });
            index = next;
            continue;
        }
        index += 1;
    }
    for path in &mut paths {
        path.segments = resolved(&path.segments, module);
    }
    paths
}

/// `self::x` and `super::x` as paths from `crate`.
fn resolved(segments: &[String], module: &[String]) -> Vec<String> {
    let mut base: Vec<String> = module.to_vec();
    let mut rest = segments;
    match segments.first().map(String::as_str) {
        Some("self") => rest = &segments[1..],
        Some("super") => {
            while rest.first().is_some_and(|segment| segment == "super") {
                base.pop();
                rest = &rest[1..];
            }
        }
        _ => return segments.to_vec(),
    }
    let mut path = vec!["crate".to_owned()];
    path.extend(base);
    path.extend(rest.iter().cloned());
    path
}

/// Reads one `use` tree at `index`, pushing each full path it names.
fn use_tree(
    tokens: &[(Token, usize)],
    index: &mut usize,
    prefix: Vec<String>,
    flattened: &mut Vec<Vec<String>>,
) {
    let mut path = prefix;
    loop {
        match tokens.get(*index).map(|(token, _)| token) {
            Some(Token::Word(word)) if word == "as" => {
                *index += 2;
            }
            Some(Token::Word(word)) => {
                path.push(word.clone());
                *index += 1;
            }
            Some(Token::PathSeparator) => *index += 1,
            Some(Token::Star) => {
                path.push("*".into());
                *index += 1;
            }
            Some(Token::Open) => {
                *index += 1;
                loop {
                    use_tree(tokens, index, path.clone(), flattened);
                    match tokens.get(*index).map(|(token, _)| token) {
                        Some(Token::Comma) => *index += 1,
                        _ => break,
                    }
                    if tokens.get(*index).map(|(token, _)| token) == Some(&Token::Close) {
                        break;
                    }
                }
                *index += 1;
                return;
            }
            _ => {
                if !path.is_empty() {
                    flattened.push(path);
                }
                return;
            }
        }
    }
}

/// A path of at least two segments starting at `index` (`a::b`, `::a::b`),
/// and the index after it.
fn inline_path(tokens: &[(Token, usize)], index: usize) -> Option<(Vec<String>, usize)> {
    let mut at = index;
    if tokens.get(at).map(|(token, _)| token) == Some(&Token::PathSeparator) {
        at += 1;
    }
    let mut segments = Vec::new();
    while let Some((Token::Word(word), _)) = tokens.get(at) {
        segments.push(word.clone());
        at += 1;
        if tokens.get(at).map(|(token, _)| token) != Some(&Token::PathSeparator) {
            break;
        }
        at += 1;
    }
    (segments.len() >= 2).then_some((segments, at))
}

fn lex(source: &str) -> Vec<(Token, usize)> {
    let characters: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut at = 0;
    while at < characters.len() {
        let character = characters[at];
        let next = characters.get(at + 1).copied();
        match character {
            '\n' => {
                line += 1;
                at += 1;
            }
            '/' if next == Some('/') => {
                while at < characters.len() && characters[at] != '\n' {
                    at += 1;
                }
            }
            '/' if next == Some('*') => {
                at += 2;
                while at + 1 < characters.len()
                    && !(characters[at] == '*' && characters[at + 1] == '/')
                {
                    line += usize::from(characters[at] == '\n');
                    at += 1;
                }
                at += 2;
            }
            '"' => at = skip_string(&characters, at + 1, 0, &mut line),
            'r' | 'b' if raw_string_hashes(&characters, at).is_some() => {
                let (hashes, quote) = raw_string_hashes(&characters, at).unwrap_or_default();
                at = skip_string(&characters, quote + 1, hashes, &mut line);
            }
            '\'' => at = skip_character(&characters, at),
            ':' if next == Some(':') => {
                tokens.push((Token::PathSeparator, line));
                at += 2;
            }
            '{' | '}' | ',' | ';' | '*' => {
                let token = match character {
                    '{' => Token::Open,
                    '}' => Token::Close,
                    ',' => Token::Comma,
                    ';' => Token::Semicolon,
                    _ => Token::Star,
                };
                tokens.push((token, line));
                at += 1;
            }
            c if c.is_alphanumeric() || c == '_' => {
                let start = at;
                while at < characters.len()
                    && (characters[at].is_alphanumeric() || characters[at] == '_')
                {
                    at += 1;
                }
                let word = characters[start..at].iter().collect();
                tokens.push((Token::Word(word), line));
            }
            c if c.is_whitespace() => at += 1,
            _ => {
                tokens.push((Token::Other, line));
                at += 1;
            }
        }
    }
    tokens
}

/// For a raw (byte) string starting at `at` (`r"`, `r#"`, `br##"`): its
/// number of `#` and the index of its opening quote.
fn raw_string_hashes(characters: &[char], at: usize) -> Option<(usize, usize)> {
    let previous = at.checked_sub(1).map(|index| characters[index]);
    if previous.is_some_and(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let mut index = at;
    if characters[index] == 'b' {
        index += 1;
    }
    if characters.get(index) != Some(&'r') {
        return None;
    }
    index += 1;
    let hashes = characters[index..]
        .iter()
        .take_while(|&&c| c == '#')
        .count();
    (characters.get(index + hashes) == Some(&'"')).then_some((hashes, index + hashes))
}

/// The index after a string whose text starts at `at`, closed by a quote
/// and `hashes` number of `#` (escapes count only in plain strings).
fn skip_string(characters: &[char], mut at: usize, hashes: usize, line: &mut usize) -> usize {
    while at < characters.len() {
        match characters[at] {
            '\\' if hashes == 0 => at += 2,
            '"' if characters[at + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == '#')
                .count()
                == hashes =>
            {
                return at + 1 + hashes;
            }
            c => {
                *line += usize::from(c == '\n');
                at += 1;
            }
        }
    }
    at
}

/// The index after a character literal at `at`, or after the quote of a
/// lifetime.
fn skip_character(characters: &[char], at: usize) -> usize {
    match (characters.get(at + 1), characters.get(at + 2)) {
        (Some('\\'), _) => {
            let mut index = at + 2;
            while index < characters.len() && characters[index] != '\'' {
                index += 1;
            }
            index + 1
        }
        (Some(_), Some('\'')) => at + 3,
        _ => at + 1,
    }
}
