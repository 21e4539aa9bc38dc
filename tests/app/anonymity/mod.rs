//! Anonymity holds against someone who tries: a regression test for each
//! finding of the disclosure review (issue 11), named `finding_N_…`, and
//! an auditor that tries every subtraction on generated surveys.

mod at_rest;
mod audit;
mod end_to_end;
mod generate;
mod links;
mod property;
mod results;
mod search;

use serde_json::{Value, json};

use crate::helpers::{Api, TEAM, TestApp};
use crate::surveys::{answer, open_and_invite, post};

/// An open survey with its question ids and each invitee's mailed link.
pub struct Wave {
    pub id: i64,
    pub questions: Vec<i64>,
    pub links: Vec<(String, String)>,
}

impl Wave {
    /// Opens `body` as a survey and invites `emails`.
    pub async fn open(app: &TestApp, body: Value, emails: &[String]) -> Wave {
        let (id, questions, links) = open_and_invite(app, &app.api(TEAM), body, emails).await;
        Wave {
            id,
            questions,
            links,
        }
    }

    /// The links of the people whose address starts with `team`.
    pub fn links_of<'a>(&'a self, team: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.links
            .iter()
            .filter(move |(email, _)| email.starts_with(team))
            .map(|(_, token)| token.as_str())
    }

    /// A new open link of the survey.
    pub async fn open_link(&self, team: &Api) -> String {
        let link: Value = post(
            team,
            &format!("/api/v1/surveys/{}/open-link", self.id),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
        link["token"].as_str().unwrap().to_owned()
    }
}

/// Answers `value` to question `question` (or "not applicable" for `None`)
/// through each of `links`.
pub async fn rate(
    app: &TestApp,
    links: impl IntoIterator<Item = &str>,
    question: i64,
    value: Option<u8>,
) {
    for link in links {
        let item = match value {
            Some(value) => json!({"question_id": question, "value": value}),
            None => json!({"question_id": question, "not_applicable": true}),
        };
        let status = answer(app, link, json!([item])).await;
        assert!(status.is_success(), "answering through {link}: {status}");
    }
}

/// The results CSV of survey `id`.
pub async fn csv(team: &Api, id: i64) -> String {
    team.get(&format!("/api/v1/surveys/{id}/results.csv"))
        .await
        .text()
        .await
        .unwrap()
}
