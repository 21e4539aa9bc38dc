//! A minimal HTTP/1.1 keep-alive client for the benches: it takes as little
//! of the shared machine as possible, so the server gets the rest. Each
//! bench uses some of these.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What a load run measured.
pub struct Outcome {
    pub latencies: Histogram<u64>,
    pub succeeded: u64,
    pub failed: u64,
    pub elapsed: Duration,
}

pub fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Arc<Vec<u8>> {
    let mut text = format!("{method} {path} HTTP/1.1\r\nhost: bench\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
    Arc::new(text.into_bytes())
}

pub async fn load(
    address: SocketAddr,
    request: Arc<Vec<u8>>,
    connections: usize,
    duration: Duration,
) -> Outcome {
    let started = Instant::now();
    let deadline = started + duration;
    let workers: Vec<_> = (0..connections)
        .map(|_| tokio::spawn(connection(address, request.clone(), deadline)))
        .collect();
    let mut outcome = Outcome {
        latencies: Histogram::new(3).unwrap(),
        succeeded: 0,
        failed: 0,
        elapsed: Duration::ZERO,
    };
    for worker in workers {
        let (latencies, succeeded, failed) = worker.await.unwrap();
        outcome.latencies.add(latencies).unwrap();
        outcome.succeeded += succeeded;
        outcome.failed += failed;
    }
    outcome.elapsed = started.elapsed();
    outcome
}

/// One keep-alive connection sending `request` until `deadline`.
pub async fn connection(
    address: SocketAddr,
    request: Arc<Vec<u8>>,
    deadline: Instant,
) -> (Histogram<u64>, u64, u64) {
    let mut latencies = Histogram::<u64>::new(3).unwrap();
    let (mut succeeded, mut failed) = (0, 0);
    let mut stream = TcpStream::connect(address).await.expect("connect");
    stream.set_nodelay(true).unwrap();
    let mut buffer = vec![0u8; 64 * 1024];
    while Instant::now() < deadline {
        let sent = Instant::now();
        stream.write_all(&request).await.expect("send");
        let status = read_response(&mut stream, &mut buffer).await;
        latencies.record(sent.elapsed().as_micros() as u64).unwrap();
        if (200..300).contains(&status) {
            succeeded += 1;
        } else {
            failed += 1;
            eprintln!("failed request: HTTP {status}");
        }
    }
    (latencies, succeeded, failed)
}

/// Reads one response (headers and a content-length body); returns its status.
pub async fn read_response(stream: &mut TcpStream, buffer: &mut [u8]) -> u16 {
    let mut filled = 0;
    loop {
        let read = stream.read(&mut buffer[filled..]).await.expect("receive");
        assert!(read > 0, "the server closed the connection");
        filled += read;
        let Some(end) = find(&buffer[..filled], b"\r\n\r\n") else {
            continue;
        };
        let head = std::str::from_utf8(&buffer[..end]).expect("headers are text");
        let status: u16 = head[9..12].parse().expect("a status code");
        let length = content_length(head);
        let total = end + 4 + length;
        while filled < total {
            let read = stream.read(&mut buffer[filled..]).await.expect("receive");
            assert!(read > 0, "the server closed the connection");
            filled += read;
        }
        return status;
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// One keep-alive connection for sending requests one at a time.
pub struct Connection {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl Connection {
    pub async fn open(address: SocketAddr) -> Connection {
        let stream = TcpStream::connect(address).await.expect("connect");
        stream.set_nodelay(true).unwrap();
        Connection {
            stream,
            buffer: vec![0u8; 256 * 1024],
        }
    }

    /// Sends `request`; returns the status and the body.
    pub async fn send(&mut self, request: &[u8]) -> (u16, Vec<u8>) {
        self.stream.write_all(request).await.expect("send");
        let (status, body) = read_full_response(&mut self.stream, &mut self.buffer).await;
        (status, body)
    }
}

async fn read_full_response(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> (u16, Vec<u8>) {
    let mut filled = 0;
    loop {
        if filled == buffer.len() {
            buffer.resize(buffer.len() * 2, 0);
        }
        let read = stream.read(&mut buffer[filled..]).await.expect("receive");
        assert!(read > 0, "the server closed the connection");
        filled += read;
        let Some(end) = find(&buffer[..filled], b"\r\n\r\n") else {
            continue;
        };
        let head = std::str::from_utf8(&buffer[..end]).expect("headers are text");
        let status: u16 = head[9..12].parse().expect("a status code");
        let length = content_length(head);
        let total = end + 4 + length;
        if buffer.len() < total {
            buffer.resize(total, 0);
        }
        while filled < total {
            let read = stream.read(&mut buffer[filled..]).await.expect("receive");
            assert!(read > 0, "the server closed the connection");
            filled += read;
        }
        return (status, buffer[end + 4..total].to_vec());
    }
}

fn content_length(head: &str) -> usize {
    head.lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0)
}
