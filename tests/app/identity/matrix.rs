//! The access matrix: every page and API read (and the API's writes) ×
//! signed out, the owner of an item, another contributor, the team, an
//! admin, a deactivated person, a revoked token and an expired token. Each
//! answer has the expected status, and no body (allowed or refused) holds
//! what that person may not see.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{ADMIN, CONTRIBUTOR, OTHER_CONTRIBUTOR, PASSWORD, TEAM, TestApp};

const OWN_BODY: &str = "owner-marker-7f3a";
const NOTE: &str = "internal-marker-9c1d";
const INTERVIEW: &str = "interview-marker-2b8e";
const DEACTIVATED: &str = "dee.deactivated@example.com";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    SignedOut,
    Owner,
    OtherContributor,
    Team,
    Admin,
    Deactivated,
    RevokedToken,
    ExpiredToken,
}

/// Who may use a route.
#[derive(Debug, Clone, Copy)]
enum Rule {
    Public,
    /// `/` sends everyone somewhere.
    Redirect,
    SignedIn,
    /// The owner's item: the owner and the platform team.
    OwnItem,
    Team,
    Admin,
    /// Admin only, on something everyone may see (a service): others get 403.
    AdminOfPublic,
}

fn signed_in(who: Who) -> bool {
    matches!(
        who,
        Who::Owner | Who::OtherContributor | Who::Team | Who::Admin
    )
}

fn is_platform(who: Who) -> bool {
    matches!(who, Who::Team | Who::Admin)
}

/// The status `who` gets; `None` where an allowed call's answer depends on its body.
fn expected(rule: Rule, who: Who, api: bool, write: bool) -> Option<StatusCode> {
    let allowed = match rule {
        Rule::Public => return Some(StatusCode::OK),
        Rule::Redirect => return Some(StatusCode::SEE_OTHER),
        Rule::SignedIn => signed_in(who),
        Rule::OwnItem => matches!(who, Who::Owner) || is_platform(who),
        Rule::Team => is_platform(who),
        Rule::Admin | Rule::AdminOfPublic => who == Who::Admin,
    };
    if !signed_in(who) {
        return Some(if api {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::SEE_OTHER
        });
    }
    if allowed {
        return if write { None } else { Some(StatusCode::OK) };
    }
    Some(match (rule, who) {
        (Rule::Admin, Who::Team) | (Rule::AdminOfPublic, _) => StatusCode::FORBIDDEN,
        _ => StatusCode::NOT_FOUND,
    })
}

/// What must not appear in what `who` reads.
fn forbidden(who: Who) -> Vec<&'static str> {
    let mut markers = Vec::new();
    if !is_platform(who) {
        markers.extend([NOTE, INTERVIEW]);
    }
    if !is_platform(who) && who != Who::Owner {
        markers.extend([OWN_BODY, CONTRIBUTOR]);
    }
    markers
}

const PAGES: &[(&str, Rule)] = &[
    ("/", Rule::Redirect),
    ("/login", Rule::Public),
    ("/healthz", Rule::Public),
    ("/feedback/new", Rule::SignedIn),
    ("/feedback/thanks", Rule::SignedIn),
    ("/feedback/mine", Rule::SignedIn),
    ("/shipped", Rule::SignedIn),
    ("/services", Rule::SignedIn),
    ("/services/ci-runner", Rule::SignedIn),
    ("/digests", Rule::SignedIn),
    ("/account", Rule::SignedIn),
    ("/search?q=marker", Rule::SignedIn),
    ("/search?q=cache", Rule::SignedIn),
    ("/feedback/1", Rule::OwnItem),
    ("/feedback/1/delete", Rule::Team),
    ("/inbox", Rule::Team),
    ("/dashboard", Rule::Team),
    ("/interviews", Rule::Team),
    ("/interviews/1", Rule::Team),
    ("/interviews/1/edit", Rule::Team),
    ("/interviews/recruiting", Rule::Team),
    ("/pain-points", Rule::Team),
    ("/pain-points/1", Rule::Team),
    ("/roadmap", Rule::Team),
    ("/roadmap/1", Rule::Team),
    ("/tags", Rule::Team),
    ("/tree", Rule::Team),
    ("/surveys", Rule::Team),
    ("/surveys/1", Rule::Team),
    ("/surveys/1/close", Rule::Team),
    ("/surveys/1/results", Rule::Team),
    ("/surveys/1/import", Rule::Team),
    ("/admin/people", Rule::Admin),
    ("/admin/people/1", Rule::Admin),
    ("/admin/teams", Rule::Admin),
    ("/admin/tokens", Rule::Admin),
    ("/admin/audit", Rule::Admin),
    ("/admin/audit.jsonl", Rule::Admin),
];

const API_READS: &[(&str, Rule)] = &[
    ("/api/v1/feedback", Rule::SignedIn),
    ("/api/v1/feedback/1", Rule::OwnItem),
    ("/api/v1/services", Rule::SignedIn),
    ("/api/v1/services/ci-runner", Rule::SignedIn),
    ("/api/v1/search?q=marker", Rule::SignedIn),
    ("/api/v1/search?q=cache", Rule::SignedIn),
    ("/api/v1/tokens", Rule::SignedIn),
    ("/api/v1/pain-points", Rule::Team),
    ("/api/v1/pain-points/1", Rule::Team),
    ("/api/v1/roadmap-items", Rule::Team),
    ("/api/v1/roadmap-items/1", Rule::Team),
    ("/api/v1/interviews", Rule::Team),
    ("/api/v1/interviews/1", Rule::Team),
    ("/api/v1/outcomes", Rule::Team),
    ("/api/v1/outcomes/1", Rule::Team),
    ("/api/v1/surveys/1", Rule::Team),
    ("/api/v1/surveys/1/results", Rule::Team),
    ("/api/v1/surveys/1/results.csv", Rule::Team),
    ("/api/v1/people", Rule::Admin),
    ("/api/v1/people/1", Rule::Admin),
    ("/api/v1/teams", Rule::Admin),
    ("/api/v1/audit.jsonl", Rule::Admin),
];

const API_WRITES: &[(&str, &str, Rule)] = &[
    ("DELETE", "/api/v1/feedback/1", Rule::Team),
    ("POST", "/api/v1/pain-points", Rule::Team),
    ("PATCH", "/api/v1/pain-points/1", Rule::Team),
    ("POST", "/api/v1/roadmap-items", Rule::Team),
    ("POST", "/api/v1/roadmap-items/1/ship", Rule::Team),
    ("POST", "/api/v1/interviews", Rule::Team),
    ("PATCH", "/api/v1/interviews/1", Rule::Team),
    ("POST", "/api/v1/outcomes", Rule::Team),
    ("POST", "/api/v1/surveys", Rule::Team),
    ("POST", "/api/v1/surveys/1/open", Rule::Team),
    ("POST", "/api/v1/surveys/1/invitations", Rule::Team),
    ("PATCH", "/api/v1/services/ci-runner", Rule::Team),
    ("DELETE", "/api/v1/services/k8s.prod", Rule::AdminOfPublic),
    ("PATCH", "/api/v1/people/1", Rule::Admin),
    ("POST", "/api/v1/teams", Rule::Admin),
    ("PATCH", "/api/v1/teams/payments", Rule::Admin),
    ("POST", "/api/v1/tokens", Rule::SignedIn),
];

struct Principals {
    browsers: Vec<(Who, crate::helpers::Browser)>,
    tokens: Vec<(Who, Option<String>)>,
}

/// Everything the matrix reads, owned by the right people, and one
/// session or token per kind of caller.
async fn setup(app: &TestApp) -> Principals {
    app.with_db(|connection| {
        let hash = earshot::auth::hash_password(PASSWORD)?;
        earshot::db::people::insert_user(
            connection,
            &earshot::db::people::NewUser {
                email: &earshot::domain::Email::parse(DEACTIVATED).unwrap(),
                name: "Dee Deactivated",
                role: earshot::domain::Role::Admin,
                team_id: None,
                password_hash: Some(&hash),
            },
            chrono::Utc::now(),
        )?;
        Ok(())
    });
    let owner = app.api(CONTRIBUTOR);
    let mut body = crate::helpers::feedback_json(&format!("cache misses {OWN_BODY}"));
    body["anonymous"] = json!(false);
    assert_eq!(
        owner.post_json("/api/v1/feedback", &body).await.status(),
        StatusCode::CREATED
    );
    let team_api = app.api(TEAM);
    let team_browser = app.signed_in(TEAM).await;
    let noted = team_browser
        .submit("/feedback/1", "/feedback/1/triage", &[("note", NOTE)])
        .await;
    assert_eq!(noted.status(), StatusCode::SEE_OTHER);
    for (path, body) in [
        (
            "/api/v1/interviews",
            json!({"participant_name": "Lars", "held_on": "2026-11-20", "notes": INTERVIEW}),
        ),
        ("/api/v1/pain-points", json!({"title": "Cold caches"})),
        ("/api/v1/roadmap-items", json!({"title": "Warm caches"})),
        ("/api/v1/outcomes", json!({"title": "Fast builds"})),
        ("/api/v1/surveys", crate::surveys::survey()),
    ] {
        assert_eq!(
            team_api.post_json(path, &body).await.status(),
            StatusCode::CREATED,
            "{path}"
        );
    }

    let deactivated_browser = app.signed_in(DEACTIVATED).await;
    let deactivated_token = app.token_for(DEACTIVATED);
    let revoked = app.token_for(OTHER_CONTRIBUTOR);
    let expired = app.token_for(OTHER_CONTRIBUTOR);
    let dee: i64 = app.with_db(|connection| {
        connection.execute(
            "UPDATE api_tokens SET revoked_at = '2026-01-01 00:00:00+00:00' WHERE token_hash = ?1",
            [earshot::auth::hash_token(&revoked)],
        )?;
        connection.execute(
            "UPDATE api_tokens SET expires_at = '2000-01-01 00:00:00+00:00' WHERE token_hash = ?1",
            [earshot::auth::hash_token(&expired)],
        )?;
        Ok(connection.query_row(
            "SELECT id FROM users WHERE email = ?1",
            [DEACTIVATED],
            |row| row.get(0),
        )?)
    });
    let deactivation = app
        .api(ADMIN)
        .patch_json(&format!("/api/v1/people/{dee}"), &json!({"active": false}))
        .await;
    assert_eq!(deactivation.status(), StatusCode::OK);

    Principals {
        browsers: vec![
            (Who::SignedOut, app.browser()),
            (Who::Owner, app.signed_in(CONTRIBUTOR).await),
            (
                Who::OtherContributor,
                app.signed_in(OTHER_CONTRIBUTOR).await,
            ),
            (Who::Team, team_browser),
            (Who::Admin, app.signed_in(ADMIN).await),
            (Who::Deactivated, deactivated_browser),
        ],
        tokens: vec![
            (Who::SignedOut, None),
            (Who::Owner, Some(owner.token.clone())),
            (
                Who::OtherContributor,
                Some(app.token_for(OTHER_CONTRIBUTOR)),
            ),
            (Who::Team, Some(team_api.token.clone())),
            (Who::Admin, Some(app.token_for(ADMIN))),
            (Who::Deactivated, Some(deactivated_token)),
            (Who::RevokedToken, Some(revoked)),
            (Who::ExpiredToken, Some(expired)),
        ],
    }
}

fn check_body(who: Who, what: &str, body: &str, tokens: &[(Who, Option<String>)]) -> Vec<String> {
    let mut problems = Vec::new();
    for marker in forbidden(who) {
        if body.contains(marker) {
            problems.push(format!("{what} as {who:?}: the body shows {marker:?}"));
        }
    }
    for token in tokens.iter().filter_map(|(_, token)| token.as_deref()) {
        if body.contains(token) {
            problems.push(format!("{what} as {who:?}: the body shows an API token"));
        }
    }
    problems
}

#[tokio::test]
async fn every_route_answers_each_kind_of_caller_as_it_should_and_shows_nothing_it_should_not() {
    let app = TestApp::spawn().await;
    let principals = setup(&app).await;
    let mut problems = Vec::new();

    for (who, browser) in &principals.browsers {
        for (path, rule) in PAGES {
            let response = browser.get(path).await;
            let status = response.status();
            let body = response.text().await.unwrap();
            if let Some(wanted) = expected(*rule, *who, false, false)
                && status != wanted
            {
                problems.push(format!(
                    "GET {path} as {who:?}: {status}, expected {wanted}"
                ));
            }
            problems.extend(check_body(
                *who,
                &format!("GET {path}"),
                &body,
                &principals.tokens,
            ));
        }
    }
    // Pages with a revoked or expired token in the Authorization header are signed out.
    for (who, token) in principals
        .tokens
        .iter()
        .filter(|(who, _)| matches!(who, Who::RevokedToken | Who::ExpiredToken))
    {
        let response = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(app.url("/inbox"))
            .bearer_auth(token.as_deref().unwrap())
            .send()
            .await
            .unwrap();
        if response.status() != StatusCode::SEE_OTHER {
            problems.push(format!("GET /inbox as {who:?}: {}", response.status()));
        }
    }

    let client = reqwest::Client::new();
    for (who, token) in &principals.tokens {
        for (path, rule) in API_READS {
            let mut request = client.get(app.url(path));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            let status = response.status();
            let body = response.text().await.unwrap();
            if let Some(wanted) = expected(*rule, *who, true, false)
                && status != wanted
            {
                problems.push(format!(
                    "GET {path} as {who:?}: {status}, expected {wanted}"
                ));
            }
            problems.extend(check_body(
                *who,
                &format!("GET {path}"),
                &body,
                &principals.tokens,
            ));
        }
    }
    // Writes last, refused callers first, so that allowed writes change nothing the checks above read.
    let mut order: Vec<&(Who, Option<String>)> = principals.tokens.iter().collect();
    order.sort_by_key(|(who, _)| is_platform(*who));
    for (who, token) in order {
        for (method, path, rule) in API_WRITES {
            let mut request = client
                .request(method.parse().unwrap(), app.url(path))
                .json(&json!({}));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            let status = response.status();
            let body = response.text().await.unwrap();
            match expected(*rule, *who, true, true) {
                Some(wanted) if status != wanted => problems.push(format!(
                    "{method} {path} as {who:?}: {status}, expected {wanted}"
                )),
                None if status.is_server_error() => {
                    problems.push(format!("{method} {path} as {who:?}: {status}"))
                }
                _ => {}
            }
            problems.extend(check_body(
                *who,
                &format!("{method} {path}"),
                &body,
                &principals.tokens,
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
