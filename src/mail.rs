//! The only module that speaks lettre: building messages and handing them
//! to a transport.
//!
//! By default mail is written as `.eml` files under `<data>/mail`, so
//! Earshot works with no mail server; with `--smtp-url` it goes to an SMTP
//! server over pooled connections (one per message in flight) that
//! [`smtp`] opens with Nagle's algorithm off.

mod smtp;

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncFileTransport, AsyncTransport, Message, Tokio1Executor};

use self::smtp::Smtp;

use crate::error::{Error, Result};

/// Messages in flight at once by default (`--mail-in-flight`), and so SMTP
/// connections in the pool. It bounds throughput, and the messages a
/// killed sender may have had accepted without recording it; both are
/// measured in benches/digests.rs.
pub const IN_FLIGHT: usize = 8;

/// The longest wait for an SMTP server's answer.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

enum Transport {
    Files(AsyncFileTransport<Tokio1Executor>),
    Smtp(Smtp),
}

/// Sends mail through the configured transport.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

/// One message, ready to go.
pub struct OutgoingEmail<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: Option<&'a str>,
    /// Deterministic, so that a message sent twice can be recognised.
    pub message_id: &'a str,
    /// One-click unsubscribe address (RFC 8058), for subscriptions.
    pub unsubscribe_url: Option<&'a str>,
}

/// Why a message was not delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryError {
    /// Worth trying again later: 4xx, refused connection, timeout.
    Temporary(String),
    /// Will not work: 5xx or a message that cannot be built.
    Permanent(String),
}

impl Mailer {
    /// Files under `mail_dir`, or SMTP when `smtp_url` is given
    /// (`smtp://user:password@host:587?tls=required` for STARTTLS,
    /// `smtps://...` for TLS, `smtp://host:25` for a plain local relay),
    /// with `connections` pooled. `lease` is how long a claimed message is
    /// the sender's: the SMTP timeout stays under half of it, so a message
    /// is never still being sent when another sender may take it over.
    pub fn new(
        smtp_url: Option<&str>,
        mail_dir: PathBuf,
        from: &str,
        connections: usize,
        lease: Duration,
    ) -> Result<Mailer> {
        let from: Mailbox = from
            .parse()
            .map_err(|error| Error::Internal(format!("the sender address is invalid: {error}")))?;
        let transport = match smtp_url {
            None => {
                std::fs::create_dir_all(&mail_dir).map_err(|error| {
                    Error::Internal(format!("cannot create {}: {error}", mail_dir.display()))
                })?;
                Transport::Files(AsyncFileTransport::new(mail_dir))
            }
            // The URL holds the password: errors name the problem, never the URL.
            Some(url) => Transport::Smtp(
                Smtp::from_url(url, connections, SMTP_TIMEOUT.min(lease / 2))
                    .map_err(Error::Internal)?,
            ),
        };
        Ok(Mailer { transport, from })
    }

    pub async fn send(&self, email: &OutgoingEmail<'_>) -> std::result::Result<(), DeliveryError> {
        let message = self.build(email).map_err(DeliveryError::Permanent)?;
        match &self.transport {
            Transport::Files(files) => files
                .send(message)
                .await
                .map(|_| ())
                .map_err(|error| DeliveryError::Temporary(error.to_string())),
            Transport::Smtp(smtp) => smtp.send(message.envelope(), &message.formatted()).await,
        }
    }

    fn build(&self, email: &OutgoingEmail<'_>) -> std::result::Result<Message, String> {
        let to: Mailbox = email
            .to
            .parse()
            .map_err(|error| format!("invalid recipient: {error}"))?;
        // lettre encodes the subject and checks addresses, so nothing a
        // person typed can add a header.
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject)
            .message_id(Some(email.message_id.to_owned()));
        if let Some(url) = email.unsubscribe_url {
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        let message = match email.html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                email.text.to_owned(),
                html.to_owned(),
            )),
            None => builder.singlepart(SinglePart::plain(email.text.to_owned())),
        };
        message.map_err(|error| format!("the message cannot be built: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mailer() -> (Mailer, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let mailer = Mailer::new(
            None,
            dir.path().to_owned(),
            "Earshot <earshot@localhost>",
            1,
            Duration::from_secs(60),
        )
        .unwrap();
        (mailer, dir)
    }

    fn email<'a>(to: &'a str, subject: &'a str) -> OutgoingEmail<'a> {
        OutgoingEmail {
            to,
            subject,
            text: "body",
            html: None,
            message_id: "<test.1@earshot.local>",
            unsubscribe_url: Some("https://earshot.example/unsubscribe/abc"),
        }
    }

    #[test]
    fn line_breaks_in_a_subject_cannot_add_a_header() {
        let (mailer, _dir) = mailer();
        let message = mailer
            .build(&email(
                "lead@example.com",
                "Shipped: faster runners\r\nBcc: evil@example.com",
            ))
            .unwrap();
        let formatted = String::from_utf8(message.formatted()).unwrap();
        let head = formatted.split("\r\n\r\n").next().unwrap();
        assert!(
            !head
                .lines()
                .any(|line| line.to_ascii_lowercase().starts_with("bcc:")),
            "{head}"
        );
        assert_eq!(
            message.envelope().to(),
            ["lead@example.com".parse::<lettre::Address>().unwrap()]
        );
    }

    #[test]
    fn a_recipient_with_a_line_break_is_refused_for_good() {
        let (mailer, _dir) = mailer();
        assert!(
            mailer
                .build(&email("lead@example.com\r\nBcc: evil@example.com", "Hi"))
                .is_err()
        );
    }
}
