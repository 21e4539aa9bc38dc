//! When the data directory cannot take writes (a full disk, a read-only
//! or vanished directory), writes answer 503 with a problem body saying
//! so, and the log says so too: the real binary, on a real filesystem.
//!
//! A full disk is a small tmpfs in a user and mount namespace (`unshare`,
//! no privileges needed); a read-only directory is the immutable attribute
//! (`chattr +i`, root on ext4). Where the system does not allow them the
//! test says it was skipped, except in CI (`CI=true`), where it fails.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// `earshot` on `data_dir` with the demo organisation and a contributor's token.
async fn seeded(data_dir: &Path) -> String {
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_earshot"))
            .arg("--data-dir")
            .arg(data_dir)
            .args(args)
            .output()
            .unwrap()
    };
    assert!(run(&["seed"]).status.success());
    let token = run(&[
        "token",
        "create",
        "--email",
        "priya.natarajan@halcyon.example",
    ]);
    String::from_utf8(token.stdout).unwrap().trim().to_owned()
}

/// A server process whose log is kept.
struct Server {
    child: Child,
    base: String,
    token: String,
    log: Arc<Mutex<String>>,
}

impl Server {
    /// Runs `program` (which ends by exec'ing `earshot serve`), and waits
    /// until the server answers.
    async fn start(mut program: Command, address: &str, token: String) -> Server {
        let mut child = program
            .env("EARSHOT_LOG", "earshot=info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let kept = Arc::clone(&log);
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                let mut log = kept.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let base = format!("http://{address}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while reqwest::get(format!("{base}/healthz")).await.is_err() {
            assert!(
                Instant::now() < deadline,
                "the server did not start: {}",
                log.lock().unwrap()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Server {
            child,
            base,
            token,
            log,
        }
    }

    /// Posts feedback with `body`; returns the status and the answer.
    async fn give(&self, body: &str) -> (StatusCode, Value) {
        let response = reqwest::Client::new()
            .post(format!("{}/api/v1/feedback", self.base))
            .bearer_auth(&self.token)
            .json(&json!({"service": "ci-runner", "kind": "pain", "body": body}))
            .send()
            .await
            .unwrap();
        (response.status(), response.json().await.unwrap_or_default())
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

fn free_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

/// Says the test was skipped because the system lacks `what`, or fails
/// in CI, where everything a test needs is installed.
fn skip(what: &str) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI must provide {what}"
    );
    eprintln!("skipped: {what} is not available here");
}

/// Asserts that a write answered 503 with a problem body containing `says`.
fn assert_unavailable(status: StatusCode, problem: &Value, says: &str) {
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
    assert_eq!(problem["status"], 503, "{problem}");
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(detail.contains(says), "{detail}");
}

#[tokio::test]
async fn a_vanished_data_directory_answers_503_saying_so_instead_of_writing_into_the_void() {
    let parent = tempfile::tempdir().unwrap();
    let data_dir = parent.path().join("data");
    let token = seeded(&data_dir).await;
    let address = free_address();
    let mut serve = Command::new(env!("CARGO_BIN_EXE_earshot"));
    serve
        .arg("--data-dir")
        .arg(&data_dir)
        .args(["serve", "--listen", &address]);
    let server = Server::start(serve, &address, token).await;
    assert_eq!(
        server.give("before it vanished").await.0,
        StatusCode::CREATED
    );

    // Moved away in one step (deleting file by file races with the index
    // writing), then deleted.
    let gone = parent.path().join("gone");
    std::fs::rename(&data_dir, &gone).unwrap();
    let _ = std::fs::remove_dir_all(&gone);
    let (status, problem) = server.give("into the void").await;
    assert_unavailable(status, &problem, "vanished");
    let ready = reqwest::get(format!("{}/readyz", server.base))
        .await
        .unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(server.log().contains("vanished"), "{}", server.log());
}

/// Whether this system lets an unprivileged user mount a tmpfs in a
/// namespace of its own.
fn namespaces_work() -> bool {
    std::process::Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c"])
        .arg("mount -t tmpfs -o size=64k tmpfs /mnt")
        .output()
        .is_ok_and(|output| output.status.success())
}

#[tokio::test]
async fn a_full_disk_answers_503_saying_so_and_writes_resume_once_space_is_freed() {
    if !namespaces_work() {
        return skip("unshare with user and mount namespaces");
    }
    let prepared = tempfile::tempdir().unwrap();
    let token = seeded(prepared.path()).await;
    let mount_point = tempfile::tempdir().unwrap();
    let used: u64 = std::fs::read_dir(prepared.path())
        .unwrap()
        .flatten()
        .map(|entry| entry.metadata().map_or(0, |metadata| metadata.len()))
        .sum();
    let address = free_address();
    // The tmpfs holds the database, its index and 256 KB of filler, with a
    // little room to spare: the filler is what the test frees later.
    let script = format!(
        "mount -t tmpfs -o size={size}k tmpfs {mount} && cp -a {prepared}/. {mount}/ && \
         dd if=/dev/zero of={mount}/filler bs=1k count=256 2>/dev/null && \
         exec {earshot} --data-dir {mount} serve --listen {address}",
        size = used / 1024 + 4096,
        mount = mount_point.path().display(),
        prepared = prepared.path().display(),
        earshot = env!("CARGO_BIN_EXE_earshot"),
    );
    let mut serve = Command::new("unshare");
    serve
        .args(["--user", "--map-root-user", "--mount", "sh", "-c"])
        .arg(script);
    let server = Server::start(serve, &address, token).await;
    let big = "the disk fills up ".repeat(250);
    let mut full = None;
    for _ in 0..2000 {
        let (status, problem) = server.give(&big).await;
        if status != StatusCode::CREATED {
            full = Some((status, problem));
            break;
        }
    }
    let (status, problem) = full.expect("the disk never filled");
    assert_unavailable(status, &problem, "full");
    assert!(server.log().contains("is full"), "{}", server.log());

    // Free the filler through the server's own view of the filesystem.
    let pid = server.child.id().unwrap();
    let filler = PathBuf::from(format!("/proc/{pid}/root"))
        .join(mount_point.path().strip_prefix("/").unwrap())
        .join("filler");
    std::fs::remove_file(&filler).unwrap();
    let (status, problem) = server.give("there is room again").await;
    assert_eq!(status, StatusCode::CREATED, "{problem}");
}

/// Sets or clears the immutable attribute; false if the system refuses.
fn immutable(path: &Path, on: bool) -> bool {
    std::process::Command::new("chattr")
        .arg(if on { "+i" } else { "-i" })
        .arg(path)
        .output()
        .is_ok_and(|output| output.status.success())
}

/// Clears the immutable attributes it set, even when the test fails.
struct Immutable(Vec<PathBuf>);

impl Drop for Immutable {
    fn drop(&mut self) {
        for path in &self.0 {
            immutable(path, false);
        }
    }
}

#[tokio::test]
async fn a_read_only_data_directory_answers_503_saying_so() {
    // Beside the build, on the disk the repository is on: /tmp may be a
    // tmpfs, which may not keep the immutable attribute.
    let parent = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let data_dir = parent.path().join("data");
    let token = seeded(&data_dir).await;
    let probe = parent.path().join("probe");
    std::fs::write(&probe, "").unwrap();
    if !immutable(&probe, true) {
        return skip("chattr +i (root on a filesystem with the immutable attribute)");
    }
    immutable(&probe, false);
    let address = free_address();
    let mut serve = Command::new(env!("CARGO_BIN_EXE_earshot"));
    serve
        .arg("--data-dir")
        .arg(&data_dir)
        .args(["serve", "--listen", &address]);
    let server = Server::start(serve, &address, token).await;
    assert_eq!(server.give("while writable").await.0, StatusCode::CREATED);

    let frozen = Immutable(vec![data_dir.join("earshot.db-wal"), data_dir.clone()]);
    for path in &frozen.0 {
        assert!(immutable(path, true), "chattr +i {}", path.display());
    }
    let (status, problem) = server.give("while read-only").await;
    assert_unavailable(status, &problem, "read-only");
    assert!(server.log().contains("read-only"), "{}", server.log());

    drop(frozen);
    let (status, problem) = server.give("writable again").await;
    assert_eq!(status, StatusCode::CREATED, "{problem}");
}
