-- Copies of the files drafts carry (photos of the work done), taken from the messenger before
-- the monitoring system is told of the answer, and served to it under signed, expiring links.
-- `key` is what a link names (a hash of the organisation and the messenger's file id); an
-- anonymised incident's files are deleted.
CREATE TABLE kept_files (
    key          TEXT    PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    incident_id  INTEGER NOT NULL,
    file_ref     TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    bytes        BLOB    NOT NULL,
    kept_at      TEXT    NOT NULL
);
CREATE INDEX kept_files_incident ON kept_files (incident_id);
