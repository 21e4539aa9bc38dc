-- A roadmap item's search document carries the titles of the pain points it
-- answers (contributors find shipped items by the problem they solved), so
-- linking, unlinking or renaming such a pain point re-indexes the item.

CREATE TRIGGER roadmap_answers_changed_on_insert AFTER INSERT ON roadmap_item_pain_points BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('roadmap_item', NEW.roadmap_item_id, 'upsert');
END;
CREATE TRIGGER roadmap_answers_changed_on_delete AFTER DELETE ON roadmap_item_pain_points BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('roadmap_item', OLD.roadmap_item_id, 'upsert');
END;
CREATE TRIGGER roadmap_answers_renamed AFTER UPDATE OF title ON pain_points BEGIN
    INSERT INTO search_changes (entity, entity_id, op)
        SELECT 'roadmap_item', roadmap_item_id, 'upsert'
          FROM roadmap_item_pain_points WHERE pain_point_id = NEW.id;
END;
