-- Answer memory: each incident's published answer, found again by the stems of the message it
-- answered (Snowball's Russian stemmer, in Otklik) through an FTS5 index kept by triggers.
-- Self-contained (number, department name), so a search reads no other table; an anonymised
-- incident's row is deleted.
CREATE TABLE answer_memory (
    incident_id  INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL,
    number       INTEGER NOT NULL,
    topic_key    TEXT    NOT NULL DEFAULT '',
    department   TEXT    NOT NULL DEFAULT '',
    published_at TEXT    NOT NULL,
    message      TEXT    NOT NULL,
    answer       TEXT    NOT NULL,
    stems        TEXT    NOT NULL
);
CREATE INDEX answer_memory_org ON answer_memory (org_id, published_at);

CREATE VIRTUAL TABLE answer_memory_fts USING fts5 (
    stems, content = 'answer_memory', content_rowid = 'incident_id'
);
CREATE TRIGGER answer_memory_ai AFTER INSERT ON answer_memory BEGIN
    INSERT INTO answer_memory_fts (rowid, stems) VALUES (new.incident_id, new.stems);
END;
CREATE TRIGGER answer_memory_ad AFTER DELETE ON answer_memory BEGIN
    INSERT INTO answer_memory_fts (answer_memory_fts, rowid, stems)
        VALUES ('delete', old.incident_id, old.stems);
END;
