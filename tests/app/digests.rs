//! Satisfaction summaries by email, against a real SMTP conversation.

use std::path::Path;
use std::process::Output;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use tempfile::TempDir;

use crate::helpers::{CONTRIBUTOR, TEAM, TestApp};
use crate::smtp::SmtpServer;

/// A seeded data directory and the instants its commands run at. These
/// tests are about delivery, not the calendar: they start now, unless a
/// demo subscription's period turns within the next minutes (then just
/// after it turned), and each command runs half a minute after the one
/// before, so `seed` and `digest` agree on every period and retries come
/// due in order. Period edges have tests of their own (`demo_at_any_instant`).
struct Demo {
    dir: TempDir,
    at: DateTime<Utc>,
    commands: std::sync::atomic::AtomicI32,
}

impl Demo {
    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The instant of the next command.
    fn next(&self) -> DateTime<Utc> {
        let step = self
            .commands
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.at + chrono::Duration::seconds(30 * i64::from(step))
    }
}

/// Now, or just after a demo period that turns within the next minutes.
fn away_from_period_edges(now: DateTime<Utc>) -> DateTime<Utc> {
    let soon = now + chrono::Duration::minutes(10);
    earshot::seed::demo_subscriptions()
        .unwrap()
        .iter()
        .map(|subscription| subscription.schedule.in_progress(now).end)
        .filter(|edge| *edge <= soon)
        .max()
        .map_or(now, |edge| edge + chrono::Duration::minutes(1))
}

/// `earshot` on `data_dir` as of `at`, mailing through `smtp` when given,
/// with retries due at once.
fn command(
    data_dir: &Path,
    at: DateTime<Utc>,
    smtp: Option<&str>,
    args: &[&str],
) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_earshot"));
    command
        .env("EARSHOT_DATA_DIR", data_dir)
        .env("EARSHOT_CLOCK", at.to_rfc3339())
        .env("EARSHOT_MAIL_RETRY_SECONDS", "0")
        .env("EARSHOT_PUBLIC_URL", "https://earshot.halcyon.example")
        .args(args);
    if let Some(url) = smtp {
        command.env("EARSHOT_SMTP_URL", url);
    }
    command
}

/// Runs `earshot` as of `at`; it must succeed.
async fn earshot(data_dir: &Path, at: DateTime<Utc>, smtp: Option<&str>, args: &[&str]) -> Output {
    let output = command(data_dir, at, smtp, args).output().await.unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Runs `earshot digest send` as of `at`; it must fail (for cron to
/// notice) because some messages were not delivered, and say how many.
async fn undelivered(
    data_dir: &Path,
    at: DateTime<Utc>,
    smtp: Option<&str>,
    args: &[&str],
) -> Output {
    let output = command(data_dir, at, smtp, args).output().await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{args:?} succeeded: {stderr}");
    assert!(stderr.contains("were not delivered"), "{stderr}");
    output
}

/// `earshot digest preview` of subscription `id` as of `at`, as text.
async fn preview(data_dir: &Path, at: DateTime<Utc>, id: &str) -> String {
    stdout(
        &earshot(
            data_dir,
            at,
            None,
            &["digest", "preview", "--subscription", id],
        )
        .await,
    )
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The demo organisation, seeded as of now (the test's clock is the edge).
async fn seeded() -> Demo {
    let demo = Demo {
        dir: tempfile::tempdir().unwrap(),
        at: away_from_period_edges(Utc::now()),
        commands: Default::default(),
    };
    earshot(demo.path(), demo.next(), None, &["seed"]).await;
    demo
}

fn query<T: rusqlite::types::FromSql>(data_dir: &Path, sql: &str) -> T {
    rusqlite::Connection::open(data_dir.join("earshot.db"))
        .unwrap()
        .query_row(sql, [], |row| row.get(0))
        .unwrap()
}

#[tokio::test]
async fn summaries_go_out_over_smtp_once_per_subscription_and_period() {
    let data = seeded().await;
    let smtp = SmtpServer::start().await;

    let first = earshot(
        data.path(),
        data.next(),
        Some(&smtp.url()),
        &["digest", "send", "--now"],
    )
    .await;
    assert!(stdout(&first).contains("sent 3"), "{}", stdout(&first));
    let again = earshot(
        data.path(),
        data.next(),
        Some(&smtp.url()),
        &["digest", "send", "--now"],
    )
    .await;
    assert!(
        stdout(&again).contains("Enqueued 0 new summaries; sent 0"),
        "{}",
        stdout(&again)
    );

    let messages = smtp.messages();
    assert_eq!(
        messages.len(),
        3,
        "one message per subscription, even when run twice"
    );
    let scoped = messages
        .iter()
        .find(|message| message.recipients == ["delivery-stakeholders@halcyon.example"])
        .expect("the scoped subscription's message");
    assert!(
        scoped
            .header("Content-Type")
            .unwrap()
            .starts_with("multipart/alternative")
    );
    assert!(scoped.data.contains("Content-Type: text/plain"));
    assert!(scoped.data.contains("Content-Type: text/html"));
    assert!(!scoped.data.to_lowercase().contains("<svg"));
    assert!(!scoped.data.contains("<img"));
    assert_eq!(
        scoped.header("List-Unsubscribe-Post").unwrap(),
        "List-Unsubscribe=One-Click"
    );
    let unsubscribe = scoped.header("List-Unsubscribe").unwrap();
    assert!(
        unsubscribe.starts_with("<https://earshot.halcyon.example/unsubscribe/"),
        "{unsubscribe}"
    );
    let message_id = scoped.header("Message-ID").unwrap();
    assert!(
        message_id.starts_with("<digest.3.weekly.")
            && message_id.ends_with("@earshot.halcyon.example>")
    );

    // The contents match the database: the scoped subscription counts only
    // its two services, from the start of its period.
    let period_start: String = query(
        data.path(),
        "SELECT period FROM email_outbox WHERE to_address = 'delivery-stakeholders@halcyon.example'",
    );
    assert!(period_start.starts_with("weekly:"));
    let text = scoped.data.replace("=\r\n", "");
    assert!(
        !text.contains("Alerting"),
        "out of scope services are left out"
    );
    let schedule = earshot::domain::digest::Schedule {
        cadence: earshot::domain::digest::Cadence::Weekly(chrono::Weekday::Fri),
        hour: 16,
        minute: 0,
        timezone: chrono_tz::Tz::America__New_York,
    };
    let start = schedule.in_progress(data.at).start;
    let connection = rusqlite::Connection::open(data.path().join("earshot.db")).unwrap();
    let in_scope: i64 = connection
        .query_row(
            "SELECT count(*) FROM feedback JOIN services ON services.id = service_id
              WHERE slug IN ('ci-runner', 'deploy-pipeline') AND feedback.created_at >= ?1",
            [start],
            |row| row.get(0),
        )
        .unwrap();
    assert!(
        text.contains(&format!("Feedback received: {in_scope}\r\n")),
        "{in_scope}: {text}"
    );
    let sent: i64 = query(
        data.path(),
        "SELECT count(*) FROM email_outbox WHERE status = 'sent'",
    );
    assert_eq!(sent, 3);
}

#[tokio::test]
async fn a_451_is_retried_and_a_554_is_given_up_and_shown() {
    let data = seeded().await;
    let smtp = SmtpServer::start().await;
    smtp.refuse_recipient(
        "ines.okafor@halcyon.example",
        "554 5.7.1 mailbox unavailable",
    );
    smtp.answer_next_data("451 4.3.0 try again later");
    smtp.answer_next_data("451 4.3.0 try again later");

    let first = undelivered(
        data.path(),
        data.next(),
        Some(&smtp.url()),
        &["digest", "send", "--now"],
    )
    .await;
    assert!(
        String::from_utf8_lossy(&first.stderr)
            .contains("3 of 3 messages were not delivered (2 will be retried, 1 failed for good"),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(
        stdout(&first).contains("sent 0, to retry 2, failed 1"),
        "{}",
        stdout(&first)
    );
    let second = earshot(
        data.path(),
        data.next(),
        Some(&smtp.url()),
        &["digest", "send", "--due"],
    )
    .await;
    assert!(stdout(&second).contains("sent 2"), "{}", stdout(&second));

    assert_eq!(smtp.messages().len(), 2);
    let failed: String = query(
        data.path(),
        "SELECT to_address FROM email_outbox WHERE status = 'failed'",
    );
    assert_eq!(failed, "ines.okafor@halcyon.example");
    let attempts: i64 = query(
        data.path(),
        "SELECT max(attempts) FROM email_outbox WHERE status = 'sent'",
    );
    assert_eq!(attempts, 2);

    let app = TestApp::start(data.path()).await;
    let team = app.browser();
    assert_eq!(
        team.sign_in("sam.rivera@halcyon.example", "earshot-demo")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let page = team.get_text("/digests").await;
    assert!(
        page.contains("failed") && page.contains("554"),
        "the failure is shown"
    );
}

#[tokio::test]
async fn a_server_that_is_down_keeps_messages_until_it_is_back_and_sends_none_twice() {
    let data = seeded().await;
    let smtp = SmtpServer::start().await;
    let address = smtp.stop();
    tokio::task::yield_now().await;

    let down = undelivered(
        data.path(),
        data.next(),
        Some(&format!("smtp://{address}")),
        &["digest", "send", "--now"],
    )
    .await;
    assert!(stdout(&down).contains("to retry 3"), "{}", stdout(&down));

    let smtp = SmtpServer::start_on(address).await;
    let up = earshot(
        data.path(),
        data.next(),
        Some(&smtp.url()),
        &["digest", "send", "--now"],
    )
    .await;
    assert!(
        stdout(&up).contains("Enqueued 0 new summaries; sent 3"),
        "{}",
        stdout(&up)
    );
    let after = earshot(
        data.path(),
        data.next(),
        Some(&smtp.url()),
        &["digest", "send", "--due"],
    )
    .await;
    assert!(stdout(&after).contains("sent 0"));
    assert_eq!(smtp.messages().len(), 3);
}

/// The Message-IDs the server accepted, each once: a duplicate fails the test.
fn delivered_once(smtp: &SmtpServer) -> std::collections::BTreeSet<String> {
    let mut ids = std::collections::BTreeSet::new();
    for message in smtp.messages() {
        let id = message.header("Message-ID").expect("a Message-ID");
        assert!(ids.insert(id.clone()), "{id} was delivered twice");
    }
    ids
}

fn outbox_ids(data_dir: &Path) -> std::collections::BTreeSet<String> {
    let connection = rusqlite::Connection::open(data_dir.join("earshot.db")).unwrap();
    let mut statement = connection
        .prepare("SELECT message_id FROM email_outbox")
        .unwrap();
    statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test]
async fn a_connection_dropped_mid_message_is_retried_and_the_message_arrives_once() {
    let data = seeded().await;
    let smtp = SmtpServer::start().await;
    smtp.drop_mid_message(1);

    let first = undelivered(
        data.path(),
        data.next(),
        Some(&smtp.url()),
        &["digest", "send", "--now"],
    )
    .await;
    assert!(
        stdout(&first).contains("sent 2, to retry 1"),
        "{}",
        stdout(&first)
    );
    let retried = earshot(
        data.path(),
        data.next(),
        Some(&smtp.url()),
        &["digest", "send", "--due"],
    )
    .await;
    assert!(stdout(&retried).contains("sent 1"), "{}", stdout(&retried));

    assert_eq!(delivered_once(&smtp), outbox_ids(data.path()));
    assert_eq!(
        query::<i64>(
            data.path(),
            "SELECT count(*) FROM email_outbox WHERE status = 'sent'"
        ),
        3
    );
}

/// A sender killed while its server holds a message leaves that message
/// under its lease: a run before the lease expires leaves it alone, one
/// after sends it, once.
#[tokio::test]
async fn a_run_killed_mid_delivery_delivers_every_summary_once_after_its_lease_expires() {
    let data = seeded().await;
    let smtp = SmtpServer::start().await;
    // One message gets no answer: the run is killed while it waits.
    smtp.hold(1);
    let killed_at = data.next();
    let lease = ("EARSHOT_MAIL_LEASE_SECONDS", "20");
    let mut run = command(
        data.path(),
        killed_at,
        Some(&smtp.url()),
        &["digest", "send", "--now"],
    )
    .env(lease.0, lease.1)
    .stdout(std::process::Stdio::null())
    .kill_on_drop(true)
    .spawn()
    .unwrap();
    let count = |sql: &str| query::<i64>(data.path(), sql);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while smtp.holding() == 0
        || count("SELECT count(*) FROM email_outbox WHERE status = 'sent'")
            < count("SELECT count(*) FROM email_outbox") - 1
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the run never got to the held message"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    run.start_kill().unwrap();
    run.wait().await.unwrap();
    while smtp.holding() > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the server kept holding"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(smtp.messages().len(), 2);
    let leased: String = query(
        data.path(),
        "SELECT lease_owner FROM email_outbox WHERE status = 'pending'",
    );
    assert!(leased.starts_with("pid "), "{leased}");

    // A second later, the killed run's lease still holds: nothing is sent twice.
    let early = earshot(
        data.path(),
        killed_at + chrono::Duration::seconds(1),
        Some(&smtp.url()),
        &["digest", "send", "--due"],
    )
    .await;
    assert!(stdout(&early).contains("sent 0"), "{}", stdout(&early));
    // Once it expired, the next run sends the message.
    let later = earshot(
        data.path(),
        killed_at + chrono::Duration::seconds(30),
        Some(&smtp.url()),
        &["digest", "send", "--due"],
    )
    .await;
    assert!(stdout(&later).contains("sent 1"), "{}", stdout(&later));
    assert_eq!(delivered_once(&smtp), outbox_ids(data.path()));
    assert_eq!(outbox_ids(data.path()).len(), 3);
}

#[tokio::test]
async fn without_smtp_summaries_are_written_as_eml_files() {
    let data = seeded().await;
    earshot(data.path(), data.next(), None, &["digest", "send", "--now"]).await;
    let files: Vec<_> = std::fs::read_dir(data.path().join("mail"))
        .unwrap()
        .flatten()
        .filter(|entry| {
            entry
                .path()
                .extension()
                .is_some_and(|extension| extension == "eml")
        })
        .collect();
    assert_eq!(files.len(), 3);
    let text = preview(data.path(), data.next(), "1").await;
    assert!(text.contains("Subject: Earshot:"), "{text}");
}

#[tokio::test]
async fn the_unsubscribe_link_asks_first_and_one_click_unsubscribes() {
    let data = seeded().await;
    let smtp = SmtpServer::start().await;
    earshot(
        data.path(),
        data.next(),
        Some(&smtp.url()),
        &["digest", "send", "--now"],
    )
    .await;
    let message = smtp.messages().into_iter().next().unwrap();
    let link = message.header("List-Unsubscribe").unwrap();
    let path = link
        .trim_matches(['<', '>'])
        .trim_start_matches("https://earshot.halcyon.example")
        .to_owned();

    let app = TestApp::start(data.path()).await;
    let client = reqwest::Client::new();
    let page = client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let unsubscribed_before: i64 = query(
        data.path(),
        "SELECT count(*) FROM digest_subscriptions WHERE unsubscribed_at IS NOT NULL",
    );
    assert_eq!(
        unsubscribed_before, 0,
        "following the link alone changes nothing"
    );

    let one_click = client
        .post(app.url(&path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(one_click.status(), StatusCode::OK);
    let unsubscribed: i64 = query(
        data.path(),
        "SELECT count(*) FROM digest_subscriptions WHERE unsubscribed_at IS NOT NULL",
    );
    assert_eq!(unsubscribed, 1);
    let forged = client
        .post(app.url("/unsubscribe/0123abcd"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn subscribing_checks_the_address_and_contributors_subscribe_only_themselves() {
    let app = TestApp::spawn().await;
    let team = app.signed_in(TEAM).await;
    let bad = team
        .submit(
            "/digests",
            "/digests",
            &[
                ("email", "leads@example.com\r\nBcc: x@y.z"),
                ("cadence", "weekly"),
                ("hour", "7:75"),
                ("timezone", "Mars/Base"),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = bad.text().await.unwrap();
    assert!(page.contains("must be an email address") && page.contains("time zone"));
    assert!(page.contains("must be a time of day like 8, 16 or 08:30"));

    let good = team
        .submit(
            "/digests",
            "/digests",
            &[
                ("email", "leads@example.com"),
                ("cadence", "monthly"),
                ("hour", "09:30"),
                ("timezone", "Europe/Berlin"),
                ("services", "ci-runner"),
            ],
        )
        .await;
    assert_eq!(good.status(), StatusCode::SEE_OTHER);
    assert!(
        team.get_text("/digests")
            .await
            .contains("Monthly on the 1st at 09:30 Europe/Berlin")
    );

    let contributor = app.signed_in(CONTRIBUTOR).await;
    let own = contributor
        .submit(
            "/digests",
            "/digests",
            &[
                ("email", "someone.else@example.com"),
                ("cadence", "weekly"),
                ("weekday", "friday"),
            ],
        )
        .await;
    assert_eq!(own.status(), StatusCode::SEE_OTHER);
    let emails: Vec<String> = app.with_db(|connection| {
        let mut statement =
            connection.prepare("SELECT email FROM digest_subscriptions ORDER BY id")?;
        let emails = statement
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(emails)
    });
    assert_eq!(emails, ["leads@example.com", CONTRIBUTOR]);
    let listed = contributor.get_text("/digests").await;
    assert!(
        !listed.contains("leads@example.com"),
        "contributors see only their own subscriptions"
    );
}

#[tokio::test]
async fn a_summary_reports_new_pain_points_shipped_items_and_interviews() {
    let app = TestApp::spawn().await;
    let team = app.signed_in(TEAM).await;
    let subscribed = team
        .submit(
            "/digests",
            "/digests",
            &[
                ("email", "leads@example.com"),
                ("cadence", "weekly"),
                ("weekday", "monday"),
            ],
        )
        .await;
    assert_eq!(subscribed.status(), StatusCode::SEE_OTHER);
    let api = app.api(TEAM);
    api.post_json(
        "/api/v1/pain-points",
        &serde_json::json!({"title": "Deploys wait in a queue"}),
    )
    .await;
    api.post_json(
        "/api/v1/roadmap-items",
        &serde_json::json!({"title": "Parallel deploy lanes"}),
    )
    .await;
    api.post_json(
        "/api/v1/roadmap-items/1/pain-points",
        &serde_json::json!({"pain_point_id": 1}),
    )
    .await;
    api.post_json("/api/v1/roadmap-items/1/ship", &serde_json::json!({}))
        .await;
    let today = app.clock.now().date_naive().to_string();
    api.post_json(
        "/api/v1/interviews",
        &serde_json::json!({"participant_name": "Lars", "held_on": today, "notes": "queues"}),
    )
    .await;

    let text = preview(&app.data_dir, app.clock.now(), "1").await;
    assert!(
        text.contains("Parallel deploy lanes: answers Deploys wait in a queue"),
        "{text}"
    );
    assert!(text.contains("New pain points:\n  Deploys wait in a queue"));
    assert!(text.contains("Interviews held: 1"));
}

#[tokio::test]
async fn a_monthly_summary_reports_the_survey_wave_with_intervals_and_only_significant_movers() {
    let data = seeded().await;
    // The summary of the month the newest wave opened in, previewed on
    // that month's last evening (in the subscriber's Berlin time).
    let opened: DateTime<Utc> = query(
        data.path(),
        "SELECT max(coalesce(opens_at, created_at)) FROM surveys",
    );
    let schedule = earshot::domain::digest::Schedule {
        cadence: earshot::domain::digest::Cadence::Monthly,
        hour: 9,
        minute: 0,
        timezone: chrono_tz::Tz::Europe__Berlin,
    };
    // Before 09:00 on the 1st, the period in progress is still the month before.
    let mut month = schedule.in_progress(opened);
    if month.end <= opened {
        month = schedule.in_progress(opened + chrono::Duration::days(1));
    }
    assert!(month.start <= opened && opened < month.end);
    let text = preview(data.path(), month.end - chrono::Duration::hours(2), "2").await;
    assert!(text.contains("Satisfaction (Platform pulse, Q"), "{text}");
    assert!(text.contains("NPS ") && text.contains("(95% "));
    let ci = text
        .lines()
        .find(|line| line.contains("CSAT ci-runner"))
        .expect("a CI row");
    assert!(ci.contains("mover: +"), "CI improved significantly: {ci}");
    let k8s = text
        .lines()
        .find(|line| line.contains("CSAT k8s.prod"))
        .expect("a k8s row");
    assert!(!k8s.contains("mover"), "k8s barely moved: {k8s}");
    assert!(
        text.contains("Nothing was held back for anonymity."),
        "{text}"
    );
}

#[tokio::test]
async fn a_subscription_gets_only_the_sections_it_chose() {
    let app = TestApp::spawn().await;
    let team = app.signed_in(TEAM).await;
    for (email, sections) in [
        ("shipping-news@example.com", &["shipped"][..]),
        ("interviews-only@example.com", &["interviews"][..]),
    ] {
        let mut form = vec![("email", email), ("cadence", "weekly")];
        form.extend(sections.iter().map(|section| ("sections", *section)));
        let subscribed = team.submit("/digests", "/digests", &form).await;
        assert_eq!(subscribed.status(), StatusCode::SEE_OTHER);
    }
    let refused = team
        .submit(
            "/digests",
            "/digests",
            &[("email", "x@example.com"), ("sections", "gossip")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.unwrap();
    assert!(page.contains("is not a section"), "{page}");

    let api = app.api(TEAM);
    let given = api
        .post_json(
            "/api/v1/feedback",
            &serde_json::json!({"title": "Runners are slow", "body": "Queues all morning", "service": "ci-runner", "kind": "pain"}),
        )
        .await;
    assert_eq!(given.status(), StatusCode::CREATED);
    api.post_json(
        "/api/v1/pain-points",
        &serde_json::json!({"title": "Deploys wait in a queue"}),
    )
    .await;
    api.post_json(
        "/api/v1/roadmap-items",
        &serde_json::json!({"title": "Parallel deploy lanes"}),
    )
    .await;
    api.post_json("/api/v1/roadmap-items/1/ship", &serde_json::json!({}))
        .await;

    let shipped = preview(&app.data_dir, app.clock.now(), "1").await;
    assert!(shipped.contains("Shipped (you said, we did):"), "{shipped}");
    for left_out in ["Feedback received", "New pain points", "Interviews held"] {
        assert!(!shipped.contains(left_out), "{left_out} in {shipped}");
    }
    // Nothing happened in the one section the second subscriber chose.
    let interviews = preview(&app.data_dir, app.clock.now(), "2").await;
    assert!(interviews.contains("nothing would be sent"), "{interviews}");
    let sent = stdout(
        &earshot(
            &app.data_dir,
            app.clock.now(),
            None,
            &["digest", "send", "--now"],
        )
        .await,
    );
    assert!(sent.contains("Enqueued 1 new summaries"), "{sent}");
}

#[tokio::test]
async fn scores_held_back_for_anonymity_are_listed_one_by_one() {
    // Mid-month: the monthly summary previewed is the month the survey ran in
    // (early on the 1st it would still be the month before).
    let app = TestApp::spawn_at("2026-11-18T10:00:00Z").await;
    let emails = app.add_team_members(&[("payments", 6)]);
    let api = app.api(TEAM);
    let survey: serde_json::Value = api
        .post_json(
            "/api/v1/surveys",
            &serde_json::json!({
                "title": "Pulse", "anonymous": true, "threshold": 5,
                "questions": [
                    {"kind": "nps", "prompt": "Recommend the platform?", "required": true},
                    {"kind": "csat", "prompt": "Happy with CI?", "service": "ci-runner"},
                ]
            }),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = survey["id"].as_i64().unwrap();
    let questions: Vec<i64> = survey["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|question| question["id"].as_i64().unwrap())
        .collect();
    // A wave of the headline series: summaries report only series waves.
    api.post_json(
        "/api/v1/series",
        &serde_json::json!({"name": "Pulse", "cadence": "quarterly"}),
    )
    .await;
    api.put_json(
        &format!("/api/v1/surveys/{id}/series"),
        &serde_json::json!({"series": "Pulse"}),
    )
    .await;
    api.post_json(
        &format!("/api/v1/surveys/{id}/open"),
        &serde_json::json!({}),
    )
    .await;
    api.post_json(
        &format!("/api/v1/surveys/{id}/invitations"),
        &serde_json::json!({"emails": emails}),
    )
    .await;
    let client = reqwest::Client::new();
    // Six answer the NPS question; only three the CSAT one.
    for (index, (_, token)) in app.invitation_tokens(id).await.iter().enumerate() {
        let mut answers = vec![serde_json::json!({"question_id": questions[0], "value": 9})];
        if index < 3 {
            answers.push(serde_json::json!({"question_id": questions[1], "value": 2}));
        }
        let answered = client
            .post(app.url(&format!("/api/v1/responses/{token}")))
            .json(&serde_json::json!({ "answers": answers }))
            .send()
            .await
            .unwrap();
        assert_eq!(answered.status(), StatusCode::CREATED);
    }
    let team = app.signed_in(TEAM).await;
    team.submit(
        "/digests",
        "/digests",
        &[("email", "leads@example.com"), ("cadence", "monthly")],
    )
    .await;

    let text = preview(&app.data_dir, app.clock.now(), "1").await;
    // Published in steps of five: the sixth answer waits for four more.
    assert!(
        text.contains("Satisfaction (Pulse, Q4 2026, 5 of 6 invited answered)"),
        "{text}"
    );
    assert!(text.contains("  NPS 100"), "{text}");
    assert!(
        text.contains("Held back for anonymity (too few answers to report):\n    CSAT for ci-runner: fewer than 5 answers\n"),
        "{text}"
    );
    assert!(!text.contains("CSAT ci-runner"), "{text}");
    // The results page hides the same question.
    let results: serde_json::Value = api
        .get(&format!("/api/v1/surveys/{id}/results"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(results["questions"][1]["suppressed"], true);
    assert_eq!(results["questions"][0]["suppressed"], false);
}

#[tokio::test]
async fn a_contributors_summary_holds_only_what_they_may_read() {
    let app = TestApp::spawn().await;
    let contributor = app.signed_in(CONTRIBUTOR).await;
    let subscribed = contributor
        .submit(
            "/digests",
            "/digests",
            &[("cadence", "weekly"), ("sections", "interviews")],
        )
        .await;
    assert_eq!(subscribed.status(), StatusCode::SEE_OTHER);
    let api = app.api(TEAM);
    api.post_json(
        "/api/v1/feedback",
        &serde_json::json!({"title": "Runners are slow", "body": "Queues", "service": "ci-runner", "kind": "pain"}),
    )
    .await;
    api.post_json(
        "/api/v1/roadmap-items",
        &serde_json::json!({"title": "Parallel deploy lanes"}),
    )
    .await;
    api.post_json("/api/v1/roadmap-items/1/ship", &serde_json::json!({}))
        .await;
    let today = app.clock.now().date_naive().to_string();
    api.post_json(
        "/api/v1/interviews",
        &serde_json::json!({"participant_name": "Lars", "held_on": today, "notes": "queues"}),
    )
    .await;

    let text = preview(&app.data_dir, app.clock.now(), "1").await;
    assert!(text.contains("Parallel deploy lanes"), "{text}");
    for team_only in ["Feedback received", "Interviews held", "Satisfaction"] {
        assert!(!text.contains(team_only), "{team_only} in {text}");
    }
    assert!(text.contains("/shipped"), "{text}");
}

#[tokio::test]
async fn the_browser_preview_shows_the_message_with_its_own_styles_and_nothing_else() {
    let app = TestApp::spawn().await;
    let team = app.signed_in(TEAM).await;
    team.submit(
        "/digests",
        "/digests",
        &[("email", "leads@example.com"), ("cadence", "weekly")],
    )
    .await;
    app.api(TEAM)
        .post_json(
            "/api/v1/feedback",
            &serde_json::json!({"title": "Slow", "body": "Queues", "service": "ci-runner", "kind": "pain"}),
        )
        .await;
    let preview = team.get("/digests/1/preview").await;
    assert_eq!(preview.status(), StatusCode::OK);
    let policy = preview.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        policy.contains("default-src 'none'") && policy.contains("style-src 'unsafe-inline'"),
        "{policy}"
    );
    assert!(!policy.contains("script"), "{policy}");
    let page = preview.text().await.unwrap();
    assert!(
        page.contains("1</strong> feedback items received"),
        "{page}"
    );
}

#[tokio::test]
async fn a_subscription_is_ended_from_the_page_and_the_same_one_is_not_made_twice() {
    let app = TestApp::spawn().await;
    let team = app.signed_in(TEAM).await;
    let form = [("email", "leads@example.com"), ("cadence", "monthly")];
    assert_eq!(
        team.submit("/digests", "/digests", &form).await.status(),
        StatusCode::SEE_OTHER
    );
    let twice = team.submit("/digests", "/digests", &form).await;
    assert_eq!(twice.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        twice
            .text()
            .await
            .unwrap()
            .contains("already gets this summary")
    );

    // A contributor cannot end someone else's.
    let contributor = app.signed_in(CONTRIBUTOR).await;
    let theirs = contributor
        .submit("/digests", "/digests/1/unsubscribe", &[])
        .await;
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND);

    let ended = team.submit("/digests", "/digests/1/unsubscribe", &[]).await;
    assert_eq!(ended.status(), StatusCode::SEE_OTHER);
    assert!(team.get_text("/digests").await.contains("unsubscribed"));
    // Once ended, the same subscription can be made again.
    assert_eq!(
        team.submit("/digests", "/digests", &form).await.status(),
        StatusCode::SEE_OTHER
    );
}
