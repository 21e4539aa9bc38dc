//! Earshot in a real browser: Debian's Chromium, driven through its
//! chromedriver over WebDriver (fantoccini). Without Chromium these tests
//! say they were skipped; with `CI=true` a missing browser fails them.
//!
//! One browser runs at a time (the machine has two cores); each test has
//! its own session, a screenshot is saved under `target/browser-failures/`
//! when it fails, and a step counter counts what a person does (clicks,
//! typing, choices, keys), not what the test only looks at.

mod accessibility;
mod scenarios;
mod screenshots;

use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::FutureExt;
use serde_json::{Value, json};
use tokio::process::{Child, Command};
use tokio::sync::{Mutex, MutexGuard};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Desktop and phone window sizes.
pub const DESKTOP: (u32, u32) = (1280, 900);
pub const PHONE: (u32, u32) = (390, 844);

/// One browser at a time, across the tests of this binary.
static ONE_BROWSER: Mutex<()> = Mutex::const_new(());

/// A browser session and what a person did in it.
pub struct Session {
    pub client: Client,
    pub base: String,
    /// Interactions since the last [`Session::reset_steps`].
    pub steps: u32,
    driver: Child,
    _profile: tempfile::TempDir,
    _turn: MutexGuard<'static, ()>,
}

fn browser_missing() -> Option<String> {
    [CHROMIUM, CHROMEDRIVER]
        .iter()
        .find(|path| !Path::new(path).exists())
        .map(|path| format!("{path} is not installed (apt-get install chromium chromium-driver)"))
}

/// Whether the browser tests run here (after them, a test may check what
/// they did).
pub fn available() -> bool {
    browser_missing().is_none()
}

/// A free port on loopback for chromedriver.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("address").port()
}

impl Session {
    /// Starts Chromium for `name`, or `None` (after saying so) when it is
    /// not installed and this is not CI.
    async fn start(name: &str, base: &str) -> Option<Session> {
        if let Some(missing) = browser_missing() {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{name}: {missing}; CI must run the browser tests");
            }
            eprintln!("skipped {name}: {missing}");
            return None;
        }
        let turn = ONE_BROWSER.lock().await;
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start chromedriver");
        let address = format!("127.0.0.1:{port}");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while tokio::net::TcpStream::connect(&address).await.is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "chromedriver did not start"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-extensions",
                    format!("--user-data-dir={}", profile.path().display()),
                    format!("--window-size={},{}", DESKTOP.0, DESKTOP.1),
                ],
            }),
        );
        // chromedriver listens on loopback: plain HTTP, no TLS stack.
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&format!("http://{address}"))
            .await
            .expect("a Chromium session");
        Some(Session {
            client,
            base: base.to_owned(),
            steps: 0,
            driver,
            _profile: profile,
            _turn: turn,
        })
    }

    async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill().await;
    }

    async fn screenshot(&self, name: &str) {
        let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-failures");
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::create_dir_all(&directory);
            let path = directory.join(format!("{name}.png"));
            if std::fs::write(&path, png).is_ok() {
                eprintln!("screenshot of the failure: {}", path.display());
            }
        }
    }

    /// Saves what the window shows as `target/screenshots/{name}.png` (kept
    /// by CI as an artifact); returns its path.
    pub async fn save_screenshot(&self, name: &str) -> std::path::PathBuf {
        let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&directory).expect("make target/screenshots");
        let png = self.client.screenshot().await.expect("take a screenshot");
        let path = directory.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("save the screenshot");
        path
    }

    pub fn reset_steps(&mut self) {
        self.steps = 0;
    }

    pub async fn resize(&self, (width, height): (u32, u32)) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("resize the window");
    }

    /// Opens a page by its address (not a step: the person was already there).
    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|error| panic!("open {path}: {error}"));
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current url");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Waits (up to 5 s) for an element to be there.
    pub async fn find(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(Duration::from_secs(5))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(error) => panic!("no {css} on {}: {error}", self.path().await),
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    /// Waits (up to 5 s) until the page's text contains `wanted`.
    pub async fn wait_for_text(&self, wanted: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            // The page may be replaced while it is read: read it again.
            let body = self.find("body").await.text().await.unwrap_or_default();
            if body.contains(wanted) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{wanted:?} never appeared on {}: {body}",
                self.path().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits (up to 5 s) until the address starts with `prefix`.
    pub async fn wait_for_path(&self, prefix: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while !self.path().await.starts_with(prefix) {
            assert!(
                std::time::Instant::now() < deadline,
                "still on {}, wanted {prefix}",
                self.path().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A click: one step.
    pub async fn click(&mut self, css: &str) {
        self.steps += 1;
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|error| panic!("click {css}: {error}"));
    }

    /// Typing into a field: one step.
    pub async fn type_into(&mut self, css: &str, text: &str) {
        self.steps += 1;
        self.find(css)
            .await
            .send_keys(text)
            .await
            .unwrap_or_else(|error| panic!("type into {css}: {error}"));
    }

    /// Choosing in a select: one step.
    pub async fn choose(&mut self, css: &str, value: &str) {
        self.steps += 1;
        self.find(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|error| panic!("choose {value} in {css}: {error}"));
    }

    /// A key pressed on the page (not in a field): one step. `control` holds Ctrl.
    pub async fn press(&mut self, key: char, control: bool) {
        self.steps += 1;
        let control_key = '\u{e009}';
        let mut keys = KeyActions::new("keyboard".into());
        if control {
            keys = keys.then(KeyAction::Down { value: control_key });
        }
        keys = keys
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        if control {
            keys = keys.then(KeyAction::Up { value: control_key });
        }
        self.client
            .perform_actions(keys)
            .await
            .unwrap_or_else(|error| panic!("press {key:?}: {error}"));
    }

    pub async fn run_script(&self, script: &str) -> Value {
        self.client
            .execute(script, Vec::new())
            .await
            .unwrap_or_else(|error| panic!("script failed: {error}"))
    }

    /// Signs in through the login form (not counted: it is not the task).
    pub async fn sign_in(&mut self, email: &str, password: &str) {
        self.goto("/login").await;
        self.type_into("#email", email).await;
        self.type_into("#password", password).await;
        self.click("form[action='/login'] button[type=submit]")
            .await;
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while self.path().await.starts_with("/login") {
            assert!(
                std::time::Instant::now() < deadline,
                "signing in as {email} failed"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.reset_steps();
    }

    /// Signs out by forgetting the cookies.
    pub async fn sign_out(&self) {
        self.client
            .delete_all_cookies()
            .await
            .expect("delete cookies");
    }
}

/// Runs `body` in a fresh browser session on `base`; saves a screenshot if
/// it fails. Says "skipped" and returns when there is no browser here.
pub async fn in_browser<F>(name: &str, base: &str, body: F)
where
    F: AsyncFnOnce(&mut Session),
{
    let Some(mut session) = Session::start(name, base).await else {
        return;
    };
    let outcome = AssertUnwindSafe(body(&mut session)).catch_unwind().await;
    if let Err(panic) = outcome {
        session.screenshot(name).await;
        session.close().await;
        std::panic::resume_unwind(panic);
    }
    session.close().await;
}
