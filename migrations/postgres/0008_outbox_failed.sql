-- A message the messenger refused for good (a permanent 400) leaves the queue as failed instead of
-- being retried forever; the curators are told which incident could not be shown.
ALTER TABLE outbox ADD COLUMN failed_at TIMESTAMPTZ;
