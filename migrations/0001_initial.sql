-- Earshot's schema for the whole product. Later capabilities (search,
-- discovery, surveys, digests) fill in behaviour on top of these tables;
-- changes after this file has landed go into new numbered migrations.
--
-- Timestamps are UTC text as written by chrono ("YYYY-MM-DD HH:MM:SS.fff+00:00"),
-- so they sort and compare as strings. Plain dates are "YYYY-MM-DD".

-- People and identity ----------------------------------------------------

CREATE TABLE teams (
    id   INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('contributor', 'team', 'admin')),
    team_id       INTEGER REFERENCES teams(id),
    -- NULL for people who sign in through the SSO proxy or not at all.
    password_hash TEXT,
    -- Set when the person asked not to receive "you said, we did" mail.
    closed_loop_opt_out INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

-- Browser sessions. Only the SHA-256 of the cookie value is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_id);

-- API tokens act as their user. Only the SHA-256 of the token is stored.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    label        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT
);

-- Services catalog ---------------------------------------------------------

CREATE TABLE services (
    id              INTEGER PRIMARY KEY,
    slug            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    owner_team_id   INTEGER REFERENCES teams(id),
    tier            INTEGER NOT NULL DEFAULT 2 CHECK (tier BETWEEN 1 AND 3),
    slo_target      REAL CHECK (slo_target IS NULL OR (slo_target > 0 AND slo_target <= 1)),
    slo_window_days INTEGER,
    runbook_url     TEXT,
    dashboard_url   TEXT,
    created_at      TEXT NOT NULL
);

-- Reliability figures pushed by tools, one row per service and period ("2026-11").
CREATE TABLE service_reliability (
    service_id             INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    period                 TEXT NOT NULL,
    slo_attainment         REAL,
    error_budget_remaining REAL,
    incidents              INTEGER,
    updated_at             TEXT NOT NULL,
    PRIMARY KEY (service_id, period)
);

-- Feedback -------------------------------------------------------------------

CREATE TABLE feedback (
    id           INTEGER PRIMARY KEY,
    service_id   INTEGER NOT NULL REFERENCES services(id),
    kind         TEXT NOT NULL CHECK (kind IN ('pain', 'idea', 'praise', 'question')),
    rating       INTEGER CHECK (rating IS NULL OR rating BETWEEN 1 AND 5),
    title        TEXT,
    body         TEXT NOT NULL,
    -- Anonymous feedback has no author. There is deliberately no column for
    -- an IP address or a user agent, for any feedback.
    author_id    INTEGER REFERENCES users(id),
    anonymous    INTEGER NOT NULL CHECK (anonymous IN (0, 1)),
    -- "You may contact me about this": feeds the interview recruiting list.
    contact_ok   INTEGER NOT NULL DEFAULT 0,
    status       TEXT NOT NULL DEFAULT 'new'
                 CHECK (status IN ('new', 'triaged', 'planned', 'done', 'closed')),
    duplicate_of INTEGER REFERENCES feedback(id),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    CHECK (anonymous = 0 OR (author_id IS NULL AND contact_ok = 0))
);
CREATE INDEX feedback_by_created ON feedback(created_at);
CREATE INDEX feedback_by_service ON feedback(service_id, created_at);
CREATE INDEX feedback_by_author ON feedback(author_id, created_at);
CREATE INDEX feedback_by_status ON feedback(status, created_at);

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE feedback_tags (
    feedback_id INTEGER NOT NULL REFERENCES feedback(id) ON DELETE CASCADE,
    tag_id      INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (feedback_id, tag_id)
);

-- Internal notes: for the platform team's eyes, never shown to the submitter.
CREATE TABLE feedback_notes (
    id          INTEGER PRIMARY KEY,
    feedback_id INTEGER NOT NULL REFERENCES feedback(id) ON DELETE CASCADE,
    author_id   INTEGER NOT NULL REFERENCES users(id),
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX feedback_notes_by_feedback ON feedback_notes(feedback_id);

-- Continuous discovery --------------------------------------------------------

CREATE TABLE interviews (
    id                  INTEGER PRIMARY KEY,
    participant_id      INTEGER REFERENCES users(id),
    participant_name    TEXT NOT NULL,
    participant_team_id INTEGER REFERENCES teams(id),
    participant_role    TEXT NOT NULL DEFAULT '',
    held_on             TEXT NOT NULL,
    quote               TEXT NOT NULL DEFAULT '',
    notes_md            TEXT NOT NULL DEFAULT '',
    opportunities       TEXT NOT NULL DEFAULT '',
    insights            TEXT NOT NULL DEFAULT '',
    created_by          INTEGER NOT NULL REFERENCES users(id),
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);

CREATE TABLE interview_interviewers (
    interview_id INTEGER NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (interview_id, user_id)
);

CREATE TABLE interview_services (
    interview_id INTEGER NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    service_id   INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    PRIMARY KEY (interview_id, service_id)
);

CREATE TABLE interview_tags (
    interview_id INTEGER NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    tag_id       INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (interview_id, tag_id)
);

-- A quoted span of an interview's notes, usable as evidence.
CREATE TABLE highlights (
    id           INTEGER PRIMARY KEY,
    interview_id INTEGER NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    quote        TEXT NOT NULL,
    created_by   INTEGER NOT NULL REFERENCES users(id),
    created_at   TEXT NOT NULL
);

CREATE TABLE outcomes (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL,
    metric     TEXT NOT NULL DEFAULT '',
    target     TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

CREATE TABLE pain_points (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'exploring', 'addressed', 'wont_fix')),
    outcome_id  INTEGER REFERENCES outcomes(id) ON DELETE SET NULL,
    parent_id   INTEGER REFERENCES pain_points(id) ON DELETE SET NULL,
    -- Set when merged into another pain point; the old URL redirects there.
    merged_into INTEGER REFERENCES pain_points(id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE pain_point_services (
    pain_point_id INTEGER NOT NULL REFERENCES pain_points(id) ON DELETE CASCADE,
    service_id    INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    PRIMARY KEY (pain_point_id, service_id)
);

CREATE TABLE pain_point_tags (
    pain_point_id INTEGER NOT NULL REFERENCES pain_points(id) ON DELETE CASCADE,
    tag_id        INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (pain_point_id, tag_id)
);

-- Evidence is either a feedback item or an interview highlight.
CREATE TABLE pain_point_evidence (
    id            INTEGER PRIMARY KEY,
    pain_point_id INTEGER NOT NULL REFERENCES pain_points(id) ON DELETE CASCADE,
    feedback_id   INTEGER REFERENCES feedback(id) ON DELETE CASCADE,
    highlight_id  INTEGER REFERENCES highlights(id) ON DELETE CASCADE,
    added_by      INTEGER REFERENCES users(id),
    added_at      TEXT NOT NULL,
    CHECK ((feedback_id IS NULL) <> (highlight_id IS NULL)),
    UNIQUE (pain_point_id, feedback_id),
    UNIQUE (pain_point_id, highlight_id)
);

CREATE TABLE roadmap_items (
    id             INTEGER PRIMARY KEY,
    title          TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT 'idea'
                   CHECK (status IN ('idea', 'planned', 'in_progress', 'shipped', 'dropped')),
    target_quarter TEXT,
    owner_id       INTEGER REFERENCES users(id),
    shipped_on     TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE TABLE roadmap_item_services (
    roadmap_item_id INTEGER NOT NULL REFERENCES roadmap_items(id) ON DELETE CASCADE,
    service_id      INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    PRIMARY KEY (roadmap_item_id, service_id)
);

CREATE TABLE roadmap_item_pain_points (
    roadmap_item_id INTEGER NOT NULL REFERENCES roadmap_items(id) ON DELETE CASCADE,
    pain_point_id   INTEGER NOT NULL REFERENCES pain_points(id) ON DELETE CASCADE,
    PRIMARY KEY (roadmap_item_id, pain_point_id)
);

-- Experiments that test a roadmap item's assumptions.
CREATE TABLE assumption_tests (
    id              INTEGER PRIMARY KEY,
    roadmap_item_id INTEGER NOT NULL REFERENCES roadmap_items(id) ON DELETE CASCADE,
    assumption      TEXT NOT NULL,
    method          TEXT NOT NULL DEFAULT '',
    result          TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'planned'
                    CHECK (status IN ('planned', 'running', 'validated', 'invalidated')),
    created_at      TEXT NOT NULL
);

-- Every invitation to an interview or survey, for the organisation-wide contact cap.
CREATE TABLE contact_events (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('interview', 'survey')),
    contacted_at TEXT NOT NULL
);
CREATE INDEX contact_events_by_user ON contact_events(user_id, contacted_at);

-- Surveys ----------------------------------------------------------------------

CREATE TABLE surveys (
    id              INTEGER PRIMARY KEY,
    title           TEXT NOT NULL,
    introduction    TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
    anonymous       INTEGER NOT NULL DEFAULT 1,
    threshold       INTEGER NOT NULL DEFAULT 5 CHECK (threshold >= 1),
    -- The earlier wave of the same survey, for comparisons.
    previous_wave_id INTEGER REFERENCES surveys(id),
    -- SHA-256 of the open link's token, when the survey has one.
    open_link_hash  TEXT UNIQUE,
    opens_at        TEXT,
    closes_at       TEXT,
    created_by      INTEGER REFERENCES users(id),
    created_at      TEXT NOT NULL
);

CREATE TABLE survey_questions (
    id         INTEGER PRIMARY KEY,
    survey_id  INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('nps', 'csat', 'ces', 'likert', 'single', 'multi', 'text')),
    prompt     TEXT NOT NULL,
    service_id INTEGER REFERENCES services(id),
    required   INTEGER NOT NULL DEFAULT 0,
    allow_na   INTEGER NOT NULL DEFAULT 0,
    -- JSON array of choice labels for single and multi questions.
    choices    TEXT NOT NULL DEFAULT '[]'
);

-- Audience selection: teams invited as a whole.
CREATE TABLE survey_audience_teams (
    survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    team_id   INTEGER NOT NULL REFERENCES teams(id),
    PRIMARY KEY (survey_id, team_id)
);

-- One personal, one-use link per invitee; only the token's hash is stored.
CREATE TABLE survey_invitations (
    id          INTEGER PRIMARY KEY,
    survey_id   INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    token_hash  TEXT NOT NULL UNIQUE,
    invited_at  TEXT NOT NULL,
    responded_at TEXT,
    UNIQUE (survey_id, user_id)
);

-- A response keeps the respondent's team (for breakdowns) but, in an
-- anonymous survey, no link to the person: it is found again through a
-- keyed hash of the invitation token.
CREATE TABLE survey_responses (
    id            INTEGER PRIMARY KEY,
    survey_id     INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    respondent_key TEXT UNIQUE,
    user_id       INTEGER REFERENCES users(id),
    team_id       INTEGER REFERENCES teams(id),
    completed     INTEGER NOT NULL DEFAULT 0,
    submitted_at  TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX survey_responses_by_survey ON survey_responses(survey_id);

CREATE TABLE survey_answers (
    response_id INTEGER NOT NULL REFERENCES survey_responses(id) ON DELETE CASCADE,
    question_id INTEGER NOT NULL REFERENCES survey_questions(id) ON DELETE CASCADE,
    -- NULL value with not_applicable = 1 is an explicit "not applicable".
    value          REAL,
    not_applicable INTEGER NOT NULL DEFAULT 0,
    text           TEXT,
    choices        TEXT,
    PRIMARY KEY (response_id, question_id)
);
CREATE INDEX survey_answers_by_question ON survey_answers(question_id);

-- Digests and mail -------------------------------------------------------------

CREATE TABLE digest_subscriptions (
    id                INTEGER PRIMARY KEY,
    email             TEXT NOT NULL,
    cadence           TEXT NOT NULL CHECK (cadence IN ('weekly', 'monthly')),
    -- 0 = Monday ... 6 = Sunday, for weekly digests.
    weekday           INTEGER CHECK (weekday IS NULL OR weekday BETWEEN 0 AND 6),
    hour              INTEGER NOT NULL DEFAULT 8 CHECK (hour BETWEEN 0 AND 23),
    timezone          TEXT NOT NULL DEFAULT 'UTC',
    -- JSON array of section names; empty means every section.
    sections          TEXT NOT NULL DEFAULT '[]',
    unsubscribe_hash  TEXT NOT NULL UNIQUE,
    created_by        INTEGER REFERENCES users(id),
    created_at        TEXT NOT NULL,
    unsubscribed_at   TEXT
);

-- Scope: no rows means every service.
CREATE TABLE digest_subscription_services (
    subscription_id INTEGER NOT NULL REFERENCES digest_subscriptions(id) ON DELETE CASCADE,
    service_id      INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    PRIMARY KEY (subscription_id, service_id)
);

-- The durable outbox. dedupe_key is e.g. "digest:<subscription>:<period>" or
-- "shipped:<roadmap item>:<user>", so each message is enqueued once.
CREATE TABLE email_outbox (
    id              INTEGER PRIMARY KEY,
    dedupe_key      TEXT NOT NULL UNIQUE,
    message_id      TEXT NOT NULL UNIQUE,
    subscription_id INTEGER REFERENCES digest_subscriptions(id) ON DELETE SET NULL,
    period          TEXT,
    to_address      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX email_outbox_due ON email_outbox(status, next_attempt_at);

-- Settings the team changes at run time (interview target, contact cap, ...).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Search change sequence -------------------------------------------------------
--
-- Every change to a searchable thing appends a row here in the same
-- transaction (the triggers below make that impossible to forget). The
-- indexer applies rows in seq order and records the last seq it applied in
-- its commit payload, so the index can always catch up with SQLite.

CREATE TABLE search_changes (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    entity    TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    op        TEXT NOT NULL CHECK (op IN ('upsert', 'delete'))
);

CREATE TRIGGER feedback_changed_on_insert AFTER INSERT ON feedback BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('feedback', NEW.id, 'upsert');
END;
CREATE TRIGGER feedback_changed_on_update AFTER UPDATE ON feedback BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('feedback', NEW.id, 'upsert');
END;
CREATE TRIGGER feedback_changed_on_delete AFTER DELETE ON feedback BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('feedback', OLD.id, 'delete');
END;
CREATE TRIGGER feedback_tags_changed_on_insert AFTER INSERT ON feedback_tags BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('feedback', NEW.feedback_id, 'upsert');
END;
CREATE TRIGGER feedback_tags_changed_on_delete AFTER DELETE ON feedback_tags BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('feedback', OLD.feedback_id, 'upsert');
END;
CREATE TRIGGER feedback_notes_changed_on_insert AFTER INSERT ON feedback_notes BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('feedback', NEW.feedback_id, 'upsert');
END;

CREATE TRIGGER interviews_changed_on_insert AFTER INSERT ON interviews BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('interview', NEW.id, 'upsert');
END;
CREATE TRIGGER interviews_changed_on_update AFTER UPDATE ON interviews BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('interview', NEW.id, 'upsert');
END;
CREATE TRIGGER interviews_changed_on_delete AFTER DELETE ON interviews BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('interview', OLD.id, 'delete');
END;

CREATE TRIGGER pain_points_changed_on_insert AFTER INSERT ON pain_points BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('pain_point', NEW.id, 'upsert');
END;
CREATE TRIGGER pain_points_changed_on_update AFTER UPDATE ON pain_points BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('pain_point', NEW.id, 'upsert');
END;
CREATE TRIGGER pain_points_changed_on_delete AFTER DELETE ON pain_points BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('pain_point', OLD.id, 'delete');
END;

CREATE TRIGGER roadmap_items_changed_on_insert AFTER INSERT ON roadmap_items BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('roadmap_item', NEW.id, 'upsert');
END;
CREATE TRIGGER roadmap_items_changed_on_update AFTER UPDATE ON roadmap_items BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('roadmap_item', NEW.id, 'upsert');
END;
CREATE TRIGGER roadmap_items_changed_on_delete AFTER DELETE ON roadmap_items BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('roadmap_item', OLD.id, 'delete');
END;

CREATE TRIGGER survey_text_answers_changed_on_insert AFTER INSERT ON survey_answers
WHEN NEW.text IS NOT NULL BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('survey_response', NEW.response_id, 'upsert');
END;
CREATE TRIGGER survey_text_answers_changed_on_delete AFTER DELETE ON survey_answers
WHEN OLD.text IS NOT NULL BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('survey_response', OLD.response_id, 'upsert');
END;
