//! The auditor: given what every surface published about a wave (the
//! results API's JSON, the CSV export, the results page, what the
//! dashboard, service pages and summaries read, the summaries' held-back
//! lines) it tries, as an attacker would, to work out the count or the
//! values of a group of fewer than k real answers: each published figure
//! on its own, the total minus the teams shown (the rest is hidden teams
//! and respondents without a team, whose answers it yields), the rest
//! minus the respondents without a team (their number can be read off the
//! response counts), comparisons with the previous wave, hidden groups
//! named, and every surface against the others. It knows the truth only to
//! say whether what it worked out is a group of fewer than k.

use std::collections::BTreeMap;

use earshot::domain::satisfaction::Satisfaction;
use serde_json::Value;

/// The real answers of one question, by cell.
#[derive(Debug, Clone)]
pub struct TruthQuestion {
    pub id: i64,
    pub numeric: bool,
    pub kind: String,
    pub service: Option<String>,
    pub by_team: BTreeMap<String, u32>,
    pub without_team: u32,
}

impl TruthQuestion {
    pub fn real(&self) -> u32 {
        self.by_team.values().sum::<u32>() + self.without_team
    }
}

/// One wave as it really is.
#[derive(Debug, Clone)]
pub struct TruthWave {
    pub k: u32,
    pub closed: bool,
    pub questions: Vec<TruthQuestion>,
    /// Every team of the organisation, answering or not.
    pub teams: Vec<String>,
}

/// What the surfaces published about a wave.
pub struct Published<'a> {
    pub json: &'a Value,
    pub csv: &'a str,
    pub html: &'a str,
    /// What the dashboard, service pages and summaries show, over the
    /// previous wave (if any) and this one, in that order.
    pub satisfaction: &'a Satisfaction,
    /// The summary's "held back for anonymity" lines for this wave.
    pub held_back: &'a [String],
}

/// Everything published about one question, from every surface.
#[derive(Debug, Default)]
struct Known {
    overall: Option<u64>,
    teams: BTreeMap<String, u64>,
    /// Some teams (or respondents without one) are hidden.
    others_hidden: bool,
    /// The previous wave's question this one was compared with.
    compared_with: Option<i64>,
}

fn n_of(value: &Value) -> Option<u64> {
    value.get("n").and_then(Value::as_u64)
}

/// Everything the JSON and the CSV say, merged (a surface that says more
/// than another is itself a leak, and shows up as one).
fn known(published: &Published<'_>, leaks: &mut Vec<String>) -> BTreeMap<i64, Known> {
    let mut known: BTreeMap<i64, Known> = BTreeMap::new();
    for question in published.json["questions"].as_array().into_iter().flatten() {
        let id = question["question_id"].as_i64().unwrap();
        let entry = known.entry(id).or_default();
        entry.overall = n_of(question);
        for row in question["breakdowns"]["team"]
            .as_array()
            .into_iter()
            .flatten()
        {
            entry.teams.insert(
                row["group"].as_str().unwrap().to_owned(),
                n_of(row).unwrap(),
            );
        }
        entry.compared_with = question["previous"]["question_id"].as_i64();
        entry.others_hidden = question["breakdowns"]["others_hidden"] == true;
    }
    for row in published.json["breakdowns"]["service"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let id = row["question_id"].as_i64().unwrap();
        let entry = known.entry(id).or_default();
        if let Some(n) = n_of(row) {
            merge(&mut entry.overall, n, id, "service row", leaks);
        }
        if let Some(previous) = row["previous"]["question_id"].as_i64() {
            entry.compared_with = Some(previous);
        }
    }
    for line in published.csv.lines().skip(1) {
        let fields: Vec<String> = line
            .trim_matches('"')
            .split("\",\"")
            .map(|field| field.replace("\"\"", "\""))
            .collect();
        let id: i64 = fields[0].parse().unwrap();
        let Some(n) = fields[4].parse::<u64>().ok() else {
            continue;
        };
        let entry = known.entry(id).or_default();
        match fields[3].split_once(':') {
            None => merge(&mut entry.overall, n, id, "CSV", leaks),
            Some(("service", _)) => merge(&mut entry.overall, n, id, "CSV service row", leaks),
            Some((_, team)) => {
                let shown = entry.teams.insert(team.to_owned(), n);
                if shown.is_some_and(|shown| shown != n) {
                    leaks.push(format!(
                        "question {id}: the CSV and the API disagree on {team}"
                    ));
                }
            }
        }
    }
    known
}

fn merge(known: &mut Option<u64>, n: u64, id: i64, surface: &str, leaks: &mut Vec<String>) {
    match known {
        Some(shown) if *shown != n => leaks.push(format!(
            "question {id}: the {surface} says n = {n}, the API {shown}"
        )),
        _ => *known = Some(n),
    }
}

fn small(n: u64, k: u32) -> bool {
    n > 0 && n < u64::from(k)
}

/// Every way found to read a group of fewer than k real answers (or to
/// contradict another surface); empty when the wave is safe.
pub fn audit(
    wave: &TruthWave,
    previous: Option<&TruthWave>,
    published: &Published<'_>,
) -> Vec<String> {
    let mut leaks = Vec::new();
    let known = known(published, &mut leaks);
    let k = wave.k;
    for question in &wave.questions {
        let Some(facts) = known.get(&question.id) else {
            continue;
        };
        let id = question.id;
        if let Some(n) = facts.overall {
            if n != u64::from(question.real()) {
                leaks.push(format!(
                    "question {id}: n = {n} but {} answered",
                    question.real()
                ));
            }
            if small(n, k) {
                leaks.push(format!("question {id}: a figure of {n} answers is shown"));
            }
        } else if !facts.teams.is_empty() || facts.compared_with.is_some() {
            leaks.push(format!(
                "question {id} is hidden, yet rows or a comparison are shown"
            ));
        }
        if !wave.closed && !facts.teams.is_empty() {
            leaks.push(format!("question {id}: team rows while answers can arrive"));
        }
        for (team, n) in &facts.teams {
            let truth = question.by_team.get(team).copied().unwrap_or(0);
            if *n != u64::from(truth) {
                leaks.push(format!(
                    "question {id}: {team} shown with n = {n}, {truth} answered"
                ));
            }
            if small(*n, k) {
                leaks.push(format!("question {id}: {team} is shown with {n} answers"));
            }
        }
        if let Some(overall) = facts.overall {
            let shown: u64 = facts.teams.values().sum();
            let rest = overall.saturating_sub(shown);
            if small(rest, k) {
                leaks.push(format!(
                    "question {id}: total {overall} − teams shown {shown} = {rest} answers, with their values"
                ));
            }
            let rest_of_teams = rest.saturating_sub(u64::from(question.without_team));
            if !facts.teams.is_empty() && small(rest_of_teams, k) {
                leaks.push(format!(
                    "question {id}: total − teams shown − {} without a team = {rest_of_teams} answers of hidden teams",
                    question.without_team
                ));
            }
        }
        if let Some(earlier) = facts.compared_with {
            let before = previous.and_then(|previous| {
                previous
                    .questions
                    .iter()
                    .find(|q| q.id == earlier)
                    .map(|q| (q.real(), previous.k))
            });
            match before {
                Some((real, previous_k)) if small(u64::from(real), previous_k) || real == 0 => {
                    leaks.push(format!(
                        "question {id}: compared with a previous figure of {real} answers"
                    ))
                }
                None => leaks.push(format!("question {id}: compared with an unknown question")),
                _ => {}
            }
        }
    }
    named_hidden_teams(wave, &known, published, &mut leaks);
    surfaces_agree(wave, previous, &known, published, &mut leaks);
    leaks
}

/// A hidden team named anywhere says its people answered.
fn named_hidden_teams(
    wave: &TruthWave,
    known: &BTreeMap<i64, Known>,
    published: &Published<'_>,
    leaks: &mut Vec<String>,
) {
    let json = published.json.to_string();
    for team in &wave.teams {
        let shown = known.values().any(|facts| facts.teams.contains_key(team));
        if shown {
            continue;
        }
        for (surface, text) in [
            ("API", json.as_str()),
            ("CSV", published.csv),
            ("page", published.html),
        ] {
            if text.contains(team.as_str()) {
                leaks.push(format!("the {surface} names the hidden team {team}"));
            }
        }
    }
}

/// What the dashboard, service pages and summaries read must be figures
/// the results show, and the summary must hold back what the results hide.
fn surfaces_agree(
    wave: &TruthWave,
    previous: Option<&TruthWave>,
    known: &BTreeMap<i64, Known>,
    published: &Published<'_>,
    leaks: &mut Vec<String>,
) {
    let index = usize::from(previous.is_some());
    let satisfaction = published.satisfaction;
    let shown_ns: Vec<u64> = known.values().filter_map(|facts| facts.overall).collect();
    let mut figures: Vec<(String, u32)> = Vec::new();
    for (name, estimate) in [
        ("NPS", satisfaction.nps.get(index)),
        ("CES", satisfaction.ces.get(index)),
    ] {
        if let Some(Some(estimate)) = estimate {
            figures.push((name.to_owned(), estimate.n));
        }
    }
    for row in &satisfaction.services {
        if let Some(Some(estimate)) = row.csat.get(index) {
            figures.push((format!("CSAT {}", row.service), estimate.n));
        }
    }
    for (name, n) in figures {
        if small(u64::from(n), wave.k) {
            leaks.push(format!("the dashboard shows {name} over {n} answers"));
        }
        if !shown_ns.contains(&u64::from(n)) {
            leaks.push(format!(
                "the dashboard shows {name} (n = {n}), which the results do not"
            ));
        }
    }
    let mut hidden: Vec<String> = wave
        .questions
        .iter()
        .filter(|question| question.numeric)
        .filter_map(|question| {
            let kind = question.kind.to_uppercase();
            let about = match &question.service {
                Some(service) => format!("{kind} for {service}"),
                None => kind,
            };
            match known.get(&question.id) {
                Some(facts) if facts.overall.is_some() => facts.others_hidden.then(|| {
                    format!(
                        "{about}, by team: some teams (fewer than {} answers, or recoverable from those shown)",
                        wave.k
                    )
                }),
                _ => Some(format!("{about}: fewer than {} answers", wave.k)),
            }
        })
        .collect();
    hidden.sort();
    let mut held_back = published.held_back.to_vec();
    held_back.sort();
    if hidden != held_back {
        leaks.push(format!(
            "the summary holds back {held_back:?}, the results page hides {hidden:?}"
        ));
    }
}
