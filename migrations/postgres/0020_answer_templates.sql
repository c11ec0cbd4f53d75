-- Answer templates: an organisation's model answers, by name, for one topic or (topic NULL)
-- for any; fields to fill in are written in square brackets.
CREATE TABLE answer_templates (
    id      BIGSERIAL PRIMARY KEY,
    org_id  BIGINT NOT NULL REFERENCES organisations(id),
    name    TEXT   NOT NULL,
    topic   TEXT,
    body    TEXT   NOT NULL,
    UNIQUE (org_id, name)
);
