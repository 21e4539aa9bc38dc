//! Identity, access and abuse (issue 13): sessions, tokens, people and
//! teams, passwords, throttling and hardening, the audit log, the SSO
//! proxy, OpenID Connect, and the access matrix.

mod abuse;
mod audit;
mod matrix;
mod nginx;
mod oidc;
mod passwords;
mod people;
mod proxy;
mod sessions;
mod tokens;

/// The value of cookie `name` in a response's `Set-Cookie` headers.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|cookie| {
            cookie
                .strip_prefix(&format!("{name}="))
                .map(|rest| rest.split(';').next().unwrap_or("").to_owned())
        })
}

/// Whether a tool needed by a test is installed; when it is not, the test
/// says it is skipped, except in CI (`CI=true`), where it fails.
pub fn tool_or_skip(program: &str, test: &str) -> bool {
    let found = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|output| output.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{program} is missing in CI; .ci/run installs it"
        );
        eprintln!("skipped {test}: {program} is not installed");
    }
    found
}
