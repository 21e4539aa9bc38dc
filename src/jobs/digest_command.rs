//! `earshot digest`: summaries previewed, enqueued and sent from the
//! command line (cron), beside a running server or without one; and the
//! mail setup that `serve` shares with it.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::{Database, WriterThread, digests, settings};
use crate::error::{Error, Result};
use crate::jobs::digests as digest_jobs;
use crate::jobs::links::Links;
use crate::jobs::outbox::{SendSettings, Sender};
use crate::mail::Mailer;

/// The links and mailer of a data directory: the key that signs
/// unsubscribe tokens is made on first use and kept in the database.
pub async fn mail_setup(db: &Database, config: &Config) -> Result<(Links, Arc<Mailer>)> {
    let secret = db
        .write(|connection| {
            settings::get_or_insert(connection, "secret", &crate::auth::new_token(""))
        })
        .await?;
    let links = Links {
        public_url: config.public_url.trim_end_matches('/').to_owned(),
        secret,
    };
    let mailer = Arc::new(Mailer::new(
        config.smtp_url.as_ref().map(|url| url.0.as_str()),
        crate::config::mail_path(&config.data_dir),
        &config.mail_from,
        config.mail_in_flight,
        config.mail_lease,
    )?);
    Ok((links, mailer))
}

/// What `earshot digest` needs: the database and mail, without serving or
/// indexing (so it can run from cron beside a running server).
pub struct DigestRunner {
    db: Database,
    writer_thread: WriterThread,
    links: Links,
    sender: Sender,
    clock: Clock,
}

impl DigestRunner {
    /// Opens the data directory; links point at `config.public_url` or,
    /// when that is empty, at the URL `serve` recorded, else it refuses.
    pub async fn open(mut config: Config) -> Result<DigestRunner> {
        crate::data_dir::prepare(&config.data_dir)?;
        let path = config.database_path();
        let (db, writer_thread) = tokio::task::spawn_blocking(move || Database::open(&path))
            .await
            .map_err(|error| Error::Internal(format!("opening the database failed: {error}")))??;
        if config.public_url.is_empty() {
            let recorded = db
                .read(|connection| settings::get(connection, settings::PUBLIC_URL))
                .await?;
            let Some(recorded) = recorded else {
                db.stop_writer().await;
                let _ = tokio::task::spawn_blocking(move || writer_thread.join()).await;
                return Err(Error::Conflict(
                    "no public URL is known for links in mail: pass --public-url (or set \
                     EARSHOT_PUBLIC_URL), or start `earshot serve` once, which records the URL \
                     people reach it at"
                        .into(),
                ));
            };
            config.public_url = recorded;
        }
        let (links, mailer) = mail_setup(&db, &config).await?;
        let sender = Sender::new(
            db.clone(),
            mailer,
            links.clone(),
            config.clock.clone(),
            SendSettings::from_config(&config),
        );
        Ok(DigestRunner {
            db,
            writer_thread,
            links,
            sender,
            clock: config.clock,
        })
    }

    /// Prints the message a subscription would get now (`earshot digest preview`).
    pub async fn preview(&self, subscription: i64) -> Result<()> {
        let found = self
            .db
            .read(move |connection| digests::subscription_by_id(connection, subscription))
            .await?
            .ok_or_else(|| {
                Error::invalid(
                    "subscription",
                    format!("there is no subscription {subscription}"),
                )
            })?;
        match digest_jobs::preview(&self.db, &self.links, &found, self.clock.now()).await? {
            Some(message) => println!(
                "To: {}\nSubject: {}\n\n{}",
                message.to_address, message.subject, message.body_text
            ),
            None => println!("Nothing to report for this period yet, so nothing would be sent."),
        }
        Ok(())
    }

    /// Enqueues due summaries (with `due` false: the current period's) and
    /// sends what is due, once (`earshot digest send`). Fails (so cron
    /// reports it) when any message was not delivered.
    pub async fn send(&self, due: bool) -> Result<()> {
        let mode = if due {
            digest_jobs::Due::Scheduled
        } else {
            digest_jobs::Due::Now
        };
        let enqueued =
            digest_jobs::enqueue_summaries(&self.db, &self.links, self.clock.now(), mode).await?;
        let delivery = self.sender.send_due().await?;
        println!(
            "Enqueued {enqueued} new summaries; sent {}, to retry {}, failed {}.",
            delivery.sent, delivery.retrying, delivery.failed
        );
        if delivery.retrying + delivery.failed > 0 {
            return Err(Error::Internal(format!(
                "{} of {} messages were not delivered ({} will be retried, {} failed for good; \
                 the errors are on /digests)",
                delivery.retrying + delivery.failed,
                delivery.sent + delivery.retrying + delivery.failed,
                delivery.retrying,
                delivery.failed
            )));
        }
        Ok(())
    }

    /// Commits everything and closes the database.
    pub async fn close(self) {
        self.db.stop_writer().await;
        let writer_thread = self.writer_thread;
        let _ = tokio::task::spawn_blocking(move || writer_thread.join()).await;
    }
}
