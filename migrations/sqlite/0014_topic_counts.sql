-- The burst alert counts an organisation's incidents on a topic within an hour and a week:
-- with this index that costs the incidents counted, not every incident stored.
CREATE INDEX incidents_topic ON incidents (org_id, topic, detected_at);
