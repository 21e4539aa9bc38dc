//! `TestApp`: a real Earshot on port 0 with its own temporary data directory,
//! and `Browser`: a cookie-keeping client that signs in like a person.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use earshot::app::Application;
use earshot::clock::Clock;
use earshot::config::Config;
use earshot::db::{self, credentials, people, services};
use earshot::domain::{Email, NewService, Role, ServiceDraft};
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const PASSWORD: &str = "correct horse battery";
pub const ADMIN: &str = "ada.admin@example.com";
pub const TEAM: &str = "tom.team@example.com";
pub const CONTRIBUTOR: &str = "cora.contributor@example.com";
pub const OTHER_CONTRIBUTOR: &str = "otto.other@example.com";

/// Hashing is deliberately slow; every test app shares one hash.
static PASSWORD_HASH: LazyLock<String> =
    LazyLock::new(|| earshot::auth::hash_password(PASSWORD).expect("hash"));

pub struct TestApp {
    pub address: String,
    /// The separate metrics address, when one was configured.
    pub metrics_address: Option<String>,
    pub data_dir: PathBuf,
    /// The server's clock, which the test reads for what it expects.
    pub clock: Clock,
    /// The settings it runs with, kept for restarts.
    config: Config,
    _temp: Option<TempDir>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<earshot::error::Result<()>>>,
}

impl TestApp {
    /// A fresh Earshot with two services, a team and four people (one per
    /// role, and a second contributor).
    /// It runs on the machine's clock, so the suite run under `faketime`
    /// tries it on other days.
    pub async fn spawn() -> TestApp {
        TestApp::spawn_configured(Clock::system(), |config| config).await
    }

    /// The same, on a clock that starts at `at`: for tests whose
    /// expectations depend on the day (weeks, periods, "today").
    pub async fn spawn_at(at: &str) -> TestApp {
        let at: DateTime<Utc> = at.parse().expect("an RFC 3339 instant");
        TestApp::spawn_configured(Clock::starting_at(at), |config| config).await
    }

    /// Like [`TestApp::spawn_at`], with settings changed by `configure`.
    pub async fn spawn_at_with(at: &str, configure: impl FnOnce(Config) -> Config) -> TestApp {
        let at: DateTime<Utc> = at.parse().expect("an RFC 3339 instant");
        TestApp::spawn_configured(Clock::starting_at(at), configure).await
    }

    /// Like [`TestApp::spawn`], with settings changed by `configure`.
    pub async fn spawn_with(configure: impl FnOnce(Config) -> Config) -> TestApp {
        TestApp::spawn_configured(Clock::system(), configure).await
    }

    async fn spawn_configured(clock: Clock, configure: impl FnOnce(Config) -> Config) -> TestApp {
        let temp = tempfile::tempdir().expect("temp dir");
        let data_dir = temp.path().to_owned();
        populate(&data_dir, clock.now());
        let mut app = TestApp::start_configured(&data_dir, clock, configure).await;
        app._temp = Some(temp);
        app
    }

    /// Earshot with the demo organisation as of the clock's instant (demo
    /// logins, password `earshot-demo`).
    pub async fn spawn_demo(clock: Clock) -> TestApp {
        let temp = tempfile::tempdir().expect("temp dir");
        let data_dir = temp.path().to_owned();
        db::with_connection(&data_dir.join("earshot.db"), |connection| {
            earshot::seed::load(connection, clock.now()).map(|_| ())
        })
        .expect("seed the demo");
        let mut app = TestApp::start_with(&data_dir, clock).await;
        app._temp = Some(temp);
        app
    }

    /// Gives anonymous feedback as the demo's contributor; returns the
    /// path of its private link.
    pub async fn anonymous_feedback_link(&self) -> String {
        let browser = self.browser();
        browser
            .sign_in(
                "priya.natarajan@halcyon.example",
                earshot::seed::DEMO_PASSWORD,
            )
            .await;
        let page = browser
            .give_feedback(&[
                ("service", "ci-runner"),
                ("kind", "pain"),
                ("body", "Anonymous: the runners are slow on Mondays"),
                ("anonymous", "true"),
            ])
            .await
            .text()
            .await
            .unwrap();
        let start = page.find("/replies/").expect("a private link");
        page[start..].split('"').next().unwrap().to_owned()
    }

    /// A new open survey's answer link (its path), made by the demo's team member.
    pub async fn open_survey_link(&self) -> String {
        let api = self.api("sam.rivera@halcyon.example");
        let created: Value = api
            .post_json(
                "/api/v1/surveys",
                &serde_json::json!({
                    "title": "Pulse", "anonymous": true, "threshold": 3,
                    "questions": [{"kind": "csat", "prompt": "How satisfied are you with CI?"}]
                }),
            )
            .await
            .json()
            .await
            .unwrap();
        let id = created["id"].as_i64().expect("a survey id");
        api.post_json(
            &format!("/api/v1/surveys/{id}/open"),
            &serde_json::json!({}),
        )
        .await;
        let link: Value = api
            .post_json(
                &format!("/api/v1/surveys/{id}/open-link"),
                &serde_json::json!({}),
            )
            .await
            .json()
            .await
            .unwrap();
        let url = link["url"].as_str().expect("a link");
        format!("/respond/{}", url.rsplit('/').next().unwrap_or_default())
    }

    /// The id of the first non-anonymous feedback of `email`.
    pub fn first_feedback_of(&self, email: &str) -> i64 {
        self.with_db(|connection| {
            Ok(connection.query_row(
                "SELECT min(feedback.id) FROM feedback JOIN users ON users.id = feedback.author_id
                  WHERE users.email = ?1",
                [email],
                |row| row.get(0),
            )?)
        })
    }

    /// Starts Earshot on an existing data directory, once its search index
    /// is checked (or rebuilt).
    pub async fn start(data_dir: &Path) -> TestApp {
        TestApp::start_with(data_dir, Clock::system()).await
    }

    /// Starts Earshot on an existing data directory with the given clock.
    pub async fn start_with(data_dir: &Path, clock: Clock) -> TestApp {
        TestApp::start_configured(data_dir, clock, |config| config).await
    }

    /// Starts Earshot on an existing data directory with the given clock
    /// and settings changed by `configure`.
    async fn start_configured(
        data_dir: &Path,
        clock: Clock,
        configure: impl FnOnce(Config) -> Config,
    ) -> TestApp {
        let config = configure(Config {
            clock,
            ..Config::new(data_dir)
        });
        TestApp::launch(config, true).await
    }

    /// Starts Earshot with `config` without waiting for its search index,
    /// which may still be checked or rebuilt.
    pub async fn start_before_search(config: Config) -> TestApp {
        TestApp::launch(config, false).await
    }

    /// Builds and serves `config` (on port 0 unless it names a port).
    async fn launch(config: Config, wait_for_search: bool) -> TestApp {
        let config = Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            ..config
        };
        let kept = config.clone();
        let (data_dir, clock) = (config.data_dir.clone(), config.clock.clone());
        let application = Application::build(config).await.expect("build");
        if wait_for_search {
            application.search().ready().await;
        }
        let metrics_address = application
            .metrics_addr()
            .map(|address| format!("http://{address}"));
        let address = format!("http://{}", application.local_addr());
        let (shutdown, stop) = oneshot::channel::<()>();
        let server = tokio::spawn(application.run_until(async {
            let _ = stop.await;
        }));
        TestApp {
            address,
            metrics_address,
            data_dir,
            clock,
            config: kept,
            _temp: None,
            shutdown: Some(shutdown),
            server: Some(server),
        }
    }

    /// Stops the server gracefully and waits until the database is closed;
    /// the data directory stays for a restart.
    pub async fn stop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(server) = self.server.take() {
            server
                .await
                .expect("server task")
                .expect("server stopped cleanly");
        }
    }

    /// Stops and starts again on the same data directory, with the same
    /// settings.
    pub async fn restart(mut self) -> TestApp {
        self.stop().await;
        let mut restarted = TestApp::launch(self.config.clone(), true).await;
        restarted._temp = self._temp.take();
        restarted
    }

    /// Stops and starts again without waiting for the search index.
    pub async fn restart_before_search(mut self) -> TestApp {
        self.stop().await;
        let mut restarted = TestApp::start_before_search(self.config.clone()).await;
        restarted._temp = self._temp.take();
        restarted
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A browser that has not signed in.
    pub fn browser(&self) -> Browser {
        Browser {
            base: self.address.clone(),
            client: Client::builder()
                .cookie_store(true)
                .redirect(Policy::none())
                .build()
                .unwrap(),
        }
    }

    /// A browser signed in as `email`.
    pub async fn signed_in(&self, email: &str) -> Browser {
        let browser = self.browser();
        let response = browser.sign_in(email, PASSWORD).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "sign-in failed for {email}"
        );
        browser
    }

    /// A new API token for `email`.
    pub fn token_for(&self, email: &str) -> String {
        let token = earshot::auth::new_token("esk_");
        let hash = earshot::auth::hash_token(&token);
        let email = Email::parse(email).unwrap();
        self.with_db(|connection| {
            let user = people::require_user(connection, &email)?;
            credentials::insert_api_token(
                connection,
                &credentials::NewApiToken {
                    user_id: user.id,
                    token_hash: &hash,
                    label: "test",
                    expires_at: None,
                },
                self.clock.now(),
            )
        });
        token
    }

    /// A client that sends `token` as a bearer token.
    pub fn api(&self, email: &str) -> Api {
        Api {
            base: self.address.clone(),
            token: self.token_for(email),
            client: Client::new(),
        }
    }

    /// Runs `f` on the real SQLite file, for setting up and inspecting.
    pub fn with_db<T>(&self, f: impl FnOnce(&db::Connection) -> earshot::error::Result<T>) -> T {
        db::with_connection(&self.data_dir.join("earshot.db"), f).expect("database access")
    }

    /// Contributors without passwords in the given teams (created as
    /// needed): `{team}{index}@example.com`; returns their addresses.
    pub fn add_team_members(&self, teams: &[(&str, usize)]) -> Vec<String> {
        self.with_db(|connection| {
            let mut emails = Vec::new();
            for (team, size) in teams {
                let team_id = people::ensure_team(connection, team, team)?;
                for index in 0..*size {
                    let email = format!("{team}{index}@example.com");
                    people::insert_user(
                        connection,
                        &people::NewUser {
                            email: &Email::parse(&email).unwrap(),
                            name: "Respondent",
                            role: Role::Contributor,
                            team_id: Some(team_id),
                            password_hash: None,
                        },
                        self.clock.now(),
                    )?;
                    emails.push(email);
                }
            }
            Ok(emails)
        })
    }

    /// The personal links of survey `survey`'s invitees, as (address,
    /// token), by address, read where the mail is: in the outbox while it
    /// waits, in the message written under `data/mail` once sent (the
    /// links go to their people only). Waits up to 10 s for the sender.
    pub async fn invitation_tokens(&self, survey: i64) -> Vec<(String, String)> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let rows: Vec<(String, String, String)> = self.with_db(|connection| {
                let mut statement = connection.prepare(
                    "SELECT to_address, message_id, body_text FROM email_outbox
                      WHERE dedupe_key LIKE 'survey-invitation:' || ?1 || ':%' ORDER BY to_address",
                )?;
                let rows = statement
                    .query_map([survey], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                    .collect::<rusqlite::Result<_>>()?;
                Ok(rows)
            });
            let mail = self.delivered_mail();
            let tokens: Vec<Option<(String, String)>> = rows
                .into_iter()
                .map(|(to, message_id, body)| {
                    let text = if body.contains("/respond/") {
                        Some(body)
                    } else {
                        mail.iter()
                            .find(|message| message.contains(&format!("Message-ID: {message_id}")))
                            .cloned()
                    };
                    let token = text?
                        .split("/respond/")
                        .nth(1)?
                        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '-')
                        .next()?
                        .to_owned();
                    Some((to, token))
                })
                .collect();
            if tokens.iter().all(Option::is_some) {
                return tokens.into_iter().flatten().collect();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "survey {survey}'s invitations were neither waiting nor delivered"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// The link starting with `marker` (like `/reset/`) in the newest
    /// message to `to`: from the outbox while it waits, from the delivered
    /// `.eml` file once sent (the outbox then no longer has it).
    pub async fn mailed_link(&self, to: &str, marker: &str) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let (message_id, body): (String, String) = self.with_db(|connection| {
                Ok(connection.query_row(
                    "SELECT message_id, body_text FROM email_outbox WHERE to_address = ?1
                      ORDER BY id DESC LIMIT 1",
                    [to],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )?)
            });
            let text = if body.contains(marker) {
                Some(body)
            } else {
                self.delivered_mail()
                    .into_iter()
                    .find(|message| message.contains(&format!("Message-ID: {message_id}")))
            };
            if let Some(link) = text.as_deref().and_then(|text| {
                let start = text.find(marker)?;
                text[start..].split_whitespace().next().map(str::to_owned)
            }) {
                return link;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no {marker} link mailed to {to}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Every message written under `data/mail`, soft line breaks of
    /// quoted-printable undone.
    pub fn delivered_mail(&self) -> Vec<String> {
        std::fs::read_dir(self.data_dir.join("mail"))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| std::fs::read_to_string(entry.path()).ok())
            .map(|message| message.replace("=\r\n", "").replace("=\n", ""))
            .collect()
    }

    pub fn feedback_count(&self) -> i64 {
        self.with_db(|connection| {
            Ok(connection.query_row("SELECT count(*) FROM feedback", [], |row| row.get(0))?)
        })
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

fn populate(data_dir: &Path, now: DateTime<Utc>) {
    db::with_connection(&data_dir.join("earshot.db"), |connection| {
        let platform = people::ensure_team(connection, "platform", "Platform Engineering")?;
        let payments = people::ensure_team(connection, "payments", "Payments")?;
        for (email, name, role, team) in [
            (ADMIN, "Ada Admin", Role::Admin, platform),
            (TEAM, "Tom Team", Role::Team, platform),
            (CONTRIBUTOR, "Cora Contributor", Role::Contributor, payments),
            (OTHER_CONTRIBUTOR, "Otto Other", Role::Contributor, payments),
        ] {
            people::insert_user(
                connection,
                &people::NewUser {
                    email: &Email::parse(email).unwrap(),
                    name,
                    role,
                    team_id: Some(team),
                    password_hash: Some(&PASSWORD_HASH),
                },
                now,
            )?;
        }
        for (slug, name) in [
            ("ci-runner", "CI runners"),
            ("k8s.prod", "Kubernetes production"),
        ] {
            let service = NewService::parse(&ServiceDraft {
                slug: slug.into(),
                name: name.into(),
                owner_team: "platform".into(),
                ..ServiceDraft::default()
            })
            .unwrap();
            services::insert_service(connection, &service, now)?;
        }
        Ok(())
    })
    .expect("populate the test database");
}

/// A person's browser: keeps cookies, does not follow redirects.
pub struct Browser {
    pub base: String,
    pub client: Client,
}

impl Browser {
    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request")
    }

    pub async fn get_text(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.text().await.unwrap()
    }

    /// Posts a form as the page at `page` would, with its CSRF token.
    pub async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> Response {
        let html = self.get_text(page).await;
        let token = csrf_token_in(&html);
        let mut fields = fields.to_vec();
        fields.push(("csrf", &token));
        self.post_form(action, &fields).await
    }

    /// Posts exactly `fields`, without adding a CSRF token.
    pub async fn post_form(&self, action: &str, fields: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}{action}", self.base))
            .form(fields)
            .send()
            .await
            .expect("request")
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Response {
        self.submit(
            "/login",
            "/login",
            &[("email", email), ("password", password)],
        )
        .await
    }

    /// Submits the feedback form; returns the response to the post.
    pub async fn give_feedback(&self, fields: &[(&str, &str)]) -> Response {
        self.submit("/feedback/new", "/feedback", fields).await
    }
}

/// The CSRF token in a page's forms.
pub fn csrf_token_in(html: &str) -> String {
    let marker = r#"name="csrf" value=""#;
    let start = html.find(marker).expect("the page has a CSRF field") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// An API client with a bearer token.
pub struct Api {
    pub base: String,
    pub token: String,
    pub client: Client,
}

impl Api {
    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn put_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .put(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn patch_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .patch(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// Waits (polling, up to 10 s: the indexer runs on its own thread)
    /// until searching `query` finds `total` things, and returns the results.
    pub async fn search_until(&self, query: &str, total: u64) -> Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let response = self
                .client
                .get(format!("{}/api/v1/search", self.base))
                .bearer_auth(&self.token)
                .query(&[("q", query), ("limit", "50")])
                .send()
                .await
                .expect("request");
            assert_eq!(response.status(), StatusCode::OK, "searching {query:?}");
            let results: Value = response.json().await.unwrap();
            if results["total"] == total || std::time::Instant::now() > deadline {
                assert_eq!(results["total"], total, "{query:?}: {results}");
                return results;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Posts raw bytes with a content type of our choosing.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Response {
        self.client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request")
    }
}

/// A valid feedback body for the API.
pub fn feedback_json(body: &str) -> Value {
    serde_json::json!({
        "service": "ci-runner",
        "kind": "pain",
        "rating": 2,
        "title": "Cache misses",
        "body": body,
        "anonymous": false
    })
}
