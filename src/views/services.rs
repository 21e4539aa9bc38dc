//! The catalog and a service's page, with inline SVG charts (no script).

use chrono::{DateTime, Utc};
use maud::{Markup, html};

use super::{Chrome, csrf_field, date, error_summary, field_error, layout};
use crate::domain::FieldErrors;
use crate::domain::feedback::Feedback;
use crate::domain::pain_point::{PainPoint, impact};
use crate::domain::roadmap::RoadmapItem;
use crate::domain::service::{MonthlyFeedback, Reliability, Service};
use crate::domain::stats::Estimate;

pub struct ServicePage {
    /// When the page is rendered: its time axis ends this month.
    pub now: DateTime<Utc>,
    pub service: Service,
    /// Newest month first.
    pub reliability: Vec<Reliability>,
    /// Where the figures come from, the last pull, and the forms.
    pub reliability_section: super::reliability::ReliabilitySection,
    /// Oldest month first.
    pub months: Vec<MonthlyFeedback>,
    pub recent: Vec<Feedback>,
    /// Pain points linked to this service or with evidence about it, highest
    /// impact first (the ten first; none for contributors).
    pub top_pain_points: Vec<PainPoint>,
    /// Roadmap items linked to this service or answering its pain points
    /// (for contributors, only what shipped).
    pub roadmap: Vec<RoadmapItem>,
    /// The headline series' name, its waves' labels and when they opened,
    /// and this service's CSAT in each, when its waves asked.
    pub satisfaction: Option<SeriesCsat>,
    /// The platform team edits the catalog; admins delete from it.
    pub can_edit: bool,
    pub can_delete: bool,
    /// Problems with the edit or delete form that came back.
    pub errors: FieldErrors,
    /// The edit form as typed, when it came back.
    pub typed: Option<ServiceEdit>,
}

/// A series' name, its waves (label, opened) and a service's CSAT in each.
pub type SeriesCsat = (String, Vec<(String, DateTime<Utc>)>, Vec<Option<Estimate>>);

/// The edit form's values, as typed.
#[derive(Debug, Clone, Default)]
pub struct ServiceEdit {
    pub name: String,
    pub description: String,
    pub owner_team: String,
    pub tier: String,
    pub slo_percent: String,
    pub slo_window_days: String,
    pub runbook_url: String,
    pub dashboard_url: String,
}

impl ServiceEdit {
    fn of(service: &Service) -> ServiceEdit {
        ServiceEdit {
            name: service.name.clone(),
            description: service.description.clone(),
            owner_team: service.owner_team.clone().unwrap_or_default(),
            tier: service.tier.to_string(),
            slo_percent: service
                .slo_target
                .map(|target| format!("{}", target * 100.0))
                .unwrap_or_default(),
            slo_window_days: service
                .slo_window_days
                .map(|days| days.to_string())
                .unwrap_or_default(),
            runbook_url: service.runbook_url.clone().unwrap_or_default(),
            dashboard_url: service.dashboard_url.clone().unwrap_or_default(),
        }
    }
}

fn percent(share: Option<f64>, decimals: usize) -> String {
    share.map_or_else(
        || "–".to_owned(),
        |share| format!("{:.*}%", decimals, share * 100.0),
    )
}

/// Only web links are shown as links: a catalog entry cannot smuggle in a
/// `javascript:` URL.
fn safe_link(url: &Option<String>) -> Option<&str> {
    url.as_deref()
        .filter(|url| url.starts_with("https://") || url.starts_with("http://"))
}

pub fn catalog(chrome: &Chrome<'_>, services: &[Service]) -> Markup {
    layout(
        "Services",
        chrome,
        html! {
            h1 { "Services" }
            table.feedback {
                thead { tr { th { "Service" } th { "Slug" } th { "Owner" } th { "Tier" } th { "SLO" } } }
                tbody {
                    @for service in services {
                        tr {
                            td data-label="Service" { a href={ "/services/" (service.slug) } { (service.name) } }
                            td data-label="Slug" { code { (service.slug) } }
                            td data-label="Owner" { (service.owner_team.as_deref().unwrap_or("–")) }
                            td data-label="Tier" { (service.tier) }
                            td data-label="SLO" { (percent(service.slo_target, 2)) }
                        }
                    }
                }
            }
        },
    )
}

/// The service's months, aligned: feedback, reliability, waves, ships.
fn timeline_months(page: &ServicePage) -> Vec<super::timeline::Month> {
    let waves: Vec<super::timeline::WavePoint<'_>> = page
        .satisfaction
        .iter()
        .flat_map(|(_, waves, csat)| {
            waves
                .iter()
                .zip(csat)
                .map(|((label, opened), csat)| super::timeline::WavePoint {
                    label,
                    opened: *opened,
                    csat: csat.as_ref(),
                })
        })
        .collect();
    let shipped: Vec<(chrono::NaiveDate, String)> = page
        .roadmap
        .iter()
        .filter_map(|item| Some((item.shipped_on?, item.title.clone())))
        .collect();
    super::timeline::months(page.now, &page.months, &page.reliability, &waves, &shipped)
}

pub fn service_page(chrome: &Chrome<'_>, page: &ServicePage) -> Markup {
    let service = &page.service;
    layout(
        &service.name,
        chrome,
        html! {
            p.back { a href="/services" { "← Services" } }
            h1 { (service.name) " " code { (service.slug) } }
            p.lede { (service.description) }
            p.meta {
                "Owner: " (service.owner_team.as_deref().unwrap_or("–")) " · tier " (service.tier)
                " · SLO " (percent(service.slo_target, 2))
                @if let Some(days) = service.slo_window_days { " over " (days) " days" }
                @if let Some(url) = safe_link(&service.runbook_url) { " · " a href=(url) { "runbook" } }
                @if let Some(url) = safe_link(&service.dashboard_url) { " · " a href=(url) { "dashboard" } }
            }
            h2 #over-time { "Over time" }
            (super::timeline::timeline(&timeline_months(page), page.satisfaction.as_ref().map(|(series, _, _)| series.as_str())))
            p.hint { "Feedback: items received each month, empty months included; the average rating (1–5) is shown once a month is over and only over at least five ratings, so that no one's rating can be read off it. CSAT: this service's score in each wave of the headline series, at the month the wave opened." }
            @if let Some((series, waves, csat)) = &page.satisfaction {
                h2 { "Satisfaction: " (series) }
                table.feedback {
                    thead { tr { th { "Wave" } th { "CSAT" } th { "95% interval" } th { "Answers" } } }
                    tbody {
                        @for ((wave, _), estimate) in waves.iter().zip(csat) {
                            @if let Some(estimate) = estimate {
                                tr {
                                    td data-label="Wave" { (wave) }
                                    td data-label="CSAT" { (format!("{:.0}%", estimate.score)) }
                                    td data-label="95% interval" {
                                        @if let Some(interval) = &estimate.interval { (format!("{:.0}–{:.0}%", interval.low, interval.high)) }
                                    }
                                    td data-label="Answers" { (estimate.n) }
                                }
                            }
                        }
                    }
                }
            }
            @if !page.top_pain_points.is_empty() {
                h2 { "Top pain points" }
                ol {
                    @for pain_point in &page.top_pain_points {
                        li { a href={ "/pain-points/" (pain_point.id) } { (pain_point.title) } " · impact " (format!("{:.0}", impact(&pain_point.parts))) }
                    }
                }
                p { a href={ "/pain-points?service=" (service.slug) } { "Pain points linked to " (service.slug) } }
            }
            @if !page.roadmap.is_empty() {
                h2 { "Roadmap" }
                ul {
                    @for item in &page.roadmap {
                        li {
                            @if page.can_edit { a href={ "/roadmap/" (item.id) } { (item.title) } } @else { a href="/shipped" { (item.title) } }
                            " · " (item.status.label())
                            @if let Some(quarter) = &item.target_quarter { " · " (quarter) }
                            @if let Some(day) = item.shipped_on { " · shipped " (day) }
                        }
                    }
                }
            }
            (super::reliability::section(chrome, &page.reliability_section))
            @if page.reliability.is_empty() {
                p { "No reliability figures yet." }
            } @else {
                p.hint { "The months' figures are on the time axis above and in its table." }
            }
            @if page.can_edit {
                @let edit = page.typed.clone().unwrap_or_else(|| ServiceEdit::of(service));
                @let errors = &page.errors;
                details.triage #edit open[!errors.is_empty()] {
                    summary { "Edit this service" }
                    (error_summary(errors))
                    form method="post" action={ "/services/" (service.slug) } {
                        (csrf_field(chrome.csrf))
                        @for (field, label, value, mode) in [
                            ("name", "Name", &edit.name, "text"),
                            ("owner_team", "Owner team (slug)", &edit.owner_team, "text"),
                            ("tier", "Tier (1–3)", &edit.tier, "numeric"),
                            ("slo_percent", "SLO target (%)", &edit.slo_percent, "decimal"),
                            ("slo_window_days", "SLO window (days)", &edit.slo_window_days, "numeric"),
                            ("runbook_url", "Runbook", &edit.runbook_url, "url"),
                            ("dashboard_url", "Dashboard", &edit.dashboard_url, "url"),
                        ] {
                            label for=(field) { (label) }
                            input id=(field) type=(if mode == "url" { "url" } else { "text" }) inputmode=[(mode != "text" && mode != "url").then_some(mode)]
                                name=(field) value=(value)
                                aria-invalid=[errors.get(field).map(|_| "true")]
                                aria-describedby=[errors.get(field).map(|_| format!("{field}-error"))];
                            (field_error(errors, field))
                        }
                        label for="description" { "Description" }
                        textarea #description name="description" rows="2" { (edit.description) }
                        (field_error(errors, "description"))
                        button type="submit" { "Save" }
                    }
                    @if page.can_delete {
                        form.delete method="post" action={ "/services/" (service.slug) "/delete" } {
                            (csrf_field(chrome.csrf))
                            p.hint { "Only a service nobody has given feedback or survey answers about can be deleted. Deleting cannot be undone." }
                            button.danger #delete type="submit" { "Delete this service" }
                            (field_error(errors, "delete"))
                        }
                    }
                }
            }
            h2 { "Latest feedback" }
            @if page.recent.is_empty() {
                p { "Nothing you may open." }
            } @else {
                ul {
                    @for item in &page.recent {
                        li {
                            a href={ "/feedback/" (item.id) } {
                                (item.title.clone().unwrap_or_else(|| item.body.chars().take(80).collect()))
                            }
                            " · " (item.kind.as_str()) " · " (date(item.created_at))
                        }
                    }
                }
            }
        },
    )
}
