-- Identity, access and the audit log (issue 13).

-- A deactivated person keeps their feedback and authorship but can no
-- longer sign in; their sessions and tokens end when this is set.
ALTER TABLE users ADD COLUMN deactivated_at TEXT;
-- "issuer subject" of the OpenID Connect identity that signed this person
-- in, so that a changed email still finds the same person.
ALTER TABLE users ADD COLUMN oidc_subject TEXT;
CREATE UNIQUE INDEX users_by_oidc_subject ON users(oidc_subject) WHERE oidc_subject IS NOT NULL;
ALTER TABLE users ADD COLUMN last_sign_in_at TEXT;

-- `expires_at` is the absolute end of a session; `idle_expires_at` moves
-- forward while the session is used, never past `expires_at`.
ALTER TABLE sessions ADD COLUMN idle_expires_at TEXT;
UPDATE sessions SET idle_expires_at = expires_at;

ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;
CREATE INDEX api_tokens_by_user ON api_tokens(user_id);

-- Password reset links sent by an admin: only the hash of the link's
-- token is kept; a link works once and until `expires_at`.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);

-- Who did what and when. The application only ever inserts: the triggers
-- refuse updates and deletes, whoever asks.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    actor_id INTEGER,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    subject  TEXT NOT NULL,
    detail   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_by_action ON audit_log(action, at);
CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
