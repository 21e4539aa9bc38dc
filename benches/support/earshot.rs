//! Running the release binary for a bench: a token, a server, settings.
//! Each bench uses some of these.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A setting from the environment, or its default.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// An API token for `email` (`earshot token create`).
pub fn token(data_dir: &Path, email: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_earshot"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(["token", "create", "--email", email])
        .output()
        .expect("earshot token create runs");
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// `earshot serve` on a free port, once it accepts connections.
pub fn start_server(data_dir: &Path) -> (Child, SocketAddr) {
    start_server_with(data_dir, &[])
}

/// `earshot serve` with more arguments, once it accepts connections.
pub fn start_server_with(data_dir: &Path, arguments: &[&str]) -> (Child, SocketAddr) {
    let address = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let server = Command::new(env!("CARGO_BIN_EXE_earshot"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(["serve", "--listen", &address.to_string()])
        .args(arguments)
        .env("EARSHOT_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("earshot serve runs");
    let deadline = Instant::now() + Duration::from_secs(300);
    while std::net::TcpStream::connect(address).is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (server, address)
}
