-- The platform team's daily workflow: triage on one screen, closing the
-- loop with the submitter, public tags and roadmap items, saved views.

-- Who on the platform team looks after an item.
ALTER TABLE feedback ADD COLUMN assignee_id INTEGER REFERENCES users(id);
-- The submitter asked to be told when the status changes (never set for
-- anonymous feedback, which has nobody to tell).
ALTER TABLE feedback ADD COLUMN notify_status INTEGER NOT NULL DEFAULT 0
    CHECK (notify_status IN (0, 1));
-- Anonymous feedback can be followed through a private link shown once at
-- submission. Only the SHA-256 of its token is kept, on the item itself:
-- nothing ties the token to a person or a session.
ALTER TABLE feedback ADD COLUMN reply_token_hash TEXT;
CREATE UNIQUE INDEX feedback_by_reply_token ON feedback(reply_token_hash)
    WHERE reply_token_hash IS NOT NULL;
CREATE INDEX feedback_by_assignee ON feedback(assignee_id, created_at);

-- The team's answers to an item, shown to its submitter.
CREATE TABLE feedback_replies (
    id          INTEGER PRIMARY KEY,
    feedback_id INTEGER NOT NULL REFERENCES feedback(id) ON DELETE CASCADE,
    author_id   INTEGER NOT NULL REFERENCES users(id),
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX feedback_replies_by_feedback ON feedback_replies(feedback_id);

-- Tags are the team's words; a public one is shown to submitters too.
ALTER TABLE tags ADD COLUMN public INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1));

-- A roadmap item the team chose to show: its title, description and state
-- are for everyone (shipped items always are).
ALTER TABLE roadmap_items ADD COLUMN public INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1));

-- Shipping a roadmap item marks its pain points addressed; what they were
-- before is kept so that un-shipping puts them back.
CREATE TABLE shipped_pain_points (
    roadmap_item_id INTEGER NOT NULL REFERENCES roadmap_items(id) ON DELETE CASCADE,
    pain_point_id   INTEGER NOT NULL REFERENCES pain_points(id) ON DELETE CASCADE,
    previous_status TEXT NOT NULL,
    PRIMARY KEY (roadmap_item_id, pain_point_id)
);

-- An inbox filter someone named, such as "new this week for ci-runner".
CREATE TABLE saved_views (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    query      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (user_id, name)
);
