//! Schemathesis (from PyPI, installed by `.ci/run`) against the served
//! OpenAPI document, over the demo organisation, with a token for each
//! role: zero 5xx, and no response whose status, content type, headers or
//! body contradict the document. Skipped (saying so) where Schemathesis is
//! not installed; in CI (`CI=true`) a missing Schemathesis fails.

use tokio::process::Command;

use earshot::clock::Clock;

use crate::helpers::TestApp;

/// The demo's people, one per role.
const ROLES: [(&str, &str); 3] = [
    ("contributor", "priya.natarajan@halcyon.example"),
    ("team", "sam.rivera@halcyon.example"),
    ("admin", "ines.okafor@halcyon.example"),
];

/// Generated cases per operation and phase: enough to reach every
/// operation's validation and its success path, few enough that the three
/// runs take a minute or two on a loaded machine.
const MAX_EXAMPLES: &str = "10";

const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
response_headers_conformance,response_schema_conformance";

async fn schemathesis_is_installed() -> bool {
    Command::new("schemathesis")
        .arg("--version")
        .output()
        .await
        .is_ok_and(|output| output.status.success())
}

#[tokio::test]
async fn schemathesis_finds_no_server_error_and_no_response_that_contradicts_the_document() {
    if !schemathesis_is_installed().await {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must provide schemathesis (.ci/run installs it from PyPI)"
        );
        eprintln!("skipped: schemathesis is not installed here (pip install schemathesis)");
        return;
    }
    let app = TestApp::spawn_demo(Clock::system()).await;
    let document = app.url("/api/v1/openapi.json");
    // Schemathesis and Hypothesis keep caches in the working directory:
    // give them one of their own, not the repository.
    let scratch = tempfile::tempdir().expect("a scratch directory");
    for (role, email) in ROLES {
        let token = app.token_for(email);
        let output = Command::new("schemathesis")
            .args(["run", &document, "--checks", CHECKS])
            // One worker: with more, Hypothesis (6.x on Python 3.11) now and
            // then fails its own lambda-source cache ("AST constructor
            // recursion depth mismatch"), a tool error that says nothing
            // about the API.
            .args(["--max-examples", MAX_EXAMPLES, "--workers", "1"])
            .args(["--request-timeout", "30"])
            .args(["--header", &format!("Authorization: Bearer {token}")])
            .env("NO_COLOR", "1")
            .current_dir(scratch.path())
            .kill_on_drop(true)
            .output()
            .await
            .expect("run schemathesis");
        let report = String::from_utf8_lossy(&output.stdout);
        let summary: Vec<&str> = report
            .lines()
            .map(str::trim)
            .filter(|line| {
                line.starts_with("Tested:")
                    || line.starts_with("Seed:")
                    || (line.contains(" generated") && line.len() < 120)
            })
            .collect();
        eprintln!("schemathesis as {role}: {}", summary.join("; "));
        assert!(
            output.status.success(),
            "schemathesis as {role} ({email}) found responses that break the contract:\n{report}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
