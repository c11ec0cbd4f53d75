-- An update is claimed before it is handled and finished once the core has done its work; a
-- claim left unfinished by a process that died (another process's, or one older than a few
-- minutes) is taken over when the messenger sends the update again, so a crash between the
-- claim and the change does not lose the press or the message.
ALTER TABLE processed_updates ADD COLUMN instance TEXT NOT NULL DEFAULT '';
ALTER TABLE processed_updates ADD COLUMN finished BOOLEAN NOT NULL DEFAULT TRUE;
