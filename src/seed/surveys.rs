//! Four quarterly waves of the demo's headline series, "Platform pulse",
//! answered by ~400 people each: CI satisfaction jumps after the cache fix
//! shipped, alerting slides quarter by quarter, logging recovers with
//! longer retention.

use chrono::{DateTime, Datelike, Duration, Months, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::auth;
use crate::db::{Connection, people, series, survey_responses, surveys};
use crate::domain::series::{NewSeries, SeriesCadence};
use crate::domain::survey::{Answer, NewQuestion, NewSurvey, QuestionKind};
use crate::domain::{Email, Role};
use crate::error::Result;

const FIRST: [&str; 24] = [
    "Alex", "Bea", "Chen", "Dana", "Emre", "Fatima", "Goran", "Hana", "Ivo", "Jade", "Kofi",
    "Lena", "Mateo", "Nia", "Oskar", "Pia", "Quentin", "Rosa", "Sanjay", "Tara", "Uma", "Viktor",
    "Wen", "Yusuf",
];
const LAST: [&str; 20] = [
    "Abbott",
    "Brandt",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Horvat",
    "Iyer",
    "Jansen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Novak",
    "Okoye",
    "Petrov",
    "Quinn",
    "Rossi",
    "Sato",
    "Tanaka",
];
const TEAMS: [&str; 8] = [
    "payments",
    "checkout",
    "search",
    "mobile",
    "data-eng",
    "identity",
    "growth",
    "ml-platform",
];

/// The newest wave opened this long ago (its answers came in over the two
/// days after); each earlier one a quarter before the next, so the waves
/// fall in four consecutive quarters whatever the day, newest last.
const NEWEST_WAVE_DAYS_AGO: i64 = 12;

/// How satisfied each wave is: the chance of a 4 or 5 per question.
struct Wave {
    /// Quarters before the newest wave.
    quarters_back: u32,
    ci: f64,
    alerting: f64,
    k8s: f64,
    logging: f64,
    promoter: f64,
    detractor: f64,
    ease: f64,
}

const WAVES: [Wave; 4] = [
    Wave {
        quarters_back: 3,
        ci: 0.46,
        alerting: 0.72,
        k8s: 0.61,
        logging: 0.50,
        promoter: 0.28,
        detractor: 0.36,
        ease: 4.3,
    },
    Wave {
        quarters_back: 2,
        ci: 0.44,
        alerting: 0.63,
        k8s: 0.60,
        logging: 0.52,
        promoter: 0.30,
        detractor: 0.34,
        ease: 4.5,
    },
    Wave {
        quarters_back: 1,
        ci: 0.47,
        alerting: 0.55,
        k8s: 0.62,
        logging: 0.53,
        promoter: 0.31,
        detractor: 0.32,
        ease: 4.6,
    },
    Wave {
        quarters_back: 0,
        ci: 0.79,
        alerting: 0.45,
        k8s: 0.63,
        logging: 0.71,
        promoter: 0.39,
        detractor: 0.26,
        ease: 5.1,
    },
];

fn question(kind: QuestionKind, prompt: &str, service: Option<&str>) -> NewQuestion {
    NewQuestion {
        kind,
        prompt: prompt.to_owned(),
        service: service.map(str::to_owned),
        required: kind == QuestionKind::Nps,
        allow_na: kind != QuestionKind::Nps,
        choices: Vec::new(),
    }
}

/// Respondents, the surveys and their answers; returns how many responses.
pub fn load(connection: &Connection, now: DateTime<Utc>) -> Result<usize> {
    let mut respondents = Vec::new();
    for index in 0..480 {
        let first = FIRST[index % FIRST.len()];
        let last = LAST[(index / FIRST.len()) % LAST.len()];
        let email = Email::parse(&format!(
            "{}.{}@halcyon.example",
            first.to_lowercase(),
            last.to_lowercase()
        ))
        .expect("generated addresses are valid");
        // Some generated names are real people of the organisation already.
        if people::user_by_email(connection, &email)?.is_some() {
            respondents.push(email);
            continue;
        }
        let team = people::ensure_team(
            connection,
            TEAMS[index % TEAMS.len()],
            TEAMS[index % TEAMS.len()],
        )?;
        people::insert_user(
            connection,
            &people::NewUser {
                email: &email,
                name: &format!("{first} {last}"),
                role: Role::Contributor,
                team_id: Some(team),
                password_hash: None,
            },
            now - Duration::days(400),
        )?;
        respondents.push(email);
    }
    let pulse = series::insert(
        connection,
        &NewSeries {
            name: "Platform pulse".into(),
            cadence: SeriesCadence::Quarterly,
        },
        now - Duration::days(400),
    )?;
    // Seeded, so the demo is the same every time.
    let mut dice = StdRng::seed_from_u64(2026);
    let mut responses = 0;
    let mut previous_wave = None;
    for wave in &WAVES {
        let newest = now - Duration::days(NEWEST_WAVE_DAYS_AGO);
        let opened = newest
            .checked_sub_months(Months::new(3 * wave.quarters_back))
            .unwrap_or(newest);
        let quarter = (opened.month() - 1) / 3 + 1;
        let survey = NewSurvey {
            title: format!("Platform pulse {}-Q{quarter}", opened.year()),
            introduction: "Ten questions, three minutes. Answers are anonymous; no group under five people is shown.".into(),
            anonymous: true,
            threshold: 5,
            previous_wave,
            opens_at: None,
            closes_at: None,
            questions: vec![
                question(QuestionKind::Nps, "How likely are you to recommend the platform to a colleague?", None),
                question(QuestionKind::Csat, "How satisfied are you with CI runners?", Some("ci-runner")),
                question(QuestionKind::Csat, "How satisfied are you with alerting?", Some("alerting")),
                question(QuestionKind::Csat, "How satisfied are you with Kubernetes production?", Some("k8s.prod")),
                question(QuestionKind::Csat, "How satisfied are you with logging?", Some("logging")),
                question(QuestionKind::Ces, "How easy was it to deploy your last change?", Some("deploy-pipeline")),
            ],
        };
        let id = surveys::insert_survey(connection, &survey, 1, opened)?;
        series::assign(connection, id, Some(&pulse), "")?;
        previous_wave = Some(id);
        surveys::change_status(connection, id, "draft", "open")?;
        let stored = surveys::survey_by_id(connection, id)?.expect("just stored");
        let ids: Vec<i64> = stored
            .questions
            .iter()
            .map(|question| question.id)
            .collect();
        for email in &respondents {
            let token = auth::new_token("svy_");
            surveys::invite(
                connection,
                id,
                email.as_str(),
                &auth::hash_token(&token),
                0,
                opened,
            )?;
            if dice.random_bool(0.18) {
                continue;
            }
            let invitation = surveys::invitation_by_token(connection, &auth::hash_token(&token))?
                .expect("just invited");
            let mut csat = |chance: f64| {
                if dice.random_bool(0.05) {
                    Answer::NotApplicable
                } else if dice.random_bool(chance) {
                    Answer::Value(dice.random_range(4..=5))
                } else {
                    Answer::Value(dice.random_range(1..=3))
                }
            };
            let answers = vec![
                (ids[1], csat(wave.ci)),
                (ids[2], csat(wave.alerting)),
                (ids[3], csat(wave.k8s)),
                (ids[4], csat(wave.logging)),
            ];
            let roll = dice.random::<f64>();
            let nps = if roll < wave.promoter {
                dice.random_range(9..=10)
            } else if roll < wave.promoter + wave.detractor {
                dice.random_range(0..=6)
            } else {
                dice.random_range(7..=8)
            };
            let ease = (wave.ease + (dice.random::<f64>() - 0.5) * 4.0)
                .round()
                .clamp(1.0, 7.0) as u8;
            let mut all = vec![(ids[0], Answer::Value(nps)), (ids[5], Answer::Value(ease))];
            all.extend(answers);
            let complete = all.len() == ids.len();
            survey_responses::save_response(
                connection,
                &invitation.respondent(None),
                true,
                &all,
                complete,
                opened + Duration::days(2),
            )?;
            responses += 1;
        }
        surveys::change_status(connection, id, "open", "closed")?;
    }
    Ok(responses)
}
