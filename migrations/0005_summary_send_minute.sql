-- Summaries can be sent at a minute of the hour (08:30), not only on the hour.
ALTER TABLE digest_subscriptions
    ADD COLUMN minute INTEGER NOT NULL DEFAULT 0 CHECK (minute BETWEEN 0 AND 59);

-- 0002 gained this index after it had landed (a landed migration must never
-- change; `db::migrations` now checks them against recorded checksums), so a
-- database migrated before that lacks it.
CREATE INDEX IF NOT EXISTS survey_responses_completed ON survey_responses(survey_id, completed);
