-- Topics with their default department, and single-use invites that bind a messenger account.

CREATE TABLE topics (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    name          TEXT    NOT NULL,
    department_id INTEGER REFERENCES departments(id),
    UNIQUE (org_id, name)
);

CREATE TABLE invites (
    code       TEXT    PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES organisations(id),
    person_id  INTEGER NOT NULL REFERENCES people(id),
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    used_at    TEXT
);

CREATE UNIQUE INDEX organisations_name ON organisations (name);

ALTER TABLE organisations ADD COLUMN settings TEXT;
