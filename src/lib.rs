//! # Earshot
//!
//! Feedback and continuous discovery for teams that run an internal
//! platform as a product. Internal users give feedback on the platform's
//! services; the platform team triages and searches it, records interview
//! snapshots, groups evidence into pain points tied to services, outcomes
//! and roadmap items, runs satisfaction surveys, and mails stakeholders
//! periodic summaries.
//!
//! ## Bird's-eye view
//!
//! One process, one SQLite file. A request flows like this:
//!
//! ```text
//! TCP ─▶ serve (connection cap, header-read timeout, peer address)
//! HTTP ─▶ app::router ─▶ layers (security headers ▸ error rendering ▸ request span ▸ metrics ▸ body limit)
//!      ─▶ team-only / admin-only route layer (web::routes) ─▶ CSRF cookie (pages)
//!      ─▶ web::<handler> ─▶ web::access (SignedIn, PlatformTeam, Admin) / web::auth (Viewer, CSRF)
//!      ─▶ domain::parse (checked values)
//!      ─▶ db::Database::write (writer thread, group commit) / ::read (pooled, spawn_blocking)
//!         └─ commit signal ─▶ search::indexer (own thread) ─▶ tantivy index ◀─ search::SearchIndex::search
//!      ─▶ views::<page> (maud Markup) or JSON ─▶ error::render_errors (problem+json or HTML)
//! ```
//!
//! ## Code map
//!
//! - `main.rs`: calls [`cli::main`]; nothing else.
//! - [`cli`]: the command line, clap with `EARSHOT_*` variables: `serve` and `seed`
//!   (`cli::serve`), `backup`, `restore`, `check` and `reindex` (`cli::operations`),
//!   `digest` (`cli::digest`), `user add` and `token create|list|revoke`
//!   (`cli::accounts`); mail settings in `cli::mail`, sign-in and hardening settings in
//!   `cli::identity`; `--clock` runs any of them as of another instant.
//! - [`maintenance`]: what `backup`, `restore` and `check` do beside (or after) a server.
//! - [`storage`]: the data directory's lock (one server per directory, its pid in
//!   `earshot.lock`) and [`storage::StorageProblem`], the words for a full, read-only or
//!   vanished directory.
//! - [`config`]: settings with embedded defaults (`./data`, `127.0.0.1:3000`).
//! - [`data_dir`]: the data directory, made private (0700, files 0600) at start.
//! - [`clock`]: [`clock::Clock`], where "now" comes from: chosen at the edge
//!   (`cli`, tests), carried in `Config` and `App`, passed to what needs it.
//! - [`app`]: [`app::AppState`], the route table [`app::router`] (each feature's
//!   `web::<feature>::routes()`, merged), and [`app::Application`] (bind, serve,
//!   graceful shutdown).
//! - [`serve`]: the accept loop on hyper-util: at most `max_connections` at
//!   once, `header_read_timeout` for slow clients, `ConnectInfo` on every request.
//! - [`error`]: the one error type, rendered as RFC 9457 problem JSON under `/api/`
//!   and as an HTML page elsewhere.
//! - [`domain`]: pure types and rules: typed ids ([`domain::Id`]), feedback, people, services, checked text, the
//!   search query language, summary subscriptions and their schedules
//!   ([`domain::schedule`]: periods across time zones and daylight saving), interviews, pain points and their impact
//!   formula, roadmap, outcomes, the discovery cadence, surveys ([`domain::survey`]: a survey
//!   as sent checked in `domain::survey::parse`, answers and the answering window in
//!   `domain::survey::answers`, a question's headline figure in `domain::survey::scoring`)
//!   and their statistics
//!   ([`domain::stats`], with sources cited; the normal and Student-t distributions in
//!   `domain::stats::distributions`), disclosure control ([`domain::disclosure`]:
//!   the rules, and the one place that decides what may be published), a survey's
//!   published results as one typed structure with wave comparisons and its CSV
//!   ([`domain::survey_results`]), CSV import checks ([`domain::survey_import`]), CSV
//!   itself through the `csv` crate ([`domain::csv`]: formula-safe writing, records
//!   read with the line each starts on) and
//!   satisfaction trends with the scores held back ([`domain::satisfaction`]); identity
//!   (groups to roles and teams, [`domain::identity`]),
//!   the password policy ([`domain::password`], with an embedded list of common
//!   passwords) and the audit log's vocabulary ([`domain::audit`]). The read models too:
//!   what `db`'s queries return and `views` render (a stored feedback item, survey,
//!   subscription, outbox message, person...) are `domain` types, each beside the
//!   rules of its subject: `domain::feedback` (an item, its author, notes, the inbox's
//!   filter), `domain::triage` (saved views, replies, public plans), `domain::people`
//!   (people, teams, tokens), `domain::service`, `domain::pain_point`, `domain::roadmap`,
//!   `domain::interview`, `domain::outcome` (the tree's rows), `domain::digest`
//!   (subscriptions, what a summary reports), [`domain::outbox`] and
//!   `domain::survey::record` (stored surveys, written responses), `domain::series` (a
//!   stored series) and [`domain::reliability`] (a service's last pull).
//! - [`db`]: the only SQL; the writer thread, read pool, migrations and queries;
//!   sessions, tokens and reset links in `db::credentials`, the admin's directory
//!   of people and teams in `db::directory`, the append-only `db::audit`; the
//!   email outbox (each message enqueued once by its key, claimed with a lease before
//!   it is sent: [`db::outbox`]); summary subscriptions (`db::digests`) and what a
//!   summary reports (`db::digest_reports`); online backup and restore ([`db::backup`]);
//!   one item's whole triage in one transaction, bulk changes and saved inbox
//!   views in `db::triage`; replies, anonymous items' private-link hashes, public
//!   tags and the public plan an item is part of in `db::replies`; surveys and their
//!   questions in `db::surveys` (its invitations in `db::surveys::invitations`), series
//!   of surveys and the waves trends read in `db::series`,
//!   responses in `db::survey_responses`, results published in steps in
//!   `db::survey_publication`; searchable things flattened for the index in
//!   `db::search`, and the change sequence it follows in `db::search_changes`.
//! - [`search`]: the only tantivy; the index (its schema and text analysis in
//!   `search::schema`), its indexer thread (checking the index at
//!   start, rebuilding it in the background, following `search_changes` and pruning
//!   them), [`search::live::LiveIndex`] (what searches see: ready, or 503 while checked or
//!   rebuilt; failures and panics caught and checked for damage), `earshot check`'s
//!   inspection ([`search::check`]); a search (`search::query`: the page, the total and
//!   the facets in one pass) over the compiled query (`search::compile`), facets (one
//!   dense fast-field key per document, `search::facets`), hits with snippets
//!   (`search::hits`), typo fallback (`search::typo`) and "more like this"
//!   (`search::similar`); for a contributor, scores, snippets, suggestions and
//!   "similar" count only what they may open (`search::visible`). The query language itself is parsed in [`domain::query`] (lexed in
//!   `domain::query::lex`),
//!   without tantivy.
//! - [`mail`]: the only lettre; `.eml` files by default, pooled SMTP connections (opened
//!   with Nagle's algorithm off) when configured.
//! - [`jobs`]: background work in `serve`: the digest scheduler ([`jobs::digests`]: which
//!   period is due, the facts gathered once per run in `jobs::digests::facts`, one
//!   message rendered in `jobs::digests::render`) and the outbox sender
//!   ([`jobs::outbox`], also run by `earshot digest send`), woken by new mail; signed
//!   unsubscribe and opt-out links in [`jobs::links`];
//!   "you said, we did" messages when a roadmap item ships (which also marks its
//!   pain points addressed, undone when it stops being shipped); replies and
//!   status notices to submitters (`jobs::notices`), through the same outbox;
//!   `earshot digest` itself ([`jobs::digest_command`]).
//! - [`auth`]: argon2id password hashes on the bounded [`auth::PasswordPool`],
//!   and random tokens (only hashes are stored).
//! - [`oidc`]: the only `openidconnect`: discovery, PKCE, state and nonce,
//!   ID token validation, the groups claim.
//! - [`prometheus`]: the only HTTP client to Prometheus (instant queries, a
//!   bearer token, a timeout); `jobs::reliability` pulls each service's month
//!   so far (and the month before, until final) inside `serve`, recording a
//!   failure for the service page and leaving stored figures as they were;
//!   the PromQL, its template (`$service`, `$window`) and the percent and CSV
//!   forms of a month are checked in [`domain::reliability`].
//! - [`web`]: handlers, auth extractors, CSRF, the JSON API. Each feature exposes
//!   `routes()`, a [`web::routes::Routes`] that sorts its pages and API calls by who may
//!   call them (anyone, the platform team, admins); the team-only and admin-only ones
//!   end up behind one layer each. Access in types: `web::access` (`SignedIn`,
//!   `PlatformTeam`, `Admin`, `CatalogAdmin`, `ClientAddress`); ids in paths as
//!   `Path<Id<T>>` (`web::extract`, [`domain::Id`]: a path that is not an id is 404);
//!   sign-in (`web::sign_in`, `web::oidc`, `web::proxy` for SSO proxy headers),
//!   throttling (`web::throttle`), the account page (`web::account`), people
//!   and teams (`web::people`), the audit log (`web::audit`). The daily path:
//!   an item's page and its one-form triage (`web::triage`), the inbox with
//!   bulk changes and saved views (`web::inbox`), a pain point's page and its
//!   forms (`web::pain_point_page`). A form with a mistake comes back on its
//!   own page with what was typed; high-impact actions confirm first, saying
//!   what they will do (emails, evidence links). The API's contract
//!   (`web::openapi`): an OpenAPI 3.1 document generated with utoipa from each API
//!   handler's `#[utoipa::path]` and the types it takes and answers, served at
//!   `/api/v1/openapi.json`. JSON request bodies are typed structs of
//!   `web::request::Field`s, so every field of the wrong type is named at once and
//!   `PATCH` tells absent from null; feedback's API is `web::feedback_api` (and likewise
//!   `web::pain_points_api`, `web::interviews_api`, `web::roadmap_api`), the
//!   survey API's bodies are `web::survey_requests`. Still read field by field
//!   (`web::api::object`): the service catalog's `PATCH`, which takes the
//!   edit form's fields (numbers as text too).
//! - [`views`]: maud views (the results page renders the same typed results as the API;
//!   `/privacy` says what is stored), inline-SVG charts, the stylesheet and `earshot.js`.
//!   Markdown (interview notes) is the only user text rendered as markup, through
//!   `views::markdown` (pulldown-cmark, then ammonia); search snippets are tantivy's
//!   escaped text. Linking is done in pickers (`views::picker`): a `<select>` with
//!   nothing chosen, which the script turns into a search box backed by the index.
//!   Every page works without the script; it adds pickers, inbox keys (j/k/e/x/l/?),
//!   filters that apply as they change, saving triage without a reload, similar
//!   items while typing, and focus on an error summary. It is served by Earshot,
//!   so the Content-Security-Policy allows no inline script.
//! - [`seed`]: the embedded demo organisation from `seed-data/` (people, services,
//!   feedback, and the discovery work: outcomes, pain points, roadmap, interviews),
//!   plus generated reliability figures, subscriptions (`seed::subscriptions`) and four
//!   survey waves (`seed::surveys`; the discovery work in `seed::discovery`).
//! - [`telemetry`]: tracing setup.
//! - [`metrics`]: Prometheus metrics at `/metrics` (requests by route template, writer
//!   batches, the writer's storage settings, the search index's state), served only with
//!   the metrics token or on the metrics address.
//!
//! ## Architecture invariants
//!
//! - **Architecture Invariant:** `domain` imports no axum, rusqlite, tantivy or lettre.
//! - **Architecture Invariant:** `views` imports nothing from `db`: it renders `domain`
//!   values (checked by reading the imports, in `tests/app/architecture.rs`).
//! - **Architecture Invariant:** only `search` imports tantivy. SQLite is the source of
//!   truth; the index is a cache that can be deleted at any time and is rebuilt at start.
//! - **Architecture Invariant:** search applies the same access rules as opening an item,
//!   to hits, counts, facets and typo suggestions alike: the access filter is part of the
//!   compiled query, and contributors' queries never touch internal fields.
//! - **Architecture Invariant:** only `db` writes SQL; handlers call `db` functions
//!   inside `Database::write`/`read` closures.
//! - **Architecture Invariant:** rusqlite never runs on an async worker thread: writes
//!   go to the writer thread, reads to `spawn_blocking`.
//! - **Architecture Invariant:** an acknowledged write is durable: WAL with
//!   `synchronous=FULL`, and the writer answers only after the batch commits, into the
//!   file it opened (a vanished directory fails the write instead).
//! - **Architecture Invariant:** every write transaction begins IMMEDIATE (the writer's
//!   batches, `db::with_connection`, migrations), so another process writing the same file
//!   waits for the lock instead of failing on a stale snapshot.
//! - **Architecture Invariant:** one server per data directory: `serve`, `reindex` and
//!   `restore` take `earshot.lock` before anything else, and a refusal names the pid.
//! - **Architecture Invariant:** anonymous feedback stores no author, IP address or
//!   user agent: the schema has no column for the latter two, the author is dropped
//!   in `db::feedback::insert_feedback`, and request logs carry only the route template.
//! - **Architecture Invariant:** an anonymous item's private link (its replies) is
//!   shown once, in the answer to the submission itself (no redirect carries it);
//!   only the SHA-256 of its token is stored, on the item, which has no author, and
//!   nothing ties the token to a session or a person (`web::feedback::submit`).
//! - **Architecture Invariant:** what a contributor sees of the team's work is
//!   chosen by the team: public tags only, roadmap items only when shipped or
//!   marked public (title, description, state; never their pain points), and
//!   search neither counts nor filters by tags for them.
//! - **Architecture Invariant:** every searchable change appends to `search_changes`
//!   in the same transaction (SQL triggers, on link tables too: no caller has to touch
//!   the owner's row), so a search index can always catch up; changes are pruned once
//!   the index has applied them.
//! - **Architecture Invariant:** the index knows what it follows: its commit payload names
//!   the database (`database_id`, made at creation) and the last applied change; a
//!   mismatch, a failed checksum or a read error rebuilds it, and search answers 503 with
//!   `Retry-After` meanwhile, never 500.
//! - **Architecture Invariant:** a viewer who may not see an item gets 404, not 403,
//!   so existence does not leak; all of discovery (interviews, pain points, roadmap
//!   items, outcomes) answers contributors with 404 (`web::access::PlatformTeam`).
//! - **Architecture Invariant:** every HTML form carries the CSRF token; posts without
//!   it are refused with 403 before the handler runs.
//! - **Architecture Invariant:** only `mail` imports lettre. Every message goes through
//!   the `email_outbox` table, keyed so that each (subscription, period) is enqueued once,
//!   and is claimed (a lease with owner and expiry, in the transaction that picks it)
//!   before it is sent, so concurrent senders deliver it once.
//! - **Architecture Invariant:** every published figure about people's answers (results
//!   page, API, CSV, dashboard, service pages, summaries, survey comments in search,
//!   rating averages) passes [`domain::disclosure`]; nothing else computes suppression.
//!   Results are the typed [`domain::survey_results::SurveyResults`], never JSON
//!   assembled in a handler.
//! - **Architecture Invariant:** survey figures are read from a published snapshot
//!   (`survey_published_counts`, `survey_publications`, published answers), refreshed in
//!   the answering transaction only when k new real answers have arrived
//!   (`db::survey_publication`); the snapshot copies `survey_answer_counts`, kept exact by
//!   triggers, so results never scan every answer.
//! - **Architecture Invariant:** an anonymous survey response stores a team and the day
//!   but no person, key or hash of its link; the invitation only records that its link
//!   was used, and the link answers once. Personal links go only to their people, by
//!   mail; an invitation message's link is wiped from the outbox once handled, with
//!   `secure_delete` on and a checkpoint after, so no copy stays in the database files.
//! - **Architecture Invariant:** anonymous feedback keeps the hour, anonymous answers the
//!   day; the data directory is readable only by Earshot's user.
//! - **Architecture Invariant:** time is an input: only the edge (`cli`, tests,
//!   benches) reads the wall clock, into a [`clock::Clock`]; everything below
//!   takes that clock or an instant (`grep -rn 'Utc::now' src` finds only
//!   `clock.rs`). The demo (`seed`) is built relative to the instant it is given.
//! - **Architecture Invariant:** who may call a new handler shows in its signature
//!   (`web::access` extractors); team-only places answer 404 to everyone else, and sit
//!   in the team-only router (`Routes::team_page`, `Routes::team_api`) behind its layer.
//! - **Architecture Invariant:** a deactivated person's sessions and tokens stop
//!   working at once: every lookup of a credential requires an active person.
//! - **Architecture Invariant:** identity headers are believed only from the
//!   configured proxy addresses (and with its secret when set).
//! - **Architecture Invariant:** the audit log is append-only: triggers refuse
//!   updates and deletes.
//! - **Architecture Invariant:** password checks run only on `auth::PasswordPool`,
//!   after the sign-in throttle; Markdown is rendered off the async threads.
//! - **Architecture Invariant:** migrations are embedded, applied at start, never
//!   edited once landed; a `user_version` outside `0..=known` (a newer Earshot's, or
//!   negative) is refused.

pub mod app;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod data_dir;
pub mod db;
pub mod domain;
pub mod error;
pub mod jobs;
pub mod mail;
pub mod maintenance;
pub mod metrics;
pub mod oidc;
pub mod prometheus;
pub mod search;
pub mod seed;
pub mod serve;
pub mod storage;
pub mod telemetry;
pub mod views;
pub mod web;
