-- Satisfaction beside reliability: survey series, and reliability figures
-- pulled from Prometheus.

-- Survey series ---------------------------------------------------------------
--
-- The waves of one recurring survey ("Platform pulse", quarterly). The
-- headline series is the one the dashboard, service pages and summaries
-- chart; a survey in no series is ad hoc and never replaces its figures.

CREATE TABLE survey_series (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    cadence    TEXT NOT NULL CHECK (cadence IN ('monthly', 'quarterly', 'half-yearly', 'yearly')),
    headline   INTEGER NOT NULL DEFAULT 0 CHECK (headline IN (0, 1)),
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX survey_series_one_headline ON survey_series(headline) WHERE headline = 1;

ALTER TABLE surveys ADD COLUMN series_id INTEGER REFERENCES survey_series(id);
-- The period the wave stands for, as it sorts: '2026-Q1', '2026-03', '2026-H1', '2026'.
ALTER TABLE surveys ADD COLUMN series_period TEXT;
CREATE UNIQUE INDEX surveys_one_wave_per_period ON surveys(series_id, series_period)
    WHERE series_id IS NOT NULL;

-- Reliability from Prometheus ---------------------------------------------------
--
-- Per service, the PromQL of each monthly figure (empty: the team's
-- template, from settings) and the value its template's $service stands
-- for (empty: the service's slug).

CREATE TABLE reliability_queries (
    service_id             INTEGER PRIMARY KEY REFERENCES services(id) ON DELETE CASCADE,
    service_label          TEXT NOT NULL DEFAULT '',
    slo_attainment         TEXT NOT NULL DEFAULT '',
    error_budget_remaining TEXT NOT NULL DEFAULT '',
    incidents              TEXT NOT NULL DEFAULT '',
    updated_at             TEXT NOT NULL
);

-- The last pull of each service: a failure is shown on its page and leaves
-- the figures already stored as they were.
CREATE TABLE reliability_pulls (
    service_id   INTEGER PRIMARY KEY REFERENCES services(id) ON DELETE CASCADE,
    attempted_at TEXT NOT NULL,
    succeeded_at TEXT,
    -- NULL when the last attempt succeeded.
    error        TEXT
);
