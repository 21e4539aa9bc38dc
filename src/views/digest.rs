//! Satisfaction summary emails: HTML with tables and inline styles that
//! common mail clients render (no SVG, no external images), and a
//! plain-text alternative with the same content.

use maud::{DOCTYPE, Markup, PreEscaped, html};

/// On a narrow screen: less padding, tighter cells, long words wrapped
/// (mail clients that drop `<style>` still get the fluid 640 px layout).
const PHONE_STYLE: PreEscaped<&str> = PreEscaped(
    "@media (max-width: 480px) { body { padding: 4px !important; } \
     td, th { padding: 4px 6px !important; font-size: 13px !important; word-break: break-word; } \
     h1 { font-size: 18px !important; } }",
);

use crate::domain::digest::{DiscoveryActivity, PUBLIC_SECTIONS, Period, Section, ServiceVolume};
use crate::domain::stats::{Comparison, Estimate};

/// The survey wave that closed in the period, as the summary reports it.
pub struct WaveReport {
    pub title: String,
    pub nps: Option<Estimate>,
    pub ces: Option<Estimate>,
    /// CSAT per service in scope, with the change since the previous wave.
    pub services: Vec<(String, Estimate, Option<Comparison>)>,
    pub invited: u32,
    pub responses: u32,
    /// What was left out because too few people answered, one line each
    /// ("CSAT for ci-runner: fewer than 5 answers").
    pub suppressed: Vec<String>,
}

/// What one summary says.
pub struct Summary<'a> {
    pub period: &'a Period,
    /// "the week to 23 Nov" and the like, in the subscriber's terms.
    pub period_label: String,
    pub volumes: &'a [ServiceVolume],
    pub discovery: &'a DiscoveryActivity,
    pub satisfaction: Option<&'a WaveReport>,
    pub public_url: &'a str,
    pub unsubscribe_url: &'a str,
    /// The sections this subscriber gets (never empty: all when none was chosen).
    pub sections: Vec<Section>,
}

impl Summary<'_> {
    fn shows(&self, section: Section) -> bool {
        self.sections.contains(&section)
    }

    /// Where "read it all" leads: a page this reader can open.
    fn read_more_path(&self) -> &'static str {
        if self
            .sections
            .iter()
            .all(|section| PUBLIC_SECTIONS.contains(section))
        {
            "/shipped"
        } else {
            "/dashboard"
        }
    }

    fn volumes(&self) -> &[ServiceVolume] {
        if self.shows(Section::Feedback) {
            self.volumes
        } else {
            &[]
        }
    }

    fn satisfaction(&self) -> Option<&WaveReport> {
        self.satisfaction
            .filter(|_| self.shows(Section::Satisfaction))
    }

    fn shipped(&self) -> &[(String, Vec<String>)] {
        if self.shows(Section::Shipped) {
            &self.discovery.shipped
        } else {
            &[]
        }
    }

    fn new_pain_points(&self) -> &[(i64, String)] {
        if self.shows(Section::PainPoints) {
            &self.discovery.new_pain_points
        } else {
            &[]
        }
    }

    fn growing_pain_points(&self) -> &[(i64, String, i64)] {
        if self.shows(Section::PainPoints) {
            &self.discovery.growing_pain_points
        } else {
            &[]
        }
    }

    fn interviews_held(&self) -> Option<i64> {
        self.shows(Section::Interviews)
            .then_some(self.discovery.interviews_held)
    }

    /// Whether there is anything to report in the chosen sections; an empty
    /// period sends nothing.
    pub fn is_empty(&self) -> bool {
        self.volumes().is_empty()
            && self.new_pain_points().is_empty()
            && self.growing_pain_points().is_empty()
            && self.shipped().is_empty()
            && self.interviews_held().unwrap_or(0) == 0
            && self.satisfaction().is_none()
    }

    fn total(&self) -> u64 {
        self.volumes.iter().map(|volume| volume.count).sum()
    }

    pub fn subject(&self) -> String {
        if self.shows(Section::Feedback) {
            format!(
                "Earshot: {} feedback items, {}",
                self.total(),
                self.period_label
            )
        } else {
            format!("Earshot summary, {}", self.period_label)
        }
    }

    pub fn text(&self) -> String {
        let mut text = format!(
            "What internal users told the platform team, {}.\n",
            self.period_label
        );
        if self.shows(Section::Feedback) {
            text.push_str(&format!("\nFeedback received: {}\n\n", self.total()));
            for volume in self.volumes() {
                text.push_str(&format!(
                    "  {:<28} {:>5}   average rating {}\n",
                    volume.name,
                    volume.count,
                    rating(volume.average_rating)
                ));
            }
        }
        if let Some(wave) = self.satisfaction() {
            text.push_str(&format!(
                "\nSatisfaction ({}, {} of {} invited answered):\n",
                wave.title, wave.responses, wave.invited
            ));
            if let Some(nps) = &wave.nps {
                text.push_str(&format!("  NPS {}\n", with_interval(nps, "")));
            }
            if let Some(ces) = &wave.ces {
                text.push_str(&format!("  CES {}\n", with_interval(ces, "")));
            }
            for (service, csat, change) in &wave.services {
                text.push_str(&format!(
                    "  CSAT {service:<20} {}{}\n",
                    with_interval(csat, "%"),
                    mover(change.as_ref())
                ));
            }
            if wave.suppressed.is_empty() {
                text.push_str("  Nothing was held back for anonymity.\n");
            } else {
                text.push_str("  Held back for anonymity (too few answers to report):\n");
                for line in &wave.suppressed {
                    text.push_str(&format!("    {line}\n"));
                }
            }
        }
        if !self.shipped().is_empty() {
            text.push_str("\nShipped (you said, we did):\n");
            for (title, answered) in self.shipped() {
                text.push_str(&format!("  {title}: answers {}\n", answered.join("; ")));
            }
        }
        if !self.new_pain_points().is_empty() {
            text.push_str("\nNew pain points:\n");
            for (_, title) in self.new_pain_points() {
                text.push_str(&format!("  {title}\n"));
            }
        }
        if !self.growing_pain_points().is_empty() {
            text.push_str("\nPain points that gained the most evidence:\n");
            for (_, title, added) in self.growing_pain_points() {
                text.push_str(&format!("  {title} (+{added})\n"));
            }
        }
        if let Some(held) = self.interviews_held() {
            text.push_str(&format!("\nInterviews held: {held}\n"));
        }
        text.push_str(&format!(
            "\nRead it all: {}{}\n\nUnsubscribe: {}\n",
            self.public_url,
            self.read_more_path(),
            self.unsubscribe_url
        ));
        text
    }

    pub fn html(&self) -> Markup {
        let cell = "padding:6px 10px;border-bottom:1px solid #dde2ea;text-align:left;";
        let heading = "font-size:16px;margin:16px 0 4px;";
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    // Phones render the message at their own width, not zoomed out.
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    meta name="x-apple-disable-message-reformatting";
                    title { (self.subject()) }
                    style { (PHONE_STYLE) }
                }
                body style="margin:0;padding:16px;background:#f5f7fa;font-family:Arial,Helvetica,sans-serif;color:#1d2330;" {
                    table role="presentation" width="100%" style="max-width:640px;margin:0 auto;background:#ffffff;border:1px solid #dde2ea;border-collapse:collapse;" {
                        tr { td style="padding:16px 20px;" {
                            h1 style="font-size:20px;margin:0 0 4px;" { "Earshot summary" }
                            p style="margin:0 0 16px;color:#5d6678;" { "What internal users told the platform team, " (self.period_label) "." }
                            @if self.shows(Section::Feedback) {
                                p style="font-size:16px;margin:0 0 12px;" { strong { (self.total()) } " feedback items received" }
                                table role="presentation" width="100%" style="border-collapse:collapse;font-size:14px;" {
                                    tr {
                                        th style=(cell) { "Service" }
                                        th style=(cell) { "Feedback" }
                                        th style=(cell) { "Average rating" }
                                    }
                                    @for volume in self.volumes() {
                                        tr {
                                            td style=(cell) { (volume.name) }
                                            td style=(cell) { (volume.count) }
                                            td style=(cell) { (rating(volume.average_rating)) }
                                        }
                                    }
                                }
                            }
                            @if let Some(wave) = self.satisfaction() {
                                h2 style=(heading) { "Satisfaction: " (wave.title) }
                                p style="margin:0 0 8px;color:#5d6678;" { (wave.responses) " of " (wave.invited) " invited answered." }
                                table role="presentation" width="100%" style="border-collapse:collapse;font-size:14px;" {
                                    @if let Some(nps) = &wave.nps { tr { td style=(cell) { "NPS" } td style=(cell) { (with_interval(nps, "")) } td style=(cell) {} } }
                                    @if let Some(ces) = &wave.ces { tr { td style=(cell) { "CES" } td style=(cell) { (with_interval(ces, "")) } td style=(cell) {} } }
                                    @for (service, csat, change) in &wave.services {
                                        tr {
                                            td style=(cell) { "CSAT " (service) }
                                            td style=(cell) { (with_interval(csat, "%")) }
                                            td style=(cell) { (mover(change.as_ref())) }
                                        }
                                    }
                                }
                                @if wave.suppressed.is_empty() {
                                    p style="margin:4px 0 0;font-size:12px;color:#5d6678;" { "Nothing was held back for anonymity." }
                                } @else {
                                    p style="margin:4px 0 0;font-size:12px;color:#5d6678;" { "Held back for anonymity (too few answers to report):" }
                                    ul style="margin:2px 0 0;font-size:12px;color:#5d6678;" { @for line in &wave.suppressed { li { (line) } } }
                                }
                            }
                            @if !self.shipped().is_empty() {
                                h2 style=(heading) { "Shipped: you said, we did" }
                                ul { @for (title, answered) in self.shipped() { li { strong { (title) } ": answers " (answered.join("; ")) } } }
                            }
                            @if !self.new_pain_points().is_empty() {
                                h2 style=(heading) { "New pain points" }
                                ul { @for (_, title) in self.new_pain_points() { li { (title) } } }
                            }
                            @if !self.growing_pain_points().is_empty() {
                                h2 style=(heading) { "Gaining evidence" }
                                ul { @for (_, title, added) in self.growing_pain_points() { li { (title) " (+" (added) ")" } } }
                            }
                            @if let Some(held) = self.interviews_held() {
                                p style="margin:12px 0 0;" { "Interviews held: " (held) }
                            }
                            p style="margin:16px 0 0;" {
                                a href={ (self.public_url) (self.read_more_path()) } style="color:#2456c7;" { "Read it all in Earshot" }
                            }
                        } }
                        tr { td style="padding:12px 20px;font-size:12px;color:#5d6678;border-top:1px solid #dde2ea;" {
                            "You get this because someone subscribed this address to Earshot summaries. "
                            a href=(self.unsubscribe_url) style="color:#5d6678;" { "Unsubscribe" }
                        } }
                    }
                }
            }
        }
    }
}

fn with_interval(estimate: &Estimate, unit: &str) -> String {
    match &estimate.interval {
        Some(interval) => format!(
            "{:.0}{unit} (95% {:.0}–{:.0}{unit}, n = {})",
            estimate.score, interval.low, interval.high, estimate.n
        ),
        None => format!("{:.0}{unit} (n = {})", estimate.score, estimate.n),
    }
}

/// Only significant changes are called movers.
fn mover(change: Option<&Comparison>) -> String {
    match change {
        Some(change) if change.significant => format!("  mover: {:+.0} pts", change.delta),
        _ => String::new(),
    }
}

fn rating(average: Option<f64>) -> String {
    average.map_or_else(|| "–".to_owned(), |average| format!("{average:.1} / 5"))
}

/// The "you said, we did" message: subject, text and HTML.
pub fn shipped_message(
    item: &crate::domain::roadmap::RoadmapItem,
    name: &str,
    public_url: &str,
    opt_out_url: &str,
) -> (String, String, String) {
    let subject = format!("Shipped: {}", item.title);
    let answered: Vec<&str> = item
        .pain_points
        .iter()
        .map(|(_, title)| title.as_str())
        .collect();
    let text = format!(
        "Hi {name},\n\nYou told the platform team about this, and it has shipped: {}.\n\n{}It answers: {}.\n\nWhat shipped: {public_url}/shipped\n\nNo more of these messages: {opt_out_url}\n",
        item.title,
        if item.description.is_empty() {
            String::new()
        } else {
            format!("{}\n\n", item.description)
        },
        answered.join("; ")
    );
    let html = html! {
        (DOCTYPE)
        html {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (subject) }
            }
            body style="font-family:Arial,Helvetica,sans-serif;color:#1d2330;" {
                p { "Hi " (name) "," }
                p { "You told the platform team about this, and it has shipped: " strong { (item.title) } "." }
                @if !item.description.is_empty() { p { (item.description) } }
                p { "It answers: " (answered.join("; ")) "." }
                p { a href={ (public_url) "/shipped" } style="color:#2456c7;" { "See what shipped" } }
                p style="font-size:12px;color:#5d6678;" { a href=(opt_out_url) style="color:#5d6678;" { "No more of these messages" } }
            }
        }
    }
    .into_string();
    (subject, text, html)
}
