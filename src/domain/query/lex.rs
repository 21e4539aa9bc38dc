//! Lexing a query: words, `"phrases"`, `-exclusions`, `OR` and
//! `field:value` filters, each word cut to its longest; what cannot be read
//! is described in `ignored`.

use super::{MAX_WORD_CHARS, Term};

pub(super) enum Token {
    Term {
        negated: bool,
        term: Term,
    },
    Or,
    Field {
        negated: bool,
        name: String,
        value: String,
        raw: String,
    },
}

pub(super) fn lex(text: &str, ignored: &mut Vec<String>) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut negated = false;
        if c == '-' {
            chars.next();
            match chars.peek() {
                Some(next) if !next.is_whitespace() => negated = true,
                _ => {
                    ignored.push("a lone \"-\" (put it right before the word to exclude)".into());
                    continue;
                }
            }
        }
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut phrase = String::new();
            let mut closed = false;
            for c in chars.by_ref() {
                if c == '"' {
                    closed = true;
                    break;
                }
                phrase.push(c);
            }
            let words: Vec<String> = phrase.split_whitespace().map(str::to_owned).collect();
            if !closed && !words.is_empty() {
                ignored.push("a missing closing quote (the rest was searched as a phrase)".into());
            }
            match words.len() {
                0 => ignored.push("an empty phrase or a lone quote".into()),
                1 => tokens.push(Token::Term {
                    negated,
                    term: Term::Word(words[0].clone()),
                }),
                _ => tokens.push(Token::Term {
                    negated,
                    term: Term::Phrase(words),
                }),
            }
            continue;
        }
        let mut word = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            word.push(c);
            chars.next();
        }
        if word == "OR" && !negated {
            tokens.push(Token::Or);
            continue;
        }
        if let Some((name, value)) = word.split_once(':')
            && !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphabetic())
        {
            tokens.push(Token::Field {
                negated,
                name: name.to_lowercase(),
                value: value.trim_matches('"').to_owned(),
                raw: word.clone(),
            });
            continue;
        }
        if word.chars().count() > MAX_WORD_CHARS {
            ignored.push(format!(
                "a word longer than {MAX_WORD_CHARS} characters (\"{}…\")",
                word.chars().take(20).collect::<String>()
            ));
            continue;
        }
        if !word.chars().any(char::is_alphanumeric) {
            ignored.push(format!("\"{word}\" (no letters or digits to search for)"));
            continue;
        }
        tokens.push(Token::Term {
            negated,
            term: Term::Word(word),
        });
    }
    tokens
}
