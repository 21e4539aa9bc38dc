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

/// A handler of `src/web`: its module (file stem) and name.
type Handler = (String, String);

/// The text from `open` (an opening parenthesis) to its closing one.
fn parenthesised(text: &str, open: usize) -> &str {
    let mut depth = 0;
    for (offset, character) in text[open..].char_indices() {
        match character {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return &text[open + 1..open + offset];
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced parentheses in {text}")
}

/// Handlers whose signature takes `extractor` (as `X(viewer): X` or `_: X`).
fn handlers_taking(files: &[(String, String)], extractor: &str) -> Vec<Handler> {
    let mut found = Vec::new();
    for (module, text) in files {
        for (start, _) in text.match_indices("async fn ") {
            let name_end = text[start..].find('(').unwrap() + start;
            let name = text[start + "async fn ".len()..name_end].to_owned();
            let parameters = parenthesised(text, name_end);
            if parameters.contains(&format!(": {extractor}")) {
                found.push((module.clone(), name));
            }
        }
    }
    found
}

/// The module a route names a handler in: `name` (this file, or imported
/// with `use super::module::name`), `alias::name` (`use super::module as
/// alias`) or `module::name`.
fn resolve(module: &str, text: &str, reference: &str) -> Handler {
    match reference.rsplit_once("::") {
        None => {
            let imported = text.lines().find_map(|line| {
                let line = line.trim();
                let path = line.strip_prefix("use super::")?.strip_suffix(';')?;
                let (from, name) = path.rsplit_once("::")?;
                (name == reference).then(|| from.to_owned())
            });
            (
                imported.unwrap_or_else(|| module.to_owned()),
                reference.to_owned(),
            )
        }
        Some((qualifier, name)) => {
            let qualifier = qualifier.trim_start_matches("super::");
            let aliased = format!(" as {qualifier}");
            let target = text
                .lines()
                .flat_map(|line| line.split([',', '{', '}', ';']))
                .find_map(|part| part.trim().strip_suffix(&aliased).map(str::to_owned))
                .map(|target| target.trim_start_matches("use super::").to_owned());
            (
                target.unwrap_or_else(|| qualifier.to_owned()),
                name.to_owned(),
            )
        }
    }
}

/// Every route of every feature's `routes()`: (registration, handler), where
/// the registration is `page`, `team_page`, `admin_api` and so on.
fn registered_routes(files: &[(String, String)]) -> Vec<(String, Handler)> {
    let methods = ["get", "post", "put", "patch", "delete", "delete_route"];
    let mut routes = Vec::new();
    for (module, text) in files {
        let Some(start) = text.find("pub fn routes() -> Routes {") else {
            continue;
        };
        let body = &text[start..start + text[start..].find("\n}\n").unwrap()];
        for kind in [
            "page",
            "team_page",
            "admin_page",
            "api",
            "team_api",
            "admin_api",
        ] {
            for (at, _) in body.match_indices(&format!(".{kind}(")) {
                let arguments = parenthesised(body, at + kind.len() + 1);
                for method in methods {
                    for (call, _) in arguments.match_indices(&format!("{method}(")) {
                        let before = arguments[..call].chars().next_back();
                        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                            continue;
                        }
                        let reference = parenthesised(arguments, call + method.len());
                        routes.push((kind.to_owned(), resolve(module, text, reference.trim())));
                    }
                }
            }
        }
    }
    routes
}

#[test]
fn only_the_team_and_admin_routers_hold_team_and_admin_handlers() {
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web");
    let files: Vec<(String, String)> = rust_files(&web)
        .into_iter()
        .map(|file| {
            let module = file.file_stem().unwrap().to_string_lossy().into_owned();
            (module, std::fs::read_to_string(&file).unwrap())
        })
        .collect();
    let routes = registered_routes(&files);
    assert!(routes.len() > 100, "only {} routes found", routes.len());
    let mut problems = Vec::new();
    for (extractor, kinds) in [
        ("PlatformTeam", ["team_page", "team_api"]),
        ("Admin", ["admin_page", "admin_api"]),
    ] {
        let handlers = handlers_taking(&files, extractor);
        for (kind, handler) in &routes {
            let guarded = kinds.contains(&kind.as_str());
            let takes = handlers.contains(handler);
            if takes && !guarded {
                problems.push(format!(
                    "{}::{} takes {extractor} but is routed with .{kind}(): route it with .{}()",
                    handler.0, handler.1, kinds[0]
                ));
            }
            if guarded && !takes {
                problems.push(format!(
                    "{}::{} is routed with .{kind}() but does not take {extractor}",
                    handler.0, handler.1
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
