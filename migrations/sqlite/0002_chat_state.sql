-- Chat-side state kept by Otklik (messenger-neutral ids: chat and user as integers).

-- Multi-step input per (chat, user): several curators share one group chat.
CREATE TABLE conversations (
    chat_id    INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    state      TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (chat_id, user_id)
);

-- The one card per incident per chat that later events edit.
CREATE TABLE cards (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    PRIMARY KEY (incident_id, chat_id)
);

-- Departments ticked on a triage card before routing (shared by the curators of the group).
CREATE TABLE triage_selections (
    incident_id   INTEGER NOT NULL REFERENCES incidents(id),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    PRIMARY KEY (incident_id, department_id)
);
