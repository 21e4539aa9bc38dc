//! The only HTTP client to Prometheus: instant queries through its HTTP
//! API (`GET /api/v1/query?query=…&time=…`), with an optional bearer token
//! and a timeout, answered as one number or none. Failures are
//! [`PullError`]s that say what happened in words a service page can show;
//! the token is never logged or shown.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::config::PrometheusSettings;
use crate::error::{Error, Result};

/// Why a query gave no figure, as shown on the service page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PullError(pub String);

/// A Prometheus server to ask.
#[derive(Clone)]
pub struct Prometheus {
    http: http_client::Client,
    /// The base URL, without a trailing slash.
    base: String,
    token: Option<String>,
    timeout: Duration,
}

#[derive(Deserialize)]
struct Answer {
    status: String,
    #[serde(default)]
    data: Option<Data>,
    #[serde(default, rename = "errorType")]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "resultType")]
    result_type: String,
    result: serde_json::Value,
}

#[derive(Deserialize)]
struct Sample {
    value: (f64, String),
}

impl Prometheus {
    pub fn new(settings: &PrometheusSettings) -> Result<Prometheus> {
        let http = http_client::Client::builder()
            // A redirect could carry the token somewhere else.
            .redirect(http_client::redirect::Policy::none())
            .timeout(settings.timeout)
            .build()
            .map_err(|error| {
                Error::Internal(format!("cannot build the Prometheus client: {error}"))
            })?;
        Ok(Prometheus {
            http,
            base: settings.url.trim_end_matches('/').to_owned(),
            token: settings.bearer_token.as_ref().map(|token| token.0.clone()),
            timeout: settings.timeout,
        })
    }

    /// Where it asks, for the page that says so.
    pub fn url(&self) -> &str {
        &self.base
    }

    /// Evaluates `expression` at `at`: its one number, or `None` when the
    /// answer is empty or not a number (NaN, as 0/0 gives for a month
    /// without traffic).
    pub async fn query(
        &self,
        expression: &str,
        at: DateTime<Utc>,
    ) -> std::result::Result<Option<f64>, PullError> {
        let time = format!("{:.3}", at.timestamp_millis() as f64 / 1000.0);
        let mut request = self
            .http
            .get(format!("{}/api/v1/query", self.base))
            .query(&[("query", expression), ("time", time.as_str())]);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .map_err(|error| self.unreachable(error))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|error| self.unreachable(error))?;
        // Prometheus explains a refused query in a JSON body (400, 422, 503).
        let answer: Option<Answer> = serde_json::from_slice(&body).ok();
        match answer {
            Some(answer) if answer.status == "success" => value(answer.data),
            Some(answer) => Err(PullError(format!(
                "Prometheus refused the query ({status}): {}: {}",
                answer.error_type.as_deref().unwrap_or("error"),
                answer.error.as_deref().unwrap_or("no reason given")
            ))),
            None => Err(PullError(format!(
                "Prometheus at {} answered {status} without a query result",
                self.base
            ))),
        }
    }

    fn unreachable(&self, error: http_client::Error) -> PullError {
        if error.is_timeout() {
            PullError(format!(
                "Prometheus at {} did not answer within {} s",
                self.base,
                self.timeout.as_secs_f64()
            ))
        } else if error.is_connect() {
            PullError(format!("cannot connect to Prometheus at {}", self.base))
        } else {
            PullError(format!(
                "the request to Prometheus at {} failed: {}",
                self.base,
                error.without_url()
            ))
        }
    }
}

/// The one number of a vector or scalar result.
fn value(data: Option<Data>) -> std::result::Result<Option<f64>, PullError> {
    let Some(data) = data else {
        return Err(PullError("Prometheus answered without data".into()));
    };
    let number = |raw: &str| raw.parse::<f64>().ok().filter(|value| value.is_finite());
    match data.result_type.as_str() {
        "scalar" => {
            let (_, raw): (f64, String) = serde_json::from_value(data.result)
                .map_err(|_| PullError("Prometheus answered a scalar without a value".into()))?;
            Ok(number(&raw))
        }
        "vector" => {
            let samples: Vec<Sample> = serde_json::from_value(data.result)
                .map_err(|_| PullError("Prometheus answered a vector without values".into()))?;
            match samples.as_slice() {
                [] => Ok(None),
                [sample] => Ok(number(&sample.value.1)),
                many => Err(PullError(format!(
                    "the query gives {} series; make it give one (for example with sum(…))",
                    many.len()
                ))),
            }
        }
        other => Err(PullError(format!(
            "the query gives a {other}; it must give one number (an instant vector of one series, or a scalar)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(kind: &str, result: serde_json::Value) -> Option<Data> {
        Some(Data {
            result_type: kind.into(),
            result,
        })
    }

    #[test]
    fn one_number_comes_out_of_a_vector_or_a_scalar() {
        let one = serde_json::json!([{"metric": {}, "value": [1.0, "0.9987"]}]);
        assert_eq!(value(data("vector", one)), Ok(Some(0.9987)));
        assert_eq!(
            value(data("scalar", serde_json::json!([1.0, "3"]))),
            Ok(Some(3.0))
        );
        assert_eq!(value(data("vector", serde_json::json!([]))), Ok(None));
        let nan = serde_json::json!([{"metric": {}, "value": [1.0, "NaN"]}]);
        assert_eq!(value(data("vector", nan)), Ok(None));
        let two = serde_json::json!([
            {"metric": {"a": "1"}, "value": [1.0, "1"]},
            {"metric": {"a": "2"}, "value": [1.0, "2"]}
        ]);
        assert!(
            value(data("vector", two))
                .unwrap_err()
                .0
                .contains("2 series")
        );
        assert!(value(data("matrix", serde_json::json!([]))).is_err());
    }
}
