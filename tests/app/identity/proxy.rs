//! SSO behind a reverse proxy: a real nginx, started here on loopback,
//! plays oauth2-proxy (it sets the identity headers and the shared secret,
//! and connects from 127.0.0.2, the only trusted address). The same headers
//! sent straight to Earshot from anywhere else are refused.

use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

use reqwest::StatusCode;
use serde_json::Value;

use super::nginx::Nginx;
use super::tool_or_skip;
use crate::helpers::{ADMIN, TestApp};

const SECRET: &str = "proxy-shared-secret";
const PROXY_ADDRESS: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);

/// Starts nginx in front of `upstream`: it turns the test's `X-Sso-*`
/// headers (standing in for the person it signed in) into oauth2-proxy's
/// identity headers, replacing any the client sent.
fn start_sso_proxy(dir: &Path, upstream: &str) -> Nginx {
    Nginx::start(
        dir,
        &format!(
            "location / {{\n\
               proxy_pass {upstream};\n      proxy_bind {PROXY_ADDRESS};\n\
               proxy_set_header X-Forwarded-Email $http_x_sso_email;\n\
               proxy_set_header X-Forwarded-Preferred-Username $http_x_sso_name;\n\
               proxy_set_header X-Forwarded-Groups $http_x_sso_groups;\n\
               proxy_set_header X-Earshot-Proxy-Secret {SECRET};\n    }}"
        ),
    )
}

async fn proxied_app() -> TestApp {
    TestApp::spawn_with(|config| earshot::config::Config {
        proxy: Some(earshot::config::ProxySettings {
            secret: Some(earshot::config::Secret(SECRET.into())),
            ..earshot::config::ProxySettings::oauth2_proxy(vec![IpAddr::from(PROXY_ADDRESS).into()])
        }),
        groups: earshot::domain::identity::GroupMapping::parse(
            "earshot-admins",
            "sre",
            "sre=platform,payments-devs=payments",
        )
        .unwrap(),
        ..config
    })
    .await
}

fn client(from: Option<Ipv4Addr>) -> reqwest::Client {
    let mut builder = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
    if let Some(address) = from {
        builder = builder.local_address(IpAddr::from(address));
    }
    builder.build().unwrap()
}

#[tokio::test]
async fn people_signed_in_by_the_proxy_are_created_with_their_groups_role_and_team() {
    if !tool_or_skip("nginx", "proxy tests") {
        return;
    }
    let app = proxied_app().await;
    let dir = tempfile::tempdir().unwrap();
    let nginx = start_sso_proxy(dir.path(), &app.address);
    let browser = client(None);
    let as_person = |groups: &'static str| {
        browser
            .get(format!("{}/inbox", nginx.url))
            .header("x-sso-email", "Sam.Rivera@Example.com")
            .header("x-sso-name", "Sam Rivera")
            .header("x-sso-groups", groups)
    };
    let inbox = as_person("everyone,sre").send().await.unwrap();
    assert_eq!(
        inbox.status(),
        StatusCode::OK,
        "a team member through the proxy"
    );

    let admin = app.api(ADMIN);
    let people: Vec<Value> = admin
        .get("/api/v1/people?q=sam.rivera")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(people.len(), 1);
    assert_eq!(people[0]["role"], "team");
    assert_eq!(people[0]["team"], "platform");
    assert_eq!(people[0]["name"], "Sam Rivera");

    let demoted = as_person("everyone,payments-devs").send().await.unwrap();
    assert_eq!(
        demoted.status(),
        StatusCode::NOT_FOUND,
        "groups changed: now a contributor"
    );
    let people: Vec<Value> = admin
        .get("/api/v1/people?q=sam.rivera")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(people[0]["role"], "contributor");
    assert_eq!(people[0]["team"], "payments");

    let spoofed = browser
        .get(format!("{}/inbox", nginx.url))
        .header("x-forwarded-email", "ada.admin@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        spoofed.status(),
        StatusCode::SEE_OTHER,
        "headers a client sends through the proxy are replaced"
    );
}

#[tokio::test]
async fn identity_headers_sent_straight_to_earshot_are_refused() {
    let app = proxied_app().await;
    let direct = client(None)
        .get(app.url("/inbox"))
        .header("x-forwarded-email", "ada.admin@example.com")
        .header("x-forwarded-groups", "earshot-admins")
        .send()
        .await
        .unwrap();
    assert_eq!(direct.status(), StatusCode::FORBIDDEN);
    assert!(
        direct
            .text()
            .await
            .unwrap()
            .contains("only from the configured SSO proxy")
    );
    let api = client(None)
        .get(app.url("/api/v1/people"))
        .header("x-forwarded-email", "ada.admin@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::FORBIDDEN);
    assert_eq!(api.headers()["content-type"], "application/problem+json");

    // From the proxy's own address, but without its shared secret: refused too.
    let no_secret = client(Some(PROXY_ADDRESS))
        .get(app.url("/inbox"))
        .header("x-forwarded-email", "ada.admin@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(no_secret.status(), StatusCode::FORBIDDEN);
    let with_secret = client(Some(PROXY_ADDRESS))
        .get(app.url("/inbox"))
        .header("x-forwarded-email", "ada.admin@example.com")
        .header("x-earshot-proxy-secret", SECRET)
        .send()
        .await
        .unwrap();
    assert_eq!(
        with_secret.status(),
        StatusCode::NOT_FOUND,
        "believed, and mapped by groups (none: contributor)"
    );
}
