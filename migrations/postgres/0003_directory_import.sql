-- Topics with their default department, and single-use invites that bind a messenger account.

CREATE TABLE topics (
    id            BIGSERIAL PRIMARY KEY,
    org_id        BIGINT NOT NULL REFERENCES organisations(id),
    name          TEXT    NOT NULL,
    department_id BIGINT REFERENCES departments(id),
    UNIQUE (org_id, name)
);

CREATE TABLE invites (
    code       TEXT    PRIMARY KEY,
    org_id     BIGINT NOT NULL REFERENCES organisations(id),
    person_id  BIGINT NOT NULL REFERENCES people(id),
    created_at TIMESTAMPTZ    NOT NULL,
    expires_at TIMESTAMPTZ    NOT NULL,
    used_at    TIMESTAMPTZ
);

CREATE UNIQUE INDEX organisations_name ON organisations (name);

ALTER TABLE organisations ADD COLUMN settings TEXT;
