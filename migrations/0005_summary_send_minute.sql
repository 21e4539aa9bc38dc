-- Summaries can be sent at a minute of the hour (08:30), not only on the hour.
ALTER TABLE digest_subscriptions
    ADD COLUMN minute INTEGER NOT NULL DEFAULT 0 CHECK (minute BETWEEN 0 AND 59);
