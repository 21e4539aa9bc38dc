//! "Sign in with <company>" against a real OpenID provider on loopback
//! (`oidc-provider-mock` from PyPI, installed by `.ci/run`), with nonces
//! required: the flow end to end, groups mapped to role and team, and a
//! bad state, nonce, audience or issuer refused.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::{StatusCode, Url};
use serde_json::{Value, json};

use super::nginx::{Nginx, free_port};
use super::{set_cookie, tool_or_skip};
use crate::helpers::{ADMIN, Browser, TestApp};

struct Provider {
    child: Child,
    url: String,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn provider_available() -> bool {
    let found = Command::new("python3")
        .args(["-c", "import oidc_provider_mock"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "oidc-provider-mock is missing in CI; .ci/run installs it"
        );
        eprintln!(
            "skipped OpenID Connect tests: oidc-provider-mock is not installed (pip install oidc-provider-mock)"
        );
    }
    found
}

async fn start_provider() -> Provider {
    let port = free_port();
    let child = Command::new("python3")
        .args([
            "-m",
            "oidc_provider_mock",
            "--port",
            &port.to_string(),
            "--require-nonce",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the provider starts");
    let url = format!("http://127.0.0.1:{port}");
    let provider = Provider { child, url };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ready =
            reqwest::get(format!("{}/.well-known/openid-configuration", provider.url)).await;
        if ready.is_ok_and(|response| response.status() == StatusCode::OK) {
            return provider;
        }
        assert!(
            Instant::now() < deadline,
            "the OpenID provider did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The provider's record of person `sub`: what its ID tokens will say.
async fn set_person(provider: &Provider, sub: &str, claims: Value) {
    let response = reqwest::Client::new()
        .put(format!("{}/users/{sub}", provider.url))
        .json(&claims)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
}

async fn app_with_issuer(issuer: &str) -> TestApp {
    let issuer = issuer.to_owned();
    TestApp::spawn_with(move |config| earshot::config::Config {
        oidc: Some(earshot::config::OidcSettings {
            issuer,
            client_id: "earshot".into(),
            client_secret: Some(earshot::config::Secret("earshot-client-secret".into())),
            scopes: vec!["email".into(), "profile".into()],
            groups_claim: "groups".into(),
            label: "Halcyon SSO".into(),
        }),
        groups: earshot::domain::identity::GroupMapping::parse(
            "earshot-admins",
            "sre",
            "sre=platform,payments-devs=payments",
        )
        .unwrap(),
        local_accounts: false,
        ..config
    })
    .await
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Starts a sign-in in `browser`; returns the provider's authorize URL.
async fn start(browser: &Browser) -> Url {
    let start = browser.get("/auth/oidc/start?next=%2Finbox").await;
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    Url::parse(start.headers()["location"].to_str().unwrap()).unwrap()
}

/// `url` with query parameter `name` set to `value`.
fn with_param(url: &Url, name: &str, value: &str) -> Url {
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(key, old)| {
            (
                key.to_string(),
                if key == name {
                    value.to_owned()
                } else {
                    old.to_string()
                },
            )
        })
        .collect();
    let mut changed = url.clone();
    changed.query_pairs_mut().clear().extend_pairs(pairs);
    changed
}

/// The person `sub` approves at the provider; returns where it sends the browser back.
async fn approve(authorize: &Url, sub: &str) -> String {
    let answer = no_redirects()
        .post(authorize.clone())
        .form(&[("sub", sub)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer.status(),
        StatusCode::FOUND,
        "{}",
        answer.text().await.unwrap_or_default()
    );
    answer.headers()["location"].to_str().unwrap().to_owned()
}

/// The path and query of a callback URL, to send through the test browser.
fn path_of(callback: &str) -> String {
    let url = Url::parse(callback).unwrap();
    format!("{}?{}", url.path(), url.query().unwrap_or(""))
}

async fn sign_in(app: &TestApp, sub: &str) -> (Browser, reqwest::Response) {
    let browser = app.browser();
    let authorize = start(&browser).await;
    let callback = approve(&authorize, sub).await;
    let done = browser.get(&path_of(&callback)).await;
    (browser, done)
}

#[tokio::test]
async fn the_first_sign_in_creates_the_person_and_a_changed_group_changes_the_role_next_time() {
    if !provider_available() {
        return;
    }
    let provider = start_provider().await;
    let app = app_with_issuer(&provider.url).await;
    let login = app.browser().get_text("/login").await;
    assert!(login.contains("Sign in with Halcyon SSO"));
    set_person(
        &provider,
        "u-123",
        json!({"email": "Noor@Example.com", "name": "Noor Haddad", "groups": ["everyone", "sre"]}),
    )
    .await;

    let (browser, done) = sign_in(&app, "u-123").await;
    if done.status() != StatusCode::SEE_OTHER {
        panic!("{}: {}", done.status(), done.text().await.unwrap());
    }
    assert_eq!(done.headers()["location"], "/inbox");
    assert!(set_cookie(&done, "earshot_session").is_some());
    assert_eq!(
        browser.get("/inbox").await.status(),
        StatusCode::OK,
        "team, by the sre group"
    );

    let admin = app.api(ADMIN);
    let people: Vec<Value> = admin
        .get("/api/v1/people?q=noor")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(people.len(), 1, "{people:?}");
    assert_eq!(people[0]["email"], "noor@example.com");
    assert_eq!(people[0]["name"], "Noor Haddad");
    assert_eq!(people[0]["role"], "team");
    assert_eq!(people[0]["team"], "platform");
    assert_eq!(people[0]["sign_in"], "oidc");

    set_person(
        &provider,
        "u-123",
        json!({"email": "noor@example.com", "name": "Noor H.", "groups": ["payments-devs"]}),
    )
    .await;
    let (again, done) = sign_in(&app, "u-123").await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        again.get("/inbox").await.status(),
        StatusCode::NOT_FOUND,
        "now a contributor"
    );
    assert_eq!(
        browser.get("/inbox").await.status(),
        StatusCode::SEE_OTHER,
        "the session under the old role ended"
    );
    let people: Vec<Value> = admin
        .get("/api/v1/people?q=noor")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(people.len(), 1, "the same person, not a second one");
    assert_eq!(people[0]["role"], "contributor");
    assert_eq!(people[0]["team"], "payments");
    assert_eq!(people[0]["name"], "Noor H.");
    let audit = admin
        .get("/api/v1/audit.jsonl?action=role_changed")
        .await
        .text()
        .await
        .unwrap();
    assert!(audit.contains("team to contributor"), "{audit}");
}

#[tokio::test]
async fn a_bad_or_replayed_state_is_refused() {
    if !provider_available() {
        return;
    }
    let provider = start_provider().await;
    let app = app_with_issuer(&provider.url).await;
    set_person(
        &provider,
        "u-1",
        json!({"email": "a@example.com", "groups": []}),
    )
    .await;

    // Back with a state this browser never started.
    let browser = app.browser();
    let authorize = start(&browser).await;
    let forged = with_param(&authorize, "state", "forged-state");
    let callback = approve(&forged, "u-1").await;
    let refused = browser.get(&path_of(&callback)).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(&refused, "earshot_session").is_none());

    // A genuine answer brought to another browser (login CSRF): refused.
    let victim = app.browser();
    let callback = approve(&start(&browser).await, "u-1").await;
    assert_eq!(
        victim.get(&path_of(&callback)).await.status(),
        StatusCode::FORBIDDEN
    );

    // A finished sign-in cannot be replayed.
    let callback = approve(&start(&browser).await, "u-1").await;
    assert_eq!(
        browser.get(&path_of(&callback)).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        browser.get(&path_of(&callback)).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn an_id_token_with_another_nonce_or_for_another_client_is_refused() {
    if !provider_available() {
        return;
    }
    let provider = start_provider().await;
    let app = app_with_issuer(&provider.url).await;
    set_person(
        &provider,
        "u-2",
        json!({"email": "b@example.com", "groups": ["earshot-admins"]}),
    )
    .await;

    let browser = app.browser();
    let authorize = start(&browser).await;
    let other_nonce = with_param(&authorize, "nonce", "a-nonce-earshot-never-made");
    let callback = approve(&other_nonce, "u-2").await;
    let refused = browser.get(&path_of(&callback)).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("could not be verified")
    );

    let authorize = start(&browser).await;
    let other_client = with_param(&authorize, "client_id", "another-app");
    let callback = approve(&other_client, "u-2").await;
    let refused = browser.get(&path_of(&callback)).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(&refused, "earshot_session").is_none());
    // The provider will not hand another client's code to Earshot.
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("did not accept this sign-in")
    );
    let people: Vec<Value> = app
        .api(ADMIN)
        .get("/api/v1/people?q=b@example.com")
        .await
        .json()
        .await
        .unwrap();
    assert!(people.is_empty(), "nobody was created: {people:?}");
}

/// nginx in front of the provider sends token requests with another Host,
/// so the provider issues ID tokens naming another issuer.
#[tokio::test]
async fn an_id_token_from_another_issuer_is_refused() {
    if !provider_available() || !tool_or_skip("nginx", "the OpenID issuer test") {
        return;
    }
    let provider = start_provider().await;
    let dir = tempfile::tempdir().unwrap();
    let upstream = &provider.url;
    let front = Nginx::start(
        dir.path(),
        &format!(
            "location /oauth2/token {{ proxy_pass {upstream}; proxy_set_header Host evil.example; }}\n\
             location / {{ proxy_pass {upstream}; proxy_set_header Host $http_host; }}"
        ),
    );
    let app = app_with_issuer(&front.url).await;
    set_person(
        &provider,
        "u-3",
        json!({"email": "c@example.com", "groups": ["earshot-admins"]}),
    )
    .await;
    let (_, refused) = sign_in(&app, "u-3").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(&refused, "earshot_session").is_none());
    // Refused when the ID token was checked, not earlier.
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("could not be verified")
    );
}
