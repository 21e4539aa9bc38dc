-- Operations: outbox leases, the database's identity, and every link table
-- in the search change sequence.

-- A sender claims a message before sending it, in the same transaction that
-- picks it: lease_owner names the sending process, lease_expires_at is when
-- another sender may take the message over (its sender died).
ALTER TABLE email_outbox ADD COLUMN lease_owner TEXT;
ALTER TABLE email_outbox ADD COLUMN lease_expires_at TEXT;

-- Which database this is, made once: a search index records the database it
-- follows and is rebuilt when it finds itself beside another one.
INSERT INTO settings (key, value) VALUES ('database_id', lower(hex(randomblob(16))))
    ON CONFLICT (key) DO NOTHING;

-- Links of interviews, pain points and roadmap items belong to their search
-- documents (services and tags are facets and filters): changing one
-- re-indexes its owner, whoever changes it, instead of each caller
-- remembering to touch the owner's row. Interviewers are not searched yet;
-- following them too means a document that shows them needs no new trigger.
CREATE TRIGGER interview_services_changed_on_insert AFTER INSERT ON interview_services BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('interview', NEW.interview_id, 'upsert');
END;
CREATE TRIGGER interview_services_changed_on_delete AFTER DELETE ON interview_services BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('interview', OLD.interview_id, 'upsert');
END;
CREATE TRIGGER interview_tags_changed_on_insert AFTER INSERT ON interview_tags BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('interview', NEW.interview_id, 'upsert');
END;
CREATE TRIGGER interview_tags_changed_on_delete AFTER DELETE ON interview_tags BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('interview', OLD.interview_id, 'upsert');
END;
CREATE TRIGGER interview_interviewers_changed_on_insert AFTER INSERT ON interview_interviewers BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('interview', NEW.interview_id, 'upsert');
END;
CREATE TRIGGER interview_interviewers_changed_on_delete AFTER DELETE ON interview_interviewers BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('interview', OLD.interview_id, 'upsert');
END;

CREATE TRIGGER pain_point_services_changed_on_insert AFTER INSERT ON pain_point_services BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('pain_point', NEW.pain_point_id, 'upsert');
END;
CREATE TRIGGER pain_point_services_changed_on_delete AFTER DELETE ON pain_point_services BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('pain_point', OLD.pain_point_id, 'upsert');
END;
CREATE TRIGGER pain_point_tags_changed_on_insert AFTER INSERT ON pain_point_tags BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('pain_point', NEW.pain_point_id, 'upsert');
END;
CREATE TRIGGER pain_point_tags_changed_on_delete AFTER DELETE ON pain_point_tags BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('pain_point', OLD.pain_point_id, 'upsert');
END;

CREATE TRIGGER roadmap_item_services_changed_on_insert AFTER INSERT ON roadmap_item_services BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('roadmap_item', NEW.roadmap_item_id, 'upsert');
END;
CREATE TRIGGER roadmap_item_services_changed_on_delete AFTER DELETE ON roadmap_item_services BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('roadmap_item', OLD.roadmap_item_id, 'upsert');
END;
CREATE TRIGGER roadmap_item_tags_changed_on_insert AFTER INSERT ON roadmap_item_tags BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('roadmap_item', NEW.roadmap_item_id, 'upsert');
END;
CREATE TRIGGER roadmap_item_tags_changed_on_delete AFTER DELETE ON roadmap_item_tags BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('roadmap_item', OLD.roadmap_item_id, 'upsert');
END;

-- Internal notes are searched with their feedback; the first migration
-- followed only new notes.
CREATE TRIGGER feedback_notes_changed_on_update AFTER UPDATE ON feedback_notes BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('feedback', NEW.feedback_id, 'upsert');
END;
CREATE TRIGGER feedback_notes_changed_on_delete AFTER DELETE ON feedback_notes BEGIN
    INSERT INTO search_changes (entity, entity_id, op) VALUES ('feedback', OLD.feedback_id, 'upsert');
END;
