-- Otklik schema, PostgreSQL dialect. Timestamps are TIMESTAMPTZ in UTC.
-- Every row belongs to an organisation: one installation serves several administrations.

CREATE TABLE organisations (
    id               BIGSERIAL PRIMARY KEY,
    name             TEXT    NOT NULL,
    regulation_name  TEXT    NOT NULL,
    regulation_toml  TEXT    NOT NULL,
    curator_chat_id  BIGINT,
    head_chat_id     BIGINT,
    next_number      BIGINT NOT NULL DEFAULT 1,
    created_at       TIMESTAMPTZ    NOT NULL
);

CREATE TABLE departments (
    id             BIGSERIAL PRIMARY KEY,
    org_id         BIGINT NOT NULL REFERENCES organisations(id),
    name           TEXT    NOT NULL,
    head_person_id BIGINT,
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    UNIQUE (org_id, name)
);

CREATE TABLE people (
    id                BIGSERIAL PRIMARY KEY,
    org_id            BIGINT NOT NULL REFERENCES organisations(id),
    full_name         TEXT    NOT NULL,
    phone             TEXT,
    telegram_user_id  BIGINT,
    telegram_username TEXT,
    active            BOOLEAN NOT NULL DEFAULT TRUE,
    unreachable       BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (org_id, telegram_user_id)
);

CREATE TABLE person_roles (
    person_id BIGINT NOT NULL REFERENCES people(id),
    role      TEXT    NOT NULL,
    PRIMARY KEY (person_id, role)
);

CREATE TABLE department_members (
    department_id BIGINT NOT NULL REFERENCES departments(id),
    person_id     BIGINT NOT NULL REFERENCES people(id),
    PRIMARY KEY (department_id, person_id)
);

CREATE TABLE absences (
    id            BIGSERIAL PRIMARY KEY,
    org_id        BIGINT NOT NULL REFERENCES organisations(id),
    person_id     BIGINT NOT NULL REFERENCES people(id),
    substitute_id BIGINT NOT NULL REFERENCES people(id),
    starts_at     TIMESTAMPTZ    NOT NULL,
    ends_at       TIMESTAMPTZ    NOT NULL,
    reason        TEXT    NOT NULL
);
CREATE INDEX absences_person ON absences (person_id, starts_at);

CREATE TABLE duty_roster (
    id        BIGSERIAL PRIMARY KEY,
    org_id    BIGINT NOT NULL REFERENCES organisations(id),
    person_id BIGINT NOT NULL REFERENCES people(id),
    starts_on DATE    NOT NULL,
    ends_on   DATE    NOT NULL,
    phone     TEXT
);

CREATE TABLE incidents (
    id                BIGSERIAL PRIMARY KEY,
    org_id            BIGINT NOT NULL REFERENCES organisations(id),
    number            BIGINT NOT NULL,
    source            TEXT    NOT NULL,
    kind              TEXT    NOT NULL,
    url               TEXT    NOT NULL,
    external_id       TEXT,
    author            TEXT    NOT NULL,
    body              TEXT    NOT NULL,
    attachments       TEXT    NOT NULL,
    repeat_of         BIGINT REFERENCES incidents(id),
    state             TEXT    NOT NULL,
    importance        TEXT    NOT NULL,
    topic             TEXT,
    location          TEXT,
    detected_at       TIMESTAMPTZ    NOT NULL,
    external_deadline TIMESTAMPTZ,
    next_deadline_at  TIMESTAMPTZ,
    workflow          TEXT    NOT NULL,
    version           BIGINT NOT NULL,
    created_at        TIMESTAMPTZ    NOT NULL,
    updated_at        TIMESTAMPTZ    NOT NULL,
    UNIQUE (org_id, number),
    UNIQUE (org_id, external_id)
);
CREATE INDEX incidents_open ON incidents (org_id, state);
CREATE INDEX incidents_deadline ON incidents (next_deadline_at);

CREATE TABLE assignments (
    incident_id   BIGINT NOT NULL REFERENCES incidents(id),
    part_no       BIGINT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    executor_id   BIGINT NOT NULL REFERENCES people(id),
    state         TEXT    NOT NULL,
    due_at        TIMESTAMPTZ,
    PRIMARY KEY (incident_id, part_no)
);
CREATE INDEX assignments_executor ON assignments (executor_id, state);

CREATE TABLE drafts (
    incident_id  BIGINT NOT NULL REFERENCES incidents(id),
    part_no      BIGINT NOT NULL, -- -1: the consolidated answer
    version      BIGINT NOT NULL,
    kind         TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    attachments  TEXT    NOT NULL,
    author_id    BIGINT NOT NULL,
    submitted_at TIMESTAMPTZ    NOT NULL,
    reviews      TEXT    NOT NULL,
    PRIMARY KEY (incident_id, part_no, version)
);

CREATE TABLE audit_log (
    id          BIGSERIAL PRIMARY KEY,
    org_id      BIGINT NOT NULL REFERENCES organisations(id),
    incident_id BIGINT REFERENCES incidents(id),
    actor_id    BIGINT NOT NULL,
    at          TIMESTAMPTZ    NOT NULL,
    command     TEXT    NOT NULL,
    from_state  TEXT,
    to_state    TEXT,
    payload     TEXT    NOT NULL,
    events      TEXT    NOT NULL
);
CREATE INDEX audit_incident ON audit_log (incident_id, id);
CREATE INDEX audit_org_time ON audit_log (org_id, at);

CREATE TABLE outbox (
    id              BIGSERIAL PRIMARY KEY,
    org_id          BIGINT NOT NULL REFERENCES organisations(id),
    idempotency_key TEXT    NOT NULL UNIQUE,
    incident_id     BIGINT REFERENCES incidents(id),
    person_id       BIGINT REFERENCES people(id),
    chat_id         BIGINT,
    message         TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    created_at      TIMESTAMPTZ    NOT NULL,
    available_at    TIMESTAMPTZ    NOT NULL,
    locked_until    TIMESTAMPTZ,
    attempts        BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    delivered_at    TIMESTAMPTZ
);
CREATE INDEX outbox_pending ON outbox (delivered_at, available_at);

CREATE TABLE processed_updates (
    update_id    BIGINT PRIMARY KEY,
    processed_at TIMESTAMPTZ NOT NULL
);
