//! The application: shared state, the route table that merges every
//! feature's routes, and its lifecycle (build, serve, graceful shutdown).

use std::future::Future;
use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use tokio::net::TcpListener;

use crate::auth::PasswordPool;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::{self, Database, WriterThread};
use crate::error::{self, Error, Result};
use crate::jobs;
use crate::jobs::digest_command;
use crate::jobs::links::Links;
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
use crate::web::routes::Routes;
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

/// The route table: every feature's routes (`web::<feature>::routes()`),
/// the team-only and admin-only ones behind their layers, then the layers
/// every request passes.
pub fn router(state: AppState) -> Router {
    let features = [
        web::pages::routes(),
        web::sign_in::routes(),
        web::oidc::routes(),
        web::password_reset::routes(),
        web::account::routes(),
        web::feedback::routes(),
        web::triage::routes(),
        web::inbox::routes(),
        web::search::routes(),
        web::services::routes(),
        web::pain_points::routes(),
        web::interviews::routes(),
        web::roadmap::routes(),
        web::tree::routes(),
        web::dashboard::routes(),
        web::surveys::routes(),
        web::series::routes(),
        web::reliability::routes(),
        web::opt_out::routes(),
        web::digests::routes(),
        web::people::routes(),
        web::teams::routes(),
        web::audit::routes(),
        web::openapi::routes(),
    ];
    let routes = features.into_iter().fold(Routes::default(), Routes::merge);
    routes
        .into_router(&state)
        .merge(web::operations::routes())
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
        let (links, mailer) = digest_command::mail_setup(&db, &config).await?;
        // `earshot digest` run beside it links where this server does.
        let public_url = links.public_url.clone();
        db.write(move |connection| {
            db::settings::set(connection, db::settings::PUBLIC_URL, &public_url)
        })
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
