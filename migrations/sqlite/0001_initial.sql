-- Otklik schema, SQLite dialect. Timestamps are UTC (sqlx stores them as RFC 3339 text).
-- Every row belongs to an organisation: one installation serves several administrations.

CREATE TABLE organisations (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    name             TEXT    NOT NULL,
    regulation_name  TEXT    NOT NULL,
    regulation_toml  TEXT    NOT NULL,
    curator_chat_id  INTEGER,
    head_chat_id     INTEGER,
    next_number      INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT    NOT NULL
);

CREATE TABLE departments (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id         INTEGER NOT NULL REFERENCES organisations(id),
    name           TEXT    NOT NULL,
    head_person_id INTEGER,
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    UNIQUE (org_id, name)
);

CREATE TABLE people (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id            INTEGER NOT NULL REFERENCES organisations(id),
    full_name         TEXT    NOT NULL,
    phone             TEXT,
    telegram_user_id  INTEGER,
    telegram_username TEXT,
    active            BOOLEAN NOT NULL DEFAULT TRUE,
    unreachable       BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (org_id, telegram_user_id)
);

CREATE TABLE person_roles (
    person_id INTEGER NOT NULL REFERENCES people(id),
    role      TEXT    NOT NULL,
    PRIMARY KEY (person_id, role)
);

CREATE TABLE department_members (
    department_id INTEGER NOT NULL REFERENCES departments(id),
    person_id     INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (department_id, person_id)
);

CREATE TABLE absences (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    person_id     INTEGER NOT NULL REFERENCES people(id),
    substitute_id INTEGER NOT NULL REFERENCES people(id),
    starts_at     TEXT    NOT NULL,
    ends_at       TEXT    NOT NULL,
    reason        TEXT    NOT NULL
);
CREATE INDEX absences_person ON absences (person_id, starts_at);

CREATE TABLE duty_roster (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id    INTEGER NOT NULL REFERENCES organisations(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    starts_on TEXT    NOT NULL,
    ends_on   TEXT    NOT NULL,
    phone     TEXT
);

CREATE TABLE incidents (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id            INTEGER NOT NULL REFERENCES organisations(id),
    number            INTEGER NOT NULL,
    source            TEXT    NOT NULL,
    kind              TEXT    NOT NULL,
    url               TEXT    NOT NULL,
    external_id       TEXT,
    author            TEXT    NOT NULL,
    body              TEXT    NOT NULL,
    attachments       TEXT    NOT NULL,
    repeat_of         INTEGER REFERENCES incidents(id),
    state             TEXT    NOT NULL,
    importance        TEXT    NOT NULL,
    topic             TEXT,
    location          TEXT,
    detected_at       TEXT    NOT NULL,
    external_deadline TEXT,
    next_deadline_at  TEXT,
    workflow          TEXT    NOT NULL,
    version           INTEGER NOT NULL,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    UNIQUE (org_id, number),
    UNIQUE (org_id, external_id)
);
CREATE INDEX incidents_open ON incidents (org_id, state);
CREATE INDEX incidents_deadline ON incidents (next_deadline_at);

CREATE TABLE assignments (
    incident_id   INTEGER NOT NULL REFERENCES incidents(id),
    part_no       INTEGER NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    executor_id   INTEGER NOT NULL REFERENCES people(id),
    state         TEXT    NOT NULL,
    due_at        TEXT,
    PRIMARY KEY (incident_id, part_no)
);
CREATE INDEX assignments_executor ON assignments (executor_id, state);

CREATE TABLE drafts (
    incident_id  INTEGER NOT NULL REFERENCES incidents(id),
    part_no      INTEGER NOT NULL, -- -1: the consolidated answer
    version      INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    attachments  TEXT    NOT NULL,
    author_id    INTEGER NOT NULL,
    submitted_at TEXT    NOT NULL,
    reviews      TEXT    NOT NULL,
    PRIMARY KEY (incident_id, part_no, version)
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations(id),
    incident_id INTEGER REFERENCES incidents(id),
    actor_id    INTEGER NOT NULL,
    at          TEXT    NOT NULL,
    command     TEXT    NOT NULL,
    from_state  TEXT,
    to_state    TEXT,
    payload     TEXT    NOT NULL,
    events      TEXT    NOT NULL
);
CREATE INDEX audit_incident ON audit_log (incident_id, id);
CREATE INDEX audit_org_time ON audit_log (org_id, at);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id          INTEGER NOT NULL REFERENCES organisations(id),
    idempotency_key TEXT    NOT NULL UNIQUE,
    incident_id     INTEGER REFERENCES incidents(id),
    person_id       INTEGER REFERENCES people(id),
    chat_id         INTEGER,
    message         TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    available_at    TEXT    NOT NULL,
    locked_until    TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    delivered_at    TEXT
);
CREATE INDEX outbox_pending ON outbox (delivered_at, available_at);

CREATE TABLE processed_updates (
    update_id    INTEGER PRIMARY KEY,
    processed_at TEXT NOT NULL
);
