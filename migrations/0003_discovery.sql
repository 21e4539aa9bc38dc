-- Discovery, second pass: roadmap items carry tags like pain points and
-- interviews do, and evidence is indexed from the feedback side.

CREATE TABLE roadmap_item_tags (
    roadmap_item_id INTEGER NOT NULL REFERENCES roadmap_items(id) ON DELETE CASCADE,
    tag_id          INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (roadmap_item_id, tag_id)
);

-- Evidence is looked up from the feedback side too: the pain points about a
-- service (its page, the dashboard) join from its feedback, and deleting
-- feedback or a highlight cascades. Without these, each feedback row of a
-- service scanned all the evidence (about 1 s at 100,000 feedback items).
CREATE INDEX pain_point_evidence_by_feedback ON pain_point_evidence(feedback_id);
CREATE INDEX pain_point_evidence_by_highlight ON pain_point_evidence(highlight_id);

-- A service's page charts its feedback month by month with the average
-- rating; covering the rating keeps that to the index (50 ms → 2 ms for
-- 7,000 items of one service).
CREATE INDEX feedback_ratings_by_service ON feedback(service_id, created_at, rating);
