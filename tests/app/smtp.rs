//! A real SMTP server over TCP for the mail tests: it speaks enough of RFC
//! 5321 for lettre, records what arrives, and can be told to refuse.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// One message as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub recipients: Vec<String>,
    pub data: String,
}

impl Received {
    /// The value of a header (unfolded), if present.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }
}

/// What the server answers, beyond "250 OK".
#[derive(Default)]
struct Script {
    /// Answers to RCPT TO for a recipient, e.g. "554 5.7.1 rejected".
    rcpt: HashMap<String, String>,
    /// Answers to the next DATA commands, in order, before accepting.
    data: VecDeque<String>,
    /// How many of the next messages to cut off halfway, closing the connection.
    drop_mid_message: usize,
    /// How many of the next messages to hold, unanswered, until the client
    /// goes away (they are then not delivered, as RFC 5321 § 6.1 has it).
    hold: usize,
    /// Messages held right now.
    holding: usize,
}

pub struct SmtpServer {
    pub address: SocketAddr,
    pub received: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<Script>>,
    task: JoinHandle<()>,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        SmtpServer::start_on("127.0.0.1:0".parse().unwrap()).await
    }

    pub async fn start_on(address: SocketAddr) -> SmtpServer {
        let listener = TcpListener::bind(address)
            .await
            .expect("bind the SMTP server");
        let address = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(Script::default()));
        let (task_received, task_script) = (received.clone(), script.clone());
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(session(socket, task_received.clone(), task_script.clone()));
            }
        });
        SmtpServer {
            address,
            received,
            script,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://{}", self.address)
    }

    pub fn refuse_recipient(&self, recipient: &str, answer: &str) {
        self.script
            .lock()
            .unwrap()
            .rcpt
            .insert(recipient.to_lowercase(), answer.to_owned());
    }

    pub fn answer_next_data(&self, answer: &str) {
        self.script
            .lock()
            .unwrap()
            .data
            .push_back(answer.to_owned());
    }

    /// The next `count` messages are cut off after a few lines: the server
    /// closes the connection mid-message.
    pub fn drop_mid_message(&self, count: usize) {
        self.script.lock().unwrap().drop_mid_message = count;
    }

    /// The next `count` messages get no answer after their final ".": the
    /// server waits until the client disconnects and then discards them.
    pub fn hold(&self, count: usize) {
        self.script.lock().unwrap().hold = count;
    }

    /// How many messages are being held unanswered right now.
    pub fn holding(&self) -> usize {
        self.script.lock().unwrap().holding
    }

    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Stops listening (connections in progress end with the test).
    pub fn stop(self) -> SocketAddr {
        self.task.abort();
        self.address
    }
}

/// Counts down one of the script's counters; true if it was above zero.
fn take(script: &Mutex<Script>, counter: impl Fn(&mut Script) -> &mut usize) -> bool {
    let mut script = script.lock().unwrap();
    let counter = counter(&mut script);
    let taken = *counter > 0;
    *counter = counter.saturating_sub(1);
    taken
}

async fn session(
    socket: tokio::net::TcpStream,
    received: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<Script>>,
) {
    let (reader, mut writer) = socket.into_split();
    let mut lines = BufReader::new(reader).lines();
    let _ = writer.write_all(b"220 test.local ESMTP ready\r\n").await;
    let mut recipients = Vec::new();
    while let Ok(Some(line)) = lines.next_line().await {
        let upper = line.to_uppercase();
        let answer = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            "250-test.local\r\n250 8BITMIME".to_owned()
        } else if upper.starts_with("MAIL FROM") {
            recipients.clear();
            "250 OK".to_owned()
        } else if upper.starts_with("RCPT TO") {
            let recipient = line[8..]
                .trim()
                .trim_start_matches(':')
                .trim()
                .trim_matches(['<', '>'])
                .to_lowercase();
            match script.lock().unwrap().rcpt.get(&recipient) {
                Some(refusal) => refusal.clone(),
                None => {
                    recipients.push(recipient);
                    "250 OK".to_owned()
                }
            }
        } else if upper == "DATA" {
            let _ = writer.write_all(b"354 go ahead\r\n").await;
            let cut_off = take(&script, |script| &mut script.drop_mid_message);
            let mut data = String::new();
            let mut count = 0;
            while let Ok(Some(line)) = lines.next_line().await {
                if line == "." {
                    break;
                }
                count += 1;
                if cut_off && count == 3 {
                    return;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
                data.push_str("\r\n");
            }
            if take(&script, |script| &mut script.hold) {
                script.lock().unwrap().holding += 1;
                // The client waits for an answer that never comes; whatever
                // it sends, the message is discarded once it is gone.
                while let Ok(Some(_)) = lines.next_line().await {}
                script.lock().unwrap().holding -= 1;
                return;
            }
            match script.lock().unwrap().data.pop_front() {
                Some(answer) => answer,
                None => {
                    received.lock().unwrap().push(Received {
                        recipients: recipients.clone(),
                        data,
                    });
                    "250 OK queued".to_owned()
                }
            }
        } else if upper == "QUIT" {
            let _ = writer.write_all(b"221 bye\r\n").await;
            return;
        } else if upper.starts_with("RSET") || upper.starts_with("NOOP") {
            "250 OK".to_owned()
        } else {
            "500 unknown command".to_owned()
        };
        if writer
            .write_all(format!("{answer}\r\n").as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}
