//! Reliability on a service's page: where its figures come from, the last
//! pull from Prometheus (a failure in plain words), and for the platform
//! team the forms to type a month, paste a CSV, set the PromQL and pull
//! now; and the team's PromQL template.

use maud::{Markup, html};

use super::{Chrome, csrf_field, date_time, layout};
use crate::domain::reliability::PullStatus;
use crate::domain::reliability::{CSV_HEADER, ReliabilityQueries};

/// What the reliability part of a service's page shows.
pub struct ReliabilitySection {
    pub slug: String,
    /// The last pull from Prometheus, if any.
    pub pull: Option<PullStatus>,
    /// The Prometheus pulled from, when one is configured.
    pub prometheus: Option<String>,
    /// The service's own PromQL, and the team's template it falls back to.
    pub queries: ReliabilityQueries,
    pub template: ReliabilityQueries,
    pub can_edit: bool,
}

fn pull_line(section: &ReliabilitySection) -> Markup {
    html! {
        @match (&section.pull, &section.prometheus) {
            (Some(pull), _) if pull.error.is_some() => {
                div.error-summary role="status" {
                    p {
                        strong { "The last pull from Prometheus failed" } " (" (date_time(pull.attempted_at)) "): "
                        (pull.error.as_deref().unwrap_or_default())
                    }
                    p {
                        "The figures shown are as they were"
                        @match pull.succeeded_at {
                            Some(at) => { ", from the last pull that worked (" (date_time(at)) ")." }
                            None => { "; no pull has worked yet." }
                        }
                    }
                }
            }
            (Some(pull), Some(url)) => {
                p.hint { "Last pulled from Prometheus (" (url) ") " (date_time(pull.attempted_at)) "; typed, imported and API figures are kept where Prometheus has none." }
            }
            (_, Some(url)) => { p.hint { "Earshot pulls from Prometheus (" (url) ") on a schedule, once this service has PromQL (its own or the team's " a href="/reliability" { "template" } ")." } }
            (_, None) => { p.hint { "Figures come from the API, this page and CSV imports; Earshot pulls them from Prometheus when started with --prometheus-url." } }
        }
    }
}

fn query_fields(queries: &ReliabilityQueries, placeholders: &ReliabilityQueries) -> Markup {
    html! {
        @for (field, label, value, placeholder) in [
            ("slo_attainment", "SLO attainment (a share from 0 to 1)", &queries.slo_attainment, &placeholders.slo_attainment),
            ("error_budget_remaining", "Error budget left (a share of the budget)", &queries.error_budget_remaining, &placeholders.error_budget_remaining),
            ("incidents", "Incidents in the month", &queries.incidents, &placeholders.incidents),
        ] {
            label for=(field) { (label) }
            textarea id=(field) name=(field) rows="2" placeholder=(placeholder) { (value) }
        }
    }
}

/// The reliability part of a service's page (the figures themselves are
/// on its time axis and in the table behind it).
pub fn section(chrome: &Chrome<'_>, section: &ReliabilitySection) -> Markup {
    let slug = &section.slug;
    html! {
        h2 #reliability { "Reliability" }
        (pull_line(section))
        @if section.can_edit {
            details.triage {
                summary { "Enter a month's figures" }
                form method="post" action={ "/services/" (slug) "/reliability" } {
                    (csrf_field(chrome.csrf))
                    label for="period" { "Month" }
                    input #period type="month" name="period" required placeholder="2026-05";
                    label for="slo_attainment_percent" { "SLO attainment (%)" }
                    input #slo_attainment_percent type="text" inputmode="decimal" name="slo_attainment_percent" placeholder="99.87";
                    label for="error_budget_remaining_percent" { "Error budget left (% of the budget, below 0 when overspent)" }
                    input #error_budget_remaining_percent type="text" inputmode="decimal" name="error_budget_remaining_percent" placeholder="42";
                    label for="incidents" { "Incidents" }
                    input #incidents type="text" inputmode="numeric" name="incidents" placeholder="0";
                    p { button type="submit" { "Save the month" } }
                }
            }
            details.triage {
                summary { "Paste or import months as CSV" }
                form method="post" action={ "/services/" (slug) "/reliability/import" } {
                    (csrf_field(chrome.csrf))
                    label for="csv" { "CSV with the header " code { (CSV_HEADER.join(",")) } }
                    textarea #csv name="csv" rows="6" placeholder={ (CSV_HEADER.join(",")) "\n2026-04,99.91,64,1" } {}
                    p.hint { "Percentages; an empty cell keeps no figure. All rows are saved, or none. Tools can post the same CSV to " code { "/api/v1/services/" (slug) "/reliability.csv" } "." }
                    p { button type="submit" { "Import" } }
                }
            }
            details.triage {
                summary { "PromQL for this service" }
                form method="post" action={ "/services/" (slug) "/reliability/queries" } {
                    (csrf_field(chrome.csrf))
                    p.hint { "Each is evaluated at the end of the month (or now, for this month) and must give one number. " code { "$window" } " is the month so far, for ranges like " code { "[$window]" } "; " code { "$service" } " is the label below. Empty: the team's " a href="/reliability" { "template" } " (shown greyed)." }
                    label for="service_label" { "$service stands for " span.hint { "(empty: " (slug) ")" } }
                    input #service_label type="text" name="service_label" value=(section.queries.service_label) placeholder=(slug);
                    (query_fields(&section.queries, &section.template))
                    p { button type="submit" { "Save the PromQL" } }
                }
                @if section.prometheus.is_some() {
                    form method="post" action={ "/services/" (slug) "/reliability/pull" } {
                        (csrf_field(chrome.csrf))
                        button type="submit" { "Pull from Prometheus now" }
                    }
                }
            }
        }
    }
}

/// The team's PromQL template for every service.
pub fn template_page(
    chrome: &Chrome<'_>,
    template: &ReliabilityQueries,
    prometheus: Option<&str>,
) -> Markup {
    let examples = ReliabilityQueries {
        service_label: String::new(),
        slo_attainment: r#"1 - slo:sli_error:ratio_rate30d{sloth_service="$service"}"#.into(),
        error_budget_remaining:
            r#"slo:period_error_budget_remaining:ratio{sloth_service="$service"}"#.into(),
        incidents: r#"sum(increase(incidents_total{service="$service"}[$window]))"#.into(),
    };
    layout(
        "Reliability from Prometheus",
        chrome,
        html! {
            p.back { a href="/services" { "← Services" } }
            h1 { "Reliability from Prometheus" }
            @match prometheus {
                Some(url) => { p { "Earshot pulls from " code { (url) } " at start and on a schedule, each service's month so far and the month before." } }
                None => { p { "No Prometheus is configured: start Earshot with " code { "--prometheus-url" } " (and " code { "--prometheus-bearer-token" } " if it needs one)." } }
            }
            p { "The template is used for every service that has no PromQL of its own, with " code { "$service" } " replaced by the service's label (its slug unless set on its page) and " code { "$window" } " by the month so far. Recording rules such as Sloth's or Pyrra's fit well; the placeholders show Sloth's." }
            form method="post" action="/reliability" {
                (csrf_field(chrome.csrf))
                (query_fields(template, &examples))
                p { button type="submit" { "Save the template" } }
            }
        },
    )
}
