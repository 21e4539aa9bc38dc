//! Every `/api/v1` route the router serves is in the OpenAPI document, and
//! every documented operation is served. The routes are read from the
//! source (`Routes::api`, `team_api`, `admin_api`, and any plain
//! `.route("/api/...")`), the document from the running server.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::TestApp;

/// `(METHOD, path)` pairs, e.g. `("GET", "/api/v1/feedback/{id}")`.
type Operations = BTreeSet<(String, String)>;

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

/// The text from an opening parenthesis (just before `text`) to its match.
fn arguments(text: &str) -> &str {
    let mut depth = 1;
    for (index, character) in text.char_indices() {
        match character {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return &text[..index];
                }
            }
            _ => {}
        }
    }
    text
}

/// The HTTP methods a method router expression such as
/// `get(list).post(create)` or `axum::routing::patch(change)` names.
fn methods(expression: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (word, method) in [
        ("get", "GET"),
        ("post", "POST"),
        ("put", "PUT"),
        ("patch", "PATCH"),
        ("delete", "DELETE"),
        ("delete_route", "DELETE"),
    ] {
        let call = format!("{word}(");
        let mut rest = expression;
        while let Some(at) = rest.find(&call) {
            let before = rest[..at].chars().next_back();
            if !before.is_some_and(|character| character.is_alphanumeric() || character == '_') {
                found.push(method.to_owned());
            }
            rest = &rest[at + call.len()..];
        }
    }
    found
}

/// Every `/api/` route registered anywhere under `src/`.
fn routes_in_source() -> Operations {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut operations = Operations::new();
    for file in rust_files(&source) {
        let text = std::fs::read_to_string(&file).unwrap();
        for registration in [".api(", ".team_api(", ".admin_api(", ".route("] {
            for (at, _) in text.match_indices(registration) {
                let call = arguments(&text[at + registration.len()..]);
                let call = call.trim_start();
                let Some(path) = call
                    .strip_prefix('"')
                    .and_then(|rest| rest.split_once('"'))
                    .map(|(path, _)| path)
                else {
                    continue;
                };
                if !path.starts_with("/api/") {
                    continue;
                }
                let (_, router) = call.split_once(',').unwrap_or_else(|| {
                    panic!(
                        "{}: {registration} {path} has no method router",
                        file.display()
                    )
                });
                let found = methods(router);
                assert!(
                    !found.is_empty(),
                    "{}: cannot tell the methods of {path} from `{}`",
                    file.display(),
                    router.trim()
                );
                for method in found {
                    operations.insert((method, path.to_owned()));
                }
            }
        }
    }
    operations
}

fn documented(document: &Value) -> Operations {
    let mut operations = Operations::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in [
            "get", "put", "post", "delete", "patch", "head", "options", "trace",
        ] {
            if item.get(method).is_some() {
                operations.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    operations
}

fn listed(operations: &Operations) -> String {
    operations
        .iter()
        .map(|(method, path)| format!("  {method} {path}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn every_api_route_is_in_the_openapi_document_and_every_documented_route_is_served() {
    let app = TestApp::spawn().await;
    let response = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let document: Value = response.json().await.unwrap();
    let served = routes_in_source();
    let documented = documented(&document);
    assert!(
        served.len() > 40,
        "the source scan found only {} API routes; is it still reading the route tables?",
        served.len()
    );
    let undocumented: Operations = served.difference(&documented).cloned().collect();
    assert!(
        undocumented.is_empty(),
        "served but not in /api/v1/openapi.json:\n{}\nGive each handler a #[utoipa::path(...)] \
         attribute (method, path, params, request body, success response) and list it in \
         `paths(...)` of `web::openapi::ApiDoc`; problem responses are added for you.",
        listed(&undocumented)
    );
    let unserved: Operations = documented.difference(&served).cloned().collect();
    assert!(
        unserved.is_empty(),
        "in /api/v1/openapi.json but not registered by any routes():\n{}\nRegister the route \
         (Routes::api, team_api or admin_api) or take the handler out of `web::openapi::ApiDoc`.",
        listed(&unserved)
    );
}

#[tokio::test]
async fn the_openapi_document_is_public_3_1_and_names_both_ways_to_authenticate() {
    let app = TestApp::spawn().await;
    let response = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let document: Value = response.json().await.unwrap();
    assert!(
        document["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        document["openapi"]
    );
    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(schemes["session"]["name"], "earshot_session");
    assert_eq!(schemes["csrf"]["in"], "header");
    assert_eq!(schemes["csrf"]["name"], "X-CSRF-Token");
    let list = &document["paths"]["/api/v1/feedback"]["get"]["responses"];
    assert_eq!(
        list["401"]["content"]["application/problem+json"]["schema"]["$ref"],
        "#/components/schemas/Problem"
    );
    assert!(list.get("200").is_some());
}
