-- A repeat is looked up by its author (the same author on the same topic, or under the same post).
CREATE INDEX incidents_author ON incidents (org_id, author, detected_at);
