//! The application: shared state, the one route table, and serving with
//! graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};
use tokio::net::TcpListener;

use crate::auth::PasswordPool;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::{self, Database, WriterThread};
use crate::db::{digests, settings};
use crate::error::{self, Error, Result};
use crate::jobs;
use crate::jobs::digests::{self as digest_jobs, Links};
use crate::jobs::outbox::{SendSettings, Sender};
use crate::mail::Mailer;
use crate::metrics::{self, Metrics};
use crate::oidc::OidcProvider;
use crate::prometheus::Prometheus;
use crate::search::indexer::Indexer;
use crate::search::live::LiveIndex;
use crate::serve::{ConnectionLimits, serve};
use crate::storage::DataDirLock;
use crate::web;
use crate::web::throttle::SignInThrottle;

/// What every request handler can reach.
pub struct App {
    /// The database: one writer thread, pooled readers.
    pub db: Database,
    /// Settings the server was started with.
    pub config: Config,
    /// The search index (a cache of SQLite, kept current and healthy by the
    /// indexer); searches answer 503 while it is checked or rebuilt.
    pub search: LiveIndex,
    /// Sends mail: SMTP, or `.eml` files under the data directory.
    pub mailer: Arc<Mailer>,
    /// Where links in emails point, and the key that signs unsubscribe tokens.
    pub links: Links,
    /// Request statistics for `/metrics`.
    pub metrics: Metrics,
    /// When the server started.
    pub started: Instant,
    /// Where "now" comes from (the same as `config.clock`).
    pub clock: Clock,
    /// Failed sign-ins per account and per client address.
    pub throttle: SignInThrottle,
    /// The threads that check passwords, so a flood waits instead of piling up.
    pub passwords: PasswordPool,
    /// Sign-in with the company's OpenID Connect provider, when configured.
    pub oidc: Option<OidcProvider>,
    /// Where reliability figures are pulled from, when configured.
    pub prometheus: Option<Prometheus>,
}

/// Shared handle to [`App`], cheap to clone into every handler.
#[derive(Clone)]
pub struct AppState(Arc<App>);

impl Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.0
    }
}

/// The route table: every page and API endpoint of Earshot.
pub fn router(state: AppState) -> Router {
    let pages = Router::new()
        .route("/", get(web::pages::home))
        .route("/privacy", get(web::pages::privacy))
        .route("/feedback/new", get(web::feedback::new_form))
        .route("/feedback", post(web::feedback::submit))
        .route("/feedback/thanks", get(web::feedback::thanks))
        .route("/feedback/mine", get(web::feedback::mine))
        .route("/feedback/{id}", get(web::triage::detail))
        .route(
            "/feedback/{id}/delete",
            get(web::feedback::delete_page).post(web::feedback::delete),
        )
        // GET on a form's address (a reload after an error) goes back to the item.
        .route(
            "/feedback/{id}/triage",
            post(web::triage::save).get(web::feedback::back_to_item),
        )
        .route(
            "/feedback/{id}/replies",
            post(web::triage::reply).get(web::feedback::back_to_item),
        )
        .route("/replies/{token}", get(web::feedback::private_replies))
        .route("/inbox", get(web::inbox::inbox))
        .route("/inbox/bulk", post(web::inbox::bulk))
        .route("/inbox/views", post(web::inbox::save_view))
        .route("/inbox/views/{id}/delete", post(web::inbox::delete_view))
        .route("/tags", get(web::triage::tags_page))
        .route("/tags/{name}/public", post(web::triage::set_tag_public))
        .route("/search", get(web::search::search_page))
        .route(
            "/pain-points",
            get(web::pain_points::list_page).post(web::pain_points::create),
        )
        .route(
            "/pain-points/evidence",
            post(web::pain_point_page::add_evidence),
        )
        .route(
            "/pain-points/highlights",
            post(web::interviews::link_highlight),
        )
        .route(
            "/interviews",
            get(web::interviews::list_page).post(web::interviews::create),
        )
        .route("/interviews/{id}", get(web::interviews::detail))
        .route(
            "/interviews/{id}/edit",
            get(web::interviews::edit_page).post(web::interviews::edit),
        )
        .route(
            "/interviews/{id}/highlights",
            post(web::interviews::add_highlight),
        )
        .route("/pain-points/{id}", get(web::pain_point_page::detail_page))
        .route(
            "/pain-points/{id}/status",
            post(web::pain_point_page::set_status),
        )
        .route(
            "/pain-points/{id}/evidence/remove",
            post(web::pain_point_page::remove_evidence),
        )
        .route("/pain-points/{id}/merge", post(web::pain_point_page::merge))
        .route("/pain-points/{id}/edit", post(web::pain_point_page::edit))
        .route(
            "/roadmap",
            get(web::roadmap::board).post(web::roadmap::create),
        )
        .route("/roadmap/{id}", get(web::roadmap::detail))
        .route("/roadmap/{id}/pain-points", post(web::roadmap::link))
        .route("/roadmap/{id}/status", post(web::roadmap::set_status))
        .route("/roadmap/{id}/edit", post(web::roadmap::edit))
        .route("/roadmap/{id}/public", post(web::roadmap::set_public))
        .route("/dashboard", get(web::dashboard::dashboard))
        .route("/dashboard/settings", post(web::dashboard::save_settings))
        .route("/interviews/recruiting", get(web::dashboard::recruiting))
        .route(
            "/interviews/recruiting/{user}/ask",
            post(web::dashboard::ask),
        )
        .route("/tree", get(web::tree::tree_page))
        .route("/outcomes", post(web::tree::create_outcome))
        .route(
            "/pain-points/{id}/placement",
            post(web::pain_point_page::place),
        )
        .route("/roadmap/{id}/tests", post(web::tree::add_test))
        .route("/tests/{id}/result", post(web::tree::record_result))
        .route("/shipped", get(web::roadmap::shipped_page))
        .route(
            "/surveys",
            get(web::survey_pages::list_page).post(web::survey_pages::create),
        )
        .route("/surveys/{id}", get(web::survey_pages::detail_page))
        .route(
            "/surveys/{id}/questions",
            post(web::survey_pages::add_question),
        )
        .route(
            "/surveys/{id}/questions/{question}/remove",
            post(web::survey_pages::remove_question),
        )
        .route("/surveys/{id}/open", post(web::survey_pages::open))
        .route(
            "/surveys/{id}/close",
            get(web::survey_pages::close_page).post(web::survey_pages::close),
        )
        .route("/surveys/{id}/invitations", post(web::survey_pages::invite))
        .route(
            "/surveys/{id}/open-link",
            post(web::survey_pages::open_link),
        )
        .route(
            "/surveys/{id}/results",
            get(web::survey_pages::results_page),
        )
        .route(
            "/surveys/{id}/import",
            get(web::survey_pages::import_page).post(web::survey_pages::import),
        )
        .route(
            "/respond/{token}",
            get(web::respond::form).post(web::respond::submit),
        )
        .route(
            "/surveys/responses/{id}",
            get(web::respond::written_response),
        )
        .route(
            "/opt-out/{user}/{token}",
            get(web::opt_out::opt_out_page).post(web::opt_out::opt_out),
        )
        .route(
            "/opt-out/{user}/{token}/undo",
            post(web::opt_out::opt_back_in),
        )
        .route("/services", get(web::services::catalog))
        .route(
            "/services/{slug}",
            get(web::services::service_page).post(web::services::edit),
        )
        .route("/services/{slug}/delete", post(web::services::delete))
        .route(
            "/digests",
            get(web::digests::digests_page).post(web::digests::subscribe),
        )
        .route("/digests/{id}/preview", get(web::digests::preview))
        .route(
            "/digests/{id}/unsubscribe",
            post(web::digests::end_subscription),
        )
        .route(
            "/unsubscribe/{token}",
            get(web::digests::unsubscribe_page).post(web::digests::unsubscribe),
        )
        .route("/unsubscribe/{token}/undo", post(web::digests::resubscribe))
        .merge(web::sign_in::routes())
        .merge(web::oidc::routes())
        .merge(web::account::routes())
        .merge(web::people::routes())
        .merge(web::teams::routes())
        .merge(web::series::routes())
        .merge(web::reliability::routes())
        .merge(web::password_reset::routes())
        .merge(web::audit::routes())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            web::auth::csrf_cookie,
        ));
    let api = Router::new()
        .route(
            "/api/v1/feedback",
            get(web::api::list_feedback).post(web::api::create_feedback),
        )
        .route(
            "/api/v1/feedback/{id}",
            get(web::api::get_feedback).delete(web::api::delete_feedback),
        )
        .route(
            "/api/v1/services/{slug}",
            get(web::api::get_service)
                .patch(web::services::edit_api)
                .delete(web::services::delete_api),
        )
        .route(
            "/api/v1/services/{slug}/reliability",
            get(web::api::get_reliability).put(web::api::put_reliability),
        )
        .route("/api/v1/search", get(web::search::search_api))
        .route(
            "/api/v1/pain-points",
            get(web::pain_points::list_api).post(web::pain_points::create_api),
        )
        .route(
            "/api/v1/pain-points/{id}",
            get(web::pain_points::get_api).patch(web::pain_points::update_api),
        )
        .route(
            "/api/v1/pain-points/{id}/evidence",
            post(web::pain_points::add_evidence_api),
        )
        .route(
            "/api/v1/roadmap-items",
            get(web::roadmap_api::list_api).post(web::roadmap_api::create_api),
        )
        .route(
            "/api/v1/roadmap-items/{id}",
            get(web::roadmap_api::get_api).patch(web::roadmap_api::update_api),
        )
        .route(
            "/api/v1/roadmap-items/{id}/pain-points",
            post(web::roadmap_api::link_api),
        )
        .route(
            "/api/v1/roadmap-items/{id}/ship",
            post(web::roadmap_api::ship_api),
        )
        .route(
            "/api/v1/interviews",
            get(web::interviews_api::list_api).post(web::interviews_api::create_api),
        )
        .route(
            "/api/v1/interviews/{id}",
            get(web::interviews_api::get_api).patch(web::interviews_api::update_api),
        )
        .route(
            "/api/v1/interviews/{id}/highlights",
            post(web::interviews_api::highlight_api),
        )
        .route(
            "/api/v1/outcomes",
            get(web::tree::list_outcomes_api).post(web::tree::create_outcome_api),
        )
        .route(
            "/api/v1/outcomes/{id}",
            get(web::tree::get_outcome_api).patch(web::tree::update_outcome_api),
        )
        .route("/api/v1/surveys", post(web::surveys::create_survey))
        .route("/api/v1/surveys/{id}", get(web::surveys::get_survey))
        .route("/api/v1/surveys/{id}/open", post(web::surveys::open_survey))
        .route(
            "/api/v1/surveys/{id}/close",
            post(web::surveys::close_survey),
        )
        .route(
            "/api/v1/surveys/{id}/invitations",
            post(web::survey_invitations::invite),
        )
        .route(
            "/api/v1/surveys/{id}/results",
            get(web::survey_results::results),
        )
        .route(
            "/api/v1/surveys/{id}/results.csv",
            get(web::survey_results::results_csv_export),
        )
        .route(
            "/api/v1/surveys/{id}/open-link",
            post(web::surveys::open_link),
        )
        .route(
            "/api/v1/surveys/{id}/import",
            post(web::survey_import::import_api),
        )
        .route("/api/v1/responses/{token}", post(web::surveys::respond))
        .route("/api/v1/search/similar", get(web::search::similar_api))
        .route(
            "/api/v1/services",
            get(web::api::list_services).post(web::api::create_service),
        );
    let operations = Router::new()
        .route("/healthz", get(web::operations::healthz))
        .route("/readyz", get(web::operations::readyz))
        .route("/metrics", get(web::operations::metrics_with_token))
        .route("/static/earshot.css", get(web::operations::stylesheet))
        .route("/static/earshot.js", get(web::operations::script));
    Router::new()
        .merge(pages)
        .merge(api)
        .merge(web::people::api_routes())
        .merge(web::account::api_routes())
        .merge(operations)
        .fallback(web::operations::not_found)
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(web::operations::request_trace())
        .layer(middleware::from_fn(error::render_errors))
        .layer(middleware::from_fn(web::operations::security_headers))
        .with_state(state)
}

/// The links and mailer of a data directory: the key that signs
/// unsubscribe tokens is made on first use and kept in the database.
async fn mail_setup(db: &Database, config: &Config) -> Result<(Links, Arc<Mailer>)> {
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

/// A built application: data directory locked, database open, port
/// bound, ready to serve (search follows once its index is checked).
pub struct Application {
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    state: AppState,
    writer_thread: WriterThread,
    indexer: Indexer,
    /// Released once everything is stopped.
    _lock: DataDirLock,
}

impl Application {
    /// Opens the data directory and binds the listening socket. Binding
    /// before serving lets tests use port 0 and know the port at once.
    pub async fn build(mut config: Config) -> Result<Application> {
        crate::data_dir::prepare(&config.data_dir)?;
        let lock_dir = config.data_dir.clone();
        let lock = tokio::task::spawn_blocking(move || {
            DataDirLock::acquire(
                &lock_dir,
                "stop it first, or give this server another --data-dir",
            )
        })
        .await
        .map_err(|error| {
            Error::Internal(format!("taking the data directory's lock failed: {error}"))
        })??;
        let path = config.database_path();
        let data_dir = config.data_dir.clone();
        let (db, writer_thread, search, indexer) = tokio::task::spawn_blocking(move || {
            let (db, writer_thread) = Database::open(&path)?;
            let (indexer, search) = Indexer::start(&data_dir, &db)?;
            Ok::<_, Error>((db, writer_thread, search, indexer))
        })
        .await
        .map_err(|error| Error::Internal(format!("opening the database failed: {error}")))??;
        let listener = TcpListener::bind(config.listen).await.map_err(|error| {
            Error::Internal(format!("cannot listen on {}: {error}", config.listen))
        })?;
        if config.public_url.is_empty() {
            // Links in mail then work on this machine, port 0 included.
            let mut address = listener.local_addr().map_err(|error| {
                Error::Internal(format!("the listening socket has no address: {error}"))
            })?;
            if address.ip().is_unspecified() {
                address.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
            }
            config.public_url = format!("http://{address}");
        }
        let (links, mailer) = mail_setup(&db, &config).await?;
        let public_url = links.public_url.clone();
        db.write(move |connection| settings::set(connection, settings::PUBLIC_URL, &public_url))
            .await?;
        let clock = config.clock.clone();
        let config_limits = config.sign_in_limits;
        let metrics_listener = match config.metrics_listen {
            Some(address) => Some(TcpListener::bind(address).await.map_err(|error| {
                Error::Internal(format!("cannot listen for metrics on {address}: {error}"))
            })?),
            None => None,
        };
        let oidc = match &config.oidc {
            Some(settings) => Some(OidcProvider::new(settings.clone(), &config.public_url)?),
            None => None,
        };
        let prometheus = config
            .prometheus
            .as_ref()
            .map(Prometheus::new)
            .transpose()?;
        // Half the cores at most: hashing must leave the rest to serving.
        let hashers =
            std::thread::available_parallelism().map_or(1, |cores| (cores.get() / 2).clamp(1, 4));
        let started = Instant::now();
        let metrics = Metrics::new(db.clone(), search.clone(), started);
        Ok(Application {
            listener,
            metrics_listener,
            state: AppState(Arc::new(App {
                db,
                config,
                search,
                mailer,
                links,
                metrics,
                started,
                clock,
                throttle: SignInThrottle::new(config_limits),
                passwords: PasswordPool::new(hashers)?,
                oidc,
                prometheus,
            })),
            writer_thread,
            indexer,
            _lock: lock,
        })
    }

    /// The search index, to wait for it to be ready.
    pub fn search(&self) -> &LiveIndex {
        &self.state.search
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The address that serves only `/metrics`, when one was configured.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(|listener| listener.local_addr().ok())
    }

    /// Loads the demo organisation if the database is empty; `false` if
    /// there was data already.
    pub async fn load_demo(&self) -> Result<bool> {
        let now = self.state.clock.now();
        self.state
            .db
            .write(move |connection| {
                if !db::people::database_is_empty(connection)? {
                    return Ok(false);
                }
                crate::seed::load(connection, now)?;
                Ok(true)
            })
            .await
    }

    /// Serves until `shutdown` resolves, then finishes requests in flight,
    /// commits every queued write and closes the database.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        let Application {
            listener,
            metrics_listener,
            state,
            writer_thread,
            indexer,
            _lock: lock,
        } = self;
        let db = state.db.clone();
        let (stop_jobs, jobs_stop) = tokio::sync::watch::channel(false);
        let sender = Sender::new(
            db.clone(),
            Arc::clone(&state.mailer),
            state.links.clone(),
            state.clock.clone(),
            SendSettings::from_config(&state.config),
        );
        let jobs = tokio::spawn(jobs::run(
            db.clone(),
            state.links.clone(),
            sender,
            state.clock.clone(),
            state.config.mail_poll,
            jobs_stop,
        ));
        let pulls = match (&state.prometheus, &state.config.prometheus) {
            (Some(prometheus), Some(settings)) => Some(tokio::spawn(jobs::reliability::run(
                db.clone(),
                prometheus.clone(),
                state.clock.clone(),
                settings.every,
                stop_jobs.subscribe(),
            ))),
            _ => None,
        };
        let limits = ConnectionLimits {
            max_connections: state.config.max_connections,
            header_read_timeout: state.config.header_read_timeout,
        };
        let metrics_server = metrics_listener.map(|metrics_listener| {
            let mut stopped = stop_jobs.subscribe();
            tokio::spawn(serve(
                metrics_listener,
                web::operations::metrics_routes(state.clone()),
                limits,
                async move {
                    let _ = stopped.changed().await;
                },
            ))
        });
        serve(listener, router(state), limits, shutdown).await;
        let _ = stop_jobs.send(true);
        if let Some(metrics_server) = metrics_server {
            let _ = metrics_server.await;
        }
        let _ = jobs.await;
        if let Some(pulls) = pulls {
            let _ = pulls.await;
        }
        db.stop_writer().await;
        tokio::task::spawn_blocking(move || {
            writer_thread.join();
            indexer.stop();
        })
        .await
        .map_err(|error| Error::Internal(format!("stopping the writer failed: {error}")))?;
        drop(lock);
        tracing::info!("stopped");
        Ok(())
    }
}
