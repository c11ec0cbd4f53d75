-- Answer memory: each incident's published answer, found again by full-text search with
-- PostgreSQL's Russian stemming over the message it answered and the answer (GIN index).
-- Self-contained (number, department name), so a search reads no other table; an anonymised
-- incident's row is deleted. `stems` (Otklik's own Snowball stems) decides what is close enough.
CREATE TABLE answer_memory (
    incident_id  BIGINT PRIMARY KEY,
    org_id       BIGINT NOT NULL,
    number       BIGINT NOT NULL,
    topic_key    TEXT   NOT NULL DEFAULT '',
    department   TEXT   NOT NULL DEFAULT '',
    published_at TIMESTAMPTZ NOT NULL,
    message      TEXT   NOT NULL,
    answer       TEXT   NOT NULL,
    stems        TEXT   NOT NULL,
    search       tsvector GENERATED ALWAYS AS (to_tsvector('russian', message || ' ' || answer)) STORED
);
CREATE INDEX answer_memory_org ON answer_memory (org_id, published_at);
CREATE INDEX answer_memory_search ON answer_memory USING GIN (search);
