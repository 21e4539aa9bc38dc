-- Surveys at scale: results and the dashboard read counts, not every answer.
--
-- survey_answer_counts holds, for every numeric question, how many answers
-- each team gave each value. Triggers keep it exact in the same transaction
-- as the answers, so it is never stale; a wave of 25,000 responses then
-- summarises from a few hundred rows instead of hundreds of thousands.

CREATE TABLE survey_answer_counts (
    question_id INTEGER NOT NULL REFERENCES survey_questions(id) ON DELETE CASCADE,
    -- 0 when the respondent has no team.
    team_id     INTEGER NOT NULL,
    -- The answer on the question's scale; -1 is "not applicable".
    value       INTEGER NOT NULL,
    answers     INTEGER NOT NULL,
    PRIMARY KEY (question_id, team_id, value)
) WITHOUT ROWID;

INSERT INTO survey_answer_counts (question_id, team_id, value, answers)
SELECT survey_answers.question_id,
       coalesce(survey_responses.team_id, 0),
       CASE WHEN survey_answers.not_applicable THEN -1 ELSE CAST(survey_answers.value AS INTEGER) END,
       count(*)
  FROM survey_answers JOIN survey_responses ON survey_responses.id = survey_answers.response_id
 WHERE survey_answers.value IS NOT NULL OR survey_answers.not_applicable = 1
 GROUP BY 1, 2, 3;

CREATE TRIGGER survey_answer_counts_on_insert AFTER INSERT ON survey_answers
WHEN NEW.value IS NOT NULL OR NEW.not_applicable = 1
BEGIN
    INSERT INTO survey_answer_counts (question_id, team_id, value, answers)
    VALUES (
        NEW.question_id,
        coalesce((SELECT team_id FROM survey_responses WHERE id = NEW.response_id), 0),
        CASE WHEN NEW.not_applicable THEN -1 ELSE CAST(NEW.value AS INTEGER) END,
        1
    )
    ON CONFLICT (question_id, team_id, value) DO UPDATE SET answers = answers + 1;
END;

CREATE TRIGGER survey_answer_counts_on_delete AFTER DELETE ON survey_answers
WHEN OLD.value IS NOT NULL OR OLD.not_applicable = 1
BEGIN
    UPDATE survey_answer_counts SET answers = answers - 1
     WHERE question_id = OLD.question_id
       AND team_id = coalesce((SELECT team_id FROM survey_responses WHERE id = OLD.response_id), 0)
       AND value = CASE WHEN OLD.not_applicable THEN -1 ELSE CAST(OLD.value AS INTEGER) END;
END;

-- "Completed" means every question answered; it was written as 1 for all.
UPDATE survey_responses SET completed =
    (SELECT count(*) FROM survey_answers WHERE response_id = survey_responses.id)
  = (SELECT count(*) FROM survey_questions WHERE survey_id = survey_responses.survey_id);

-- Completion rates count complete responses of one survey from the index alone.
CREATE INDEX survey_responses_completed ON survey_responses(survey_id, completed);

-- Imported historical responses are counted like any other; the batch says where they came from.
ALTER TABLE survey_responses ADD COLUMN imported INTEGER NOT NULL DEFAULT 0;
