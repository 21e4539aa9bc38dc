//! Survey series: the list with the headline mark and the new-series form,
//! and the form on a survey's page that makes it a wave of one.

use maud::{Markup, html};

use super::{Chrome, csrf_field, error_summary, field_error, layout};
use crate::domain::FieldErrors;
use crate::domain::series::Series;
use crate::domain::series::{SeriesCadence, WaveOf};

/// The series page; `typed` is the new-series form as typed (name, cadence).
pub fn series_page(
    chrome: &Chrome<'_>,
    series: &[Series],
    typed: (&str, &str),
    errors: &FieldErrors,
) -> Markup {
    layout(
        "Survey series",
        chrome,
        html! {
            p.back { a href="/surveys" { "← Surveys" } }
            h1 { "Survey series" }
            p.lede { "A series is one survey run again and again (\"Platform pulse\", every quarter); each run is a wave labelled by its period. The dashboard, service pages and summaries chart and compare the waves of the headline series. A survey in no series is ad hoc: it has its own results, and never replaces a series figure." }
            @if series.is_empty() {
                p { "No series yet. The first one made becomes the headline series." }
            } @else {
                table.feedback {
                    thead { tr { th { "Series" } th { "Cadence" } th { "Waves" } th { "Headline" } } }
                    tbody {
                        @for one in series {
                            tr {
                                td data-label="Series" { (one.name) }
                                td data-label="Cadence" { (one.cadence.label()) }
                                td data-label="Waves" { (one.waves) }
                                td data-label="Headline" {
                                    @if one.headline { strong { "Headline series" } } @else {
                                        form.inline method="post" action={ "/surveys/series/" (one.id) "/headline" } {
                                            (csrf_field(chrome.csrf))
                                            button type="submit" { "Make it the headline series" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 { "New series" }
            (error_summary(errors))
            form method="post" action="/surveys/series" {
                (csrf_field(chrome.csrf))
                label for="name" { "Name" }
                input #name type="text" name="name" required maxlength="100" placeholder="Platform pulse" value=(typed.0)
                    aria-invalid=[errors.get("name").map(|_| "true")];
                (field_error(errors, "name"))
                label for="cadence" { "Cadence" }
                select #cadence name="cadence" {
                    @for cadence in SeriesCadence::ALL {
                        option value=(cadence.as_str()) selected[typed.1 == cadence.as_str()] { (cadence.label()) }
                    }
                }
                (field_error(errors, "cadence"))
                p { button type="submit" { "Make the series" } }
            }
        },
    )
}

/// On a survey's page: which series it is a wave of, and the form to change it.
pub fn wave_form(
    chrome: &Chrome<'_>,
    survey_id: i64,
    series: &[Series],
    wave: Option<&WaveOf>,
) -> Markup {
    html! {
        h2 { "Series" }
        p {
            @match wave {
                Some(wave) => { "A wave of " strong { (wave.series) } ", for " strong { (wave.label) } "." }
                None => { "Ad hoc: in no series, so it changes no headline figure." }
            }
            " " a href="/surveys/series" { "Survey series" }
        }
        form.inline method="post" action={ "/surveys/" (survey_id) "/series" } {
            (csrf_field(chrome.csrf))
            label for="series" { "Series " }
            select #series name="series" {
                option value="" { "None (ad hoc)" }
                @for one in series {
                    option value=(one.id) selected[wave.is_some_and(|wave| wave.series_id == one.id)] { (one.name) }
                }
            }
            label for="period" { " Period " }
            input #period type="text" name="period" size="8" placeholder="2026-Q1"
                value=(wave.map(|wave| wave.period.as_str()).unwrap_or_default())
                aria-describedby="period-hint";
            " "
            button type="submit" { "Save" }
            span.hint #period-hint { " Empty: the period the survey opens in." }
        }
    }
}
