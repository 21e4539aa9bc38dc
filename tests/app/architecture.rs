//! Invariants of the crate doc (`src/lib.rs`), checked by reading the source:
//! the wall clock, and the layers' imports.

use std::path::{Path, PathBuf};

mod paths;

fn rust_files(directory: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(directory).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
    files
}

#[test]
fn only_the_clock_reads_the_wall_clock() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut readers = Vec::new();
    for file in rust_files(&source) {
        if file.ends_with("clock.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (number, line) in text.lines().enumerate() {
            if ["Utc::now(", "Local::now(", "SystemTime::now("]
                .iter()
                .any(|call| line.contains(call))
            {
                readers.push(format!(
                    "{}:{}: {}",
                    file.display(),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        readers.is_empty(),
        "read the time from a Clock passed in from the edge instead:\n{}",
        readers.join("\n")
    );
}

/// A layering rule of the crate doc: no file of the modules under `in`
/// (everywhere when empty), except those under `except`, names a path
/// starting with one of `forbidden`.
struct Layering {
    invariant: &'static str,
    forbidden: &'static [&'static str],
    within: &'static [&'static str],
    except: &'static [&'static str],
}

/// A file's module path: `src/views/search.rs` is `["views", "search"]`,
/// `src/views/mod.rs` is `["views"]`.
fn module_of(source: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(source).unwrap().with_extension("");
    let mut module: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    if module
        .last()
        .is_some_and(|last| last == "mod" || last == "lib")
    {
        module.pop();
    }
    module
}

/// Where `rule` is broken, one line each.
fn broken(rule: &Layering) -> Vec<String> {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let under = |module: &[String], roots: &[&str]| {
        roots
            .iter()
            .any(|root| module.first().is_some_and(|first| first == root))
    };
    let mut found = Vec::new();
    for file in rust_files(&source) {
        let module = module_of(&source, &file);
        if !(rule.within.is_empty() || under(&module, rule.within)) || under(&module, rule.except) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for path in paths::named_paths(&text, &module) {
            let named = path.text();
            let forbidden = rule
                .forbidden
                .iter()
                .any(|prefix| named == *prefix || named.starts_with(&format!("{prefix}::")));
            if forbidden {
                let shown = file.strip_prefix(source.parent().unwrap()).unwrap();
                found.push(format!("{}:{}: {named}", shown.display(), path.line));
            }
        }
    }
    found
}

fn assert_kept(rule: &Layering) {
    let found = broken(rule);
    assert!(
        found.is_empty(),
        "{}, but:\n{}",
        rule.invariant,
        found.join("\n")
    );
}

#[test]
fn the_domain_imports_no_framework_storage_or_mail_nor_any_other_layer() {
    assert_kept(&Layering {
        invariant: "domain is pure: no axum, rusqlite, tantivy or lettre, no other layer",
        forbidden: &[
            "axum",
            "hyper",
            "tokio",
            "rusqlite",
            "tantivy",
            "lettre",
            "maud",
            "crate::app",
            "crate::cli",
            "crate::db",
            "crate::jobs",
            "crate::mail",
            "crate::search",
            "crate::seed",
            "crate::views",
            "crate::web",
        ],
        within: &["domain"],
        except: &[],
    });
}

#[test]
fn views_import_nothing_from_db_but_render_domain_values() {
    assert_kept(&Layering {
        invariant: "views render values from domain and import nothing from db",
        forbidden: &["crate::db", "rusqlite"],
        within: &["views"],
        except: &[],
    });
}

#[test]
fn only_mail_imports_lettre() {
    assert_kept(&Layering {
        invariant: "only mail imports lettre",
        forbidden: &["lettre"],
        within: &[],
        except: &["mail"],
    });
}

#[test]
fn only_search_imports_tantivy() {
    assert_kept(&Layering {
        invariant: "only search imports tantivy (and its automata)",
        forbidden: &["tantivy", "tantivy_fst", "levenshtein_automata"],
        within: &[],
        except: &["search"],
    });
}

#[test]
fn only_db_imports_rusqlite() {
    assert_kept(&Layering {
        // The one error type wraps SQLite's error (its `From`) and reads
        // its code to tell a full disk from a fault.
        invariant: "only db (and the error type wrapping its errors) imports rusqlite",
        forbidden: &["rusqlite"],
        within: &[],
        except: &["db", "error"],
    });
}

#[test]
fn the_import_reader_sees_grouped_nested_relative_and_inline_paths_but_not_prose() {
    let source = r##"
        //! Uses crate::db::Feedback in a comment: not an import.
        use crate::{db::{self, feedback::Feedback}, domain as pure};
        use super::super::db::people;
        pub(crate) use rusqlite::{Connection as Sql, params};
        /* lettre::Message in a block comment */
        fn f() {
            let sql = r#"SELECT "tantivy::x" FROM t"#;
            let text = "axum::Router in a string";
            let c = '"';
            tantivy::doc!();
        }
    "##;
    let module = vec!["views".to_owned(), "search".to_owned()];
    let named: Vec<(String, usize)> = paths::named_paths(source, &module)
        .into_iter()
        .map(|path| (path.text(), path.line))
        .collect();
    let expected = [
        ("crate::db::self", 3),
        ("crate::db::feedback::Feedback", 3),
        ("crate::domain", 3),
        ("crate::db::people", 4),
        ("rusqlite::Connection", 5),
        ("rusqlite::params", 5),
        ("tantivy::doc", 11),
    ];
    let expected: Vec<(String, usize)> = expected
        .iter()
        .map(|(path, line)| (path.to_string(), *line))
        .collect();
    assert_eq!(named, expected);
}
