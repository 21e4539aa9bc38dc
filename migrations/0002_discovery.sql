-- Discovery, second pass: roadmap items carry tags like pain points and
-- interviews do.

CREATE TABLE roadmap_item_tags (
    roadmap_item_id INTEGER NOT NULL REFERENCES roadmap_items(id) ON DELETE CASCADE,
    tag_id          INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (roadmap_item_id, tag_id)
);
