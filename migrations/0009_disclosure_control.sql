-- Disclosure control: survey results are published in steps, personal
-- links of anonymous surveys answer once and leave nothing that ties a
-- response to its invitation, and anonymous records keep coarse times.

-- Published snapshots ------------------------------------------------------
--
-- An answer (and a response) is published once a refresh takes it in:
-- results, the dashboard, summaries and search read only published ones,
-- and a refresh happens when at least k new real answers of a question
-- (k new responses, for the response counts) have arrived since the last.

ALTER TABLE survey_answers ADD COLUMN published INTEGER NOT NULL DEFAULT 0;
ALTER TABLE survey_responses ADD COLUMN published INTEGER NOT NULL DEFAULT 0;
CREATE INDEX survey_answers_unpublished ON survey_answers(question_id) WHERE published = 0;
CREATE INDEX survey_responses_unpublished ON survey_responses(survey_id) WHERE published = 0;

-- survey_answer_counts as of each question's last refresh.
CREATE TABLE survey_published_counts (
    question_id INTEGER NOT NULL REFERENCES survey_questions(id) ON DELETE CASCADE,
    -- 0 when the respondent has no team.
    team_id     INTEGER NOT NULL,
    -- The answer on the question's scale; -1 is "not applicable".
    value       INTEGER NOT NULL,
    answers     INTEGER NOT NULL,
    PRIMARY KEY (question_id, team_id, value)
) WITHOUT ROWID;

-- A survey's response counts as of its last refresh.
CREATE TABLE survey_publications (
    survey_id        INTEGER PRIMARY KEY REFERENCES surveys(id) ON DELETE CASCADE,
    responses        INTEGER NOT NULL,
    invited_answered INTEGER NOT NULL,
    complete         INTEGER NOT NULL
);

-- A survey comment becomes searchable when it is published.
CREATE TRIGGER survey_text_answers_published AFTER UPDATE OF published ON survey_answers
WHEN NEW.text IS NOT NULL AND NEW.published = 1 AND OLD.published = 0 BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('survey_response', NEW.response_id, 'upsert');
END;

-- Everything stored until now was on show already: it is published as it is.
UPDATE survey_answers SET published = 1;
UPDATE survey_responses SET published = 1;
INSERT INTO survey_published_counts (question_id, team_id, value, answers)
SELECT question_id, team_id, value, answers FROM survey_answer_counts WHERE answers > 0;

-- Personal links --------------------------------------------------------------
--
-- The invitation records only that its link was used. A response of an
-- anonymous survey keeps no key: the hash of the token it carried tied it
-- to the invitation, and so to the person, for anyone with the mail.

ALTER TABLE survey_invitations ADD COLUMN used INTEGER NOT NULL DEFAULT 0;
UPDATE survey_invitations SET used = 1 WHERE responded_at IS NOT NULL;

INSERT INTO survey_publications (survey_id, responses, invited_answered, complete)
SELECT surveys.id,
       (SELECT count(*) FROM survey_responses WHERE survey_id = surveys.id),
       (SELECT count(*) FROM survey_responses WHERE survey_id = surveys.id AND respondent_key IS NOT NULL),
       (SELECT count(*) FROM survey_responses WHERE survey_id = surveys.id AND completed = 1)
  FROM surveys;

UPDATE survey_responses SET respondent_key = NULL
 WHERE survey_id IN (SELECT id FROM surveys WHERE anonymous = 1);

-- Coarse times ------------------------------------------------------------------
--
-- Anonymous answers keep the day, anonymous feedback the hour: close enough
-- for trends, too coarse to match with who signed in when.

UPDATE survey_responses
   SET submitted_at = substr(submitted_at, 1, 10) || ' 00:00:00+00:00',
       updated_at = substr(submitted_at, 1, 10) || ' 00:00:00+00:00'
 WHERE survey_id IN (SELECT id FROM surveys WHERE anonymous = 1);

UPDATE feedback
   SET created_at = substr(created_at, 1, 13) || ':00:00+00:00',
       updated_at = CASE WHEN updated_at = created_at
                         THEN substr(created_at, 1, 13) || ':00:00+00:00' ELSE updated_at END
 WHERE anonymous = 1;
