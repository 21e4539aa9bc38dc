//! Page-render benchmark: every discovery page, over HTTP as a platform
//! team member, against a release build holding the demo organisation plus
//! 100,000 generated feedback items (spread over the services and people,
//! one in fifty linked as evidence to a pain point), a headline survey
//! series of eight quarterly waves holding 1,000,000 answers, and two years
//! of monthly reliability for every service. The goal is under 50 ms per
//! page (the service page and the dashboard chart the series and the
//! reliability).
//!
//! Run: `cargo bench --bench pages` (`PAGES_FEEDBACK`, default 100000;
//! `PAGES_ANSWERS`, default 1000000; `PAGES_ROUNDS`, default 200 requests
//! per page, one at a time on one keep-alive connection, after 10 to warm
//! up).

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{Duration as Days, Months, Utc};
use earshot::db::{
    self, feedback, interviews, pain_points, people, series, services, survey_responses, surveys,
};
use earshot::domain::feedback::FeedbackFilter;
use earshot::domain::series::{NewSeries, SeriesCadence};
use earshot::domain::survey::{Answer, NewQuestion, NewSurvey, QuestionKind};
use earshot::domain::survey_import::ImportedResponse;
use earshot::domain::{Email, FeedbackKind, NewFeedback, Rating, ReliabilityReport, ServiceSlug};
use hdrhistogram::Histogram;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

#[path = "support/earshot.rs"]
mod earshot_bin;
#[path = "support/http.rs"]
mod http;

use earshot_bin::{env_or, start_server};

const TEAM_LOGIN: &str = "sam.rivera@halcyon.example";

/// What the pages are about: a service, an interview and the pain point
/// with the most evidence.
struct Subjects {
    service: String,
    interview: Option<i64>,
    pain_point: i64,
}

fn main() {
    let extra: u64 = env_or("PAGES_FEEDBACK", 100_000);
    let answers: u64 = env_or("PAGES_ANSWERS", 1_000_000);
    let rounds: usize = env_or("PAGES_ROUNDS", 200);
    let data = tempfile::tempdir().expect("temp dir");
    let data_dir = data.path();
    println!(
        "pages bench: demo organisation + {extra} feedback items + {answers} survey answers, {rounds} requests per page, release build"
    );

    let started = Instant::now();
    let subjects = generate(data_dir, extra);
    db::with_connection(&data_dir.join("earshot.db"), |connection| {
        survey_waves(connection, answers)?;
        two_years_of_reliability(connection)
    })
    .expect("generate the waves and the reliability");
    println!("generated in {:.1} s", started.elapsed().as_secs_f64());
    let status = Command::new(env!("CARGO_BIN_EXE_earshot"))
        .arg("--data-dir")
        .arg(data_dir)
        .arg("reindex")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("earshot reindex runs");
    assert!(status.success());

    let token = earshot_bin::token(data_dir, TEAM_LOGIN);
    let (mut server, address) = start_server(data_dir);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let authorization = format!("Bearer {token}");
    let mut pages = vec![
        format!("/services/{}", subjects.service),
        "/interviews".to_owned(),
    ];
    if let Some(interview) = subjects.interview {
        pages.push(format!("/interviews/{interview}"));
    }
    pages.extend([
        "/pain-points".to_owned(),
        format!("/pain-points/{}", subjects.pain_point),
        "/roadmap".to_owned(),
        "/tree".to_owned(),
        "/shipped".to_owned(),
        "/dashboard".to_owned(),
    ]);

    println!(
        "\n{:<28} {:>9} {:>9} {:>9} {:>8}",
        "page (GET, team)", "p50 ms", "p99 ms", "max ms", "KB"
    );
    let mut slowest: (f64, &str) = (0.0, "");
    for page in &pages {
        let (latencies, size) = runtime.block_on(time_page(address, &authorization, page, rounds));
        let ms = |quantile: f64| latencies.value_at_quantile(quantile) as f64 / 1000.0;
        println!(
            "{page:<28} {:>9.2} {:>9.2} {:>9.2} {:>8.0}",
            ms(0.5),
            ms(0.99),
            latencies.max() as f64 / 1000.0,
            size as f64 / 1024.0
        );
        if ms(0.99) > slowest.0 {
            slowest = (ms(0.99), page);
        }
    }
    println!(
        "\nslowest p99: {} at {:.2} ms (goal: under 50 ms)",
        slowest.1, slowest.0
    );
    // Several people at once on the page that does the most work (small
    // enough for the load generator's 64 KB response buffer).
    let busiest = &pages[0];
    let throughput = runtime.block_on(http::load(
        address,
        http::request("GET", busiest, &[("authorization", &authorization)], ""),
        4,
        Duration::from_secs(5),
    ));
    println!(
        "{busiest} from 4 connections: {:.0} pages/s, p99 {:.2} ms, {} failed",
        throughput.succeeded as f64 / throughput.elapsed.as_secs_f64(),
        throughput.latencies.value_at_quantile(0.99) as f64 / 1000.0,
        throughput.failed
    );
    let _ = server.kill();
    let _ = server.wait();
}

/// The demo organisation, then `extra` feedback items recombined from its
/// own sentences, one in fifty linked as evidence to a pain point.
fn generate(data_dir: &Path, extra: u64) -> Subjects {
    db::with_connection(&data_dir.join("earshot.db"), |connection| {
        let now = Utc::now();
        earshot::seed::load(connection, now)?;
        let team = people::user_by_email(connection, &Email::parse(TEAM_LOGIN).unwrap())?
            .expect("the demo team login");
        let slugs: Vec<String> = services::list_services(connection)?
            .into_iter()
            .map(|service| service.slug)
            .collect();
        let (sentences, authors) = vocabulary(connection)?;
        let targets: Vec<i64> = pain_points::choices(connection)?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let mut random = StdRng::seed_from_u64(7);
        let mut evidence: Vec<Vec<i64>> = vec![Vec::new(); targets.len()];
        for index in 0..extra {
            let mut body = String::new();
            for _ in 0..random.random_range(1..=3) {
                body.push_str(&sentences[random.random_range(0..sentences.len())]);
                body.push(' ');
            }
            let anonymous = random.random_bool(0.25);
            let item = NewFeedback {
                service: ServiceSlug::parse(&slugs[random.random_range(0..slugs.len())]).unwrap(),
                kind: FeedbackKind::ALL[random.random_range(0..4)],
                rating: Rating::new(random.random_range(0..6)),
                title: None,
                body: body.trim().to_owned(),
                anonymous,
                contact_ok: !anonymous && random.random_bool(0.1),
            };
            let author = (!anonymous).then(|| authors[random.random_range(0..authors.len())]);
            let created = now - Days::minutes(random.random_range(0..365 * 24 * 60));
            let id = feedback::insert_feedback(connection, &item, author, created)?;
            if index % 50 == 0 && !targets.is_empty() {
                // Skewed, as real evidence is: the first pain point gets the most.
                let target = random.random_range(0..targets.len()) * random.random_range(0..2);
                evidence[target].push(id);
            }
        }
        for (target, ids) in targets.iter().zip(&evidence) {
            pain_points::add_evidence(connection, *target, ids, team.id, now)?;
        }
        let busiest = targets
            .iter()
            .zip(&evidence)
            .max_by_key(|(_, ids)| ids.len())
            .map(|(id, _)| *id)
            .expect("the demo has pain points");
        Ok(Subjects {
            service: "ci-runner".to_owned(),
            interview: interviews::list(connection)?
                .first()
                .map(|interview| interview.id),
            pain_point: busiest,
        })
    })
    .expect("generate the data")
}

/// The questions of each generated wave: NPS, four CSAT and a CES.
fn wave_questions() -> Vec<NewQuestion> {
    let question = |kind, prompt: &str, service: Option<&str>| NewQuestion {
        kind,
        prompt: prompt.to_owned(),
        service: service.map(str::to_owned),
        required: true,
        allow_na: kind != QuestionKind::Nps,
        choices: Vec::new(),
    };
    vec![
        question(QuestionKind::Nps, "Recommend the platform?", None),
        question(QuestionKind::Csat, "CI runners?", Some("ci-runner")),
        question(QuestionKind::Csat, "Alerting?", Some("alerting")),
        question(QuestionKind::Csat, "Kubernetes?", Some("k8s.prod")),
        question(QuestionKind::Csat, "Logging?", Some("logging")),
        question(QuestionKind::Ces, "Deploying?", Some("deploy-pipeline")),
    ]
}

/// A headline series of eight quarterly waves (two years) holding
/// `answers` answers in all, imported and published as a historical wave
/// is, from respondents spread over the demo's teams.
fn survey_waves(connection: &db::Connection, answers: u64) -> earshot::error::Result<()> {
    let now = Utc::now();
    let pulse = series::insert(
        connection,
        &NewSeries {
            name: "Bench pulse".into(),
            cadence: SeriesCadence::Quarterly,
        },
        now - Days::days(800),
    )?;
    series::set_headline(connection, pulse.id)?;
    let teams = survey_responses::team_slugs(connection)?;
    let per_wave = answers / 8 / wave_questions().len() as u64;
    let mut random = StdRng::seed_from_u64(11);
    for quarters_back in (0..8u32).rev() {
        let opened = (now - Days::days(20))
            .checked_sub_months(Months::new(3 * quarters_back))
            .expect("two years back");
        let survey = NewSurvey {
            title: format!("Bench pulse, {quarters_back} quarters back"),
            introduction: String::new(),
            anonymous: true,
            threshold: 5,
            previous_wave: None,
            opens_at: None,
            closes_at: None,
            questions: wave_questions(),
        };
        let id = surveys::insert_survey(connection, &survey, 1, opened)?;
        series::assign(connection, id, Some(&pulse), "")?;
        let questions: Vec<(i64, QuestionKind)> = surveys::survey_by_id(connection, id)?
            .expect("just stored")
            .questions
            .iter()
            .map(|question| (question.id, question.kind))
            .collect();
        let responses: Vec<ImportedResponse> = (0..per_wave)
            .map(|line| ImportedResponse {
                line: line as usize + 2,
                team: Some(teams[random.random_range(0..teams.len())].clone()),
                submitted_at: Some(opened + Days::hours(random.random_range(0..48_i64))),
                answers: questions
                    .iter()
                    .map(|(question, kind)| {
                        let (low, high) = kind.scale().expect("rating questions");
                        let value = random.random_range(low..=high);
                        (*question, Answer::Value(value))
                    })
                    .collect(),
                complete: true,
            })
            .collect();
        survey_responses::import_responses(connection, id, true, &responses, opened)?;
        surveys::change_status(connection, id, "draft", "open")?;
        surveys::change_status(connection, id, "open", "closed")?;
    }
    Ok(())
}

/// Twenty-four months of reliability figures for every service.
fn two_years_of_reliability(connection: &db::Connection) -> earshot::error::Result<()> {
    let now = Utc::now();
    let mut random = StdRng::seed_from_u64(5);
    for service in services::list_services(connection)? {
        for months_back in 0..24 {
            let month = now
                .checked_sub_months(Months::new(months_back))
                .expect("two years back");
            let report = ReliabilityReport {
                period: month.format("%Y-%m").to_string(),
                slo_attainment: Some(0.99 + random.random_range(0..100) as f64 / 10_000.0),
                error_budget_remaining: Some(random.random_range(0..160) as f64 / 100.0 - 0.6),
                incidents: Some(random.random_range(0..9_u32)),
            };
            services::upsert_reliability(connection, &service.slug, &report, now)?;
        }
    }
    Ok(())
}

/// Sentences from the demo's feedback, and the ids of people who wrote any.
fn vocabulary(connection: &db::Connection) -> earshot::error::Result<(Vec<String>, Vec<i64>)> {
    let filter = FeedbackFilter::default();
    let (items, _) = feedback::list_feedback(connection, &filter, 10_000, 0)?;
    let mut sentences = Vec::new();
    let mut authors = Vec::new();
    for item in items {
        sentences.extend(
            item.body
                .split_inclusive(['.', '!', '?'])
                .map(str::trim)
                .filter(|sentence| sentence.len() > 12)
                .map(str::to_owned),
        );
        if let Some(author) = item.author
            && !authors.contains(&author.id)
        {
            authors.push(author.id);
        }
    }
    Ok((sentences, authors))
}

/// Latencies of `rounds` requests for `page`, and the size of its body.
async fn time_page(
    address: SocketAddr,
    authorization: &str,
    page: &str,
    rounds: usize,
) -> (Histogram<u64>, usize) {
    let mut connection = http::Connection::open(address).await;
    let request = http::request("GET", page, &[("authorization", authorization)], "");
    let mut latencies = Histogram::<u64>::new(3).unwrap();
    let mut size = 0;
    for round in 0..rounds + 10 {
        let sent = Instant::now();
        let (status, body) = connection.send(&request).await;
        let elapsed = sent.elapsed();
        assert_eq!(
            status,
            200,
            "GET {page}: {}",
            String::from_utf8_lossy(&body)
        );
        size = body.len();
        if round >= 10 {
            latencies.record(elapsed.as_micros() as u64).unwrap();
        }
    }
    (latencies, size)
}
