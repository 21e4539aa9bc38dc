//! SMTP connections with Nagle's algorithm off, kept in a small pool.
//!
//! lettre's own pooled transport leaves Nagle's algorithm on, and its
//! client writes a message and the final "." in two writes: the "." then
//! waits about 40 ms for the server's delayed acknowledgement. Worse, a
//! sender killed during that wait does not stop the message: the kernel
//! still delivers the buffered "." after the process is gone, so nearly
//! every message in flight was accepted without the sender recording it
//! (measured in `benches/digests.rs`: 8 duplicates per kill with 8 in
//! flight). Opening the socket here with `TCP_NODELAY` sends the "." at
//! once: no 40 ms per message, and what a kill can leave unrecorded is what
//! the server accepted during one commit of "sent".
//!
//! lettre still speaks the protocol (EHLO, STARTTLS, AUTH, the message);
//! this module only connects, pools and times out. Implicit TLS (`smtps://`)
//! connects through lettre, whose socket keeps Nagle on.

use std::sync::Mutex;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use tokio::net::TcpStream;

use super::DeliveryError;

/// How the connection is secured, as lettre's URLs say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    /// `smtp://host`: no TLS.
    Plain,
    /// `smtp://host?tls=required` or `?tls=opportunistic`: STARTTLS.
    StartTls { required: bool },
    /// `smtps://host`: TLS from the first byte.
    Implicit,
}

/// An SMTP server and the idle connections to it.
pub(super) struct Smtp {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    timeout: Duration,
    idle: Mutex<Vec<AsyncSmtpConnection>>,
    max_idle: usize,
}

impl Smtp {
    /// Reads `smtp://user:password@host:port?tls=required` (STARTTLS),
    /// `smtps://...` (implicit TLS) or `smtp://host:25` (plain), with
    /// lettre's default ports (587 with TLS, 465 for smtps, 25 plain). The
    /// error never repeats the URL, which holds the password.
    pub(super) fn from_url(
        url: &str,
        connections: usize,
        timeout: Duration,
    ) -> Result<Smtp, String> {
        let url =
            url::Url::parse(url).map_err(|error| format!("the SMTP URL is invalid: {error}"))?;
        let tls = url
            .query_pairs()
            .find(|(key, _)| key == "tls")
            .map(|(_, value)| value.into_owned());
        let (security, default_port) = match (url.scheme(), tls.as_deref()) {
            ("smtp", None) => (Security::Plain, 25),
            ("smtp", Some("required")) => (Security::StartTls { required: true }, 587),
            ("smtp", Some("opportunistic")) => (Security::StartTls { required: false }, 587),
            ("smtps", _) => (Security::Implicit, 465),
            (scheme, tls) => {
                return Err(format!(
                    "the SMTP URL is invalid: scheme {scheme:?} with tls {tls:?} (use smtp://, \
                     smtp://...?tls=required or smtps://)"
                ));
            }
        };
        let host = url
            .host_str()
            .ok_or("the SMTP URL is invalid: it names no host")?
            .to_owned();
        let decode = |part: &str| {
            percent_encoding::percent_decode_str(part)
                .decode_utf8()
                .map(|decoded| decoded.into_owned())
                .map_err(|_| {
                    "the SMTP URL is invalid: its user or password is not UTF-8".to_owned()
                })
        };
        let credentials = match url.password() {
            Some(password) => Some(Credentials::new(decode(url.username())?, decode(password)?)),
            None => None,
        };
        let hello = match url.path().trim_matches('/') {
            "" => ClientId::default(),
            name => ClientId::Domain(name.to_owned()),
        };
        Ok(Smtp {
            port: url.port().unwrap_or(default_port),
            host,
            security,
            credentials,
            hello,
            timeout,
            idle: Mutex::new(Vec::new()),
            max_idle: connections,
        })
    }

    /// Sends one message over an idle connection or a new one; the
    /// connection goes back to the pool only after a clean "250".
    pub(super) async fn send(
        &self,
        envelope: &Envelope,
        message: &[u8],
    ) -> Result<(), DeliveryError> {
        let mut connection = match self.idle_connection().await {
            Some(connection) => connection,
            None => self.connect().await?,
        };
        match tokio::time::timeout(self.timeout, connection.send(envelope, message)).await {
            Ok(Ok(_)) => {
                let mut idle = self
                    .idle
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                if idle.len() < self.max_idle {
                    idle.push(connection);
                }
                Ok(())
            }
            Ok(Err(error)) => {
                let _ = tokio::time::timeout(self.timeout, connection.abort()).await;
                Err(classify(&error))
            }
            Err(_) => Err(DeliveryError::Temporary(format!(
                "the SMTP server did not answer within {} s",
                self.timeout.as_secs()
            ))),
        }
    }

    /// An idle connection that still answers NOOP.
    async fn idle_connection(&self) -> Option<AsyncSmtpConnection> {
        loop {
            let mut connection = self
                .idle
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .pop()?;
            let alive = tokio::time::timeout(self.timeout, connection.test_connected()).await;
            if alive.unwrap_or(false) {
                return Some(connection);
            }
            let _ = tokio::time::timeout(self.timeout, connection.abort()).await;
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, DeliveryError> {
        tokio::time::timeout(self.timeout, self.open())
            .await
            .unwrap_or_else(|_| {
                Err(DeliveryError::Temporary(format!(
                    "connecting to the SMTP server took more than {} s",
                    self.timeout.as_secs()
                )))
            })
    }

    async fn open(&self) -> Result<AsyncSmtpConnection, DeliveryError> {
        let address = (self.host.as_str(), self.port);
        let tls = || {
            TlsParameters::new(self.host.clone())
                .map_err(|error| DeliveryError::Permanent(error.to_string()))
        };
        let mut connection = if self.security == Security::Implicit {
            AsyncSmtpConnection::connect_tokio1(
                address,
                Some(self.timeout),
                &self.hello,
                Some(tls()?),
                None,
            )
            .await
            .map_err(|error| classify(&error))?
        } else {
            let stream = TcpStream::connect(address).await.map_err(|error| {
                DeliveryError::Temporary(format!("cannot connect to the SMTP server: {error}"))
            })?;
            stream
                .set_nodelay(true)
                .map_err(|error| DeliveryError::Temporary(error.to_string()))?;
            let mut connection =
                AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello)
                    .await
                    .map_err(|error| classify(&error))?;
            if let Security::StartTls { required } = self.security
                && (required || connection.can_starttls())
            {
                connection
                    .starttls(tls()?, &self.hello)
                    .await
                    .map_err(|error| classify(&error))?;
            }
            connection
        };
        if let Some(credentials) = &self.credentials {
            connection
                .auth(DEFAULT_MECHANISMS, credentials)
                .await
                .map_err(|error| classify(&error))?;
        }
        Ok(connection)
    }
}

/// 5xx answers will not change; anything else (4xx, a dropped connection,
/// a timeout) may.
fn classify(error: &lettre::transport::smtp::Error) -> DeliveryError {
    if error.is_permanent() {
        DeliveryError::Permanent(error.to_string())
    } else {
        DeliveryError::Temporary(error.to_string())
    }
}
