-- Personal data past the organisation's retention period is removed from an incident (its
-- counts and stage times stay for reports); this marks when.
ALTER TABLE incidents ADD COLUMN anonymised_at TIMESTAMPTZ;
