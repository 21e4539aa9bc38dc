//! Where mail goes and what links in it point to: the flags every command
//! shares.

use clap::Args;

/// Where mail goes and what links in it point to.
#[derive(Debug, Args)]
pub(super) struct MailArgs {
    /// How people reach this Earshot, for links in emails and survey
    /// invitations [default: http://<listen address> when serving,
    /// http://127.0.0.1:3000 otherwise].
    #[arg(long, env = "EARSHOT_PUBLIC_URL", global = true)]
    pub(super) public_url: Option<String>,
    /// SMTP server: smtp://user:password@mail.example.com:587?tls=required (STARTTLS),
    /// smtps://user:password@mail.example.com (TLS) or smtp://localhost:25 (plain);
    /// unset: .eml files under <data>/mail.
    #[arg(long, env = "EARSHOT_SMTP_URL", global = true, hide_env_values = true)]
    pub(super) smtp_url: Option<String>,
    /// The From address of every message.
    #[arg(
        long,
        env = "EARSHOT_MAIL_FROM",
        default_value = "Earshot <earshot@localhost>",
        global = true
    )]
    pub(super) mail_from: String,
    /// Seconds before the first retry of a failed message (doubling after).
    #[arg(
        long,
        env = "EARSHOT_MAIL_RETRY_SECONDS",
        default_value_t = 30,
        global = true
    )]
    pub(super) mail_retry_seconds: u64,
    /// Seconds a sender's claim on a message lasts: a message whose sender
    /// died is sent by another after this (the SMTP timeout stays under half).
    #[arg(
        long,
        env = "EARSHOT_MAIL_LEASE_SECONDS",
        default_value_t = 300,
        value_parser = clap::value_parser!(u64).range(2..),
        global = true
    )]
    pub(super) mail_lease_seconds: u64,
    /// Messages one sender sends at once.
    #[arg(
        long,
        env = "EARSHOT_MAIL_IN_FLIGHT",
        default_value_t = crate::mail::IN_FLIGHT,
        value_parser = clap::builder::TypedValueParser::map(
            clap::value_parser!(u16).range(1..=256),
            usize::from
        ),
        global = true
    )]
    pub(super) mail_in_flight: usize,
    /// Seconds between the server's looks for due summaries and mail (mail
    /// it enqueues itself is sent at once).
    #[arg(
        long,
        env = "EARSHOT_MAIL_POLL_SECONDS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..),
        global = true
    )]
    pub(super) mail_poll_seconds: u64,
}
