-- Messenger-neutral schema: accounts instead of Telegram ids on people, organisations' chats and
-- cards keyed by (messenger, chat), conversations per (messenger, chat, person), processed
-- updates per (messenger, bot, update), typed notices in the outbox, a directory version per
-- organisation, and the record of answers Otklik publishes itself.
--
-- Otklik runs this migration on a connection with foreign keys off (SQLite cannot drop a column
-- under a UNIQUE constraint, so `people` and `organisations` are rebuilt), then checks every
-- foreign key before going on.

-- Accounts: a person reachable in a messenger. An account known by username only (from the
-- organisation file) has no external id until the person opens the bot by invite.
CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    messenger   TEXT    NOT NULL,
    external_id INTEGER,
    username    TEXT,
    unreachable BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (messenger, external_id),
    UNIQUE (person_id, messenger)
);
-- One Telegram account was bound to at most one person of each organisation; now to one person:
-- the active one, else the oldest.
INSERT OR IGNORE INTO accounts (person_id, messenger, external_id, username, unreachable)
SELECT id, 'telegram', telegram_user_id, telegram_username, unreachable FROM people
WHERE telegram_user_id IS NOT NULL OR telegram_username IS NOT NULL
ORDER BY active DESC, id;

-- The chats an organisation works in.
CREATE TABLE org_chats (
    org_id    INTEGER NOT NULL REFERENCES organisations(id),
    purpose   TEXT    NOT NULL, -- curators | head | discussion
    messenger TEXT    NOT NULL,
    chat_id   INTEGER NOT NULL,
    PRIMARY KEY (org_id, purpose),
    UNIQUE (messenger, chat_id, purpose)
);
INSERT OR IGNORE INTO org_chats (org_id, purpose, messenger, chat_id)
SELECT id, 'curators', 'telegram', curator_chat_id FROM organisations WHERE curator_chat_id IS NOT NULL ORDER BY id;
INSERT OR IGNORE INTO org_chats (org_id, purpose, messenger, chat_id)
SELECT id, 'head', 'telegram', head_chat_id FROM organisations WHERE head_chat_id IS NOT NULL ORDER BY id;
INSERT OR IGNORE INTO org_chats (org_id, purpose, messenger, chat_id)
SELECT id, 'discussion', 'telegram', discussion_chat_id FROM organisations WHERE discussion_chat_id IS NOT NULL ORDER BY id;

-- Cards: every message about an incident that later events edit in place, with the notice that
-- drew it (so it can be drawn again) and a hash of what it shows now (0: draw again).
CREATE TABLE cards_v2 (
    messenger   TEXT    NOT NULL,
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    viewer_id   INTEGER REFERENCES people(id), -- NULL: a group chat
    notice      TEXT    NOT NULL,
    rendered    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (messenger, chat_id, message_id)
);
INSERT OR IGNORE INTO cards_v2 (messenger, chat_id, message_id, incident_id, viewer_id, notice)
SELECT 'telegram', c.chat_id, c.message_id, c.incident_id,
       CASE WHEN c.chat_id > 0 THEN (SELECT a.person_id FROM accounts a WHERE a.messenger = 'telegram' AND a.external_id = c.chat_id) END,
       CASE WHEN c.chat_id < 0 THEN '{"notice":"curator_card"}'
            ELSE json_object('notice', 'incident_card', 'part', COALESCE((
                SELECT MIN(s.part_no) FROM assignments s JOIN accounts a ON a.person_id = s.executor_id
                WHERE s.incident_id = c.incident_id AND a.messenger = 'telegram' AND a.external_id = c.chat_id), 0))
       END
FROM cards c;
DROP TABLE cards;
ALTER TABLE cards_v2 RENAME TO cards;
CREATE INDEX cards_incident ON cards (incident_id);

-- Multi-step input per (messenger, chat, person); it expires (the core decides after how long).
CREATE TABLE conversations_v2 (
    messenger  TEXT    NOT NULL,
    chat_id    INTEGER NOT NULL,
    person_id  INTEGER NOT NULL REFERENCES people(id),
    state      TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (messenger, chat_id, person_id)
);
INSERT OR IGNORE INTO conversations_v2 (messenger, chat_id, person_id, state, updated_at)
SELECT 'telegram', c.chat_id, a.person_id, c.state, c.updated_at
FROM conversations c JOIN accounts a ON a.messenger = 'telegram' AND a.external_id = c.user_id;
DROP TABLE conversations;
ALTER TABLE conversations_v2 RENAME TO conversations;

-- Updates already handled, per messenger and bot; pruned after a few days. The old ids are not
-- carried over: Telegram does not redeliver an update once a later offset was confirmed.
DROP TABLE processed_updates;
CREATE TABLE processed_updates (
    messenger    TEXT    NOT NULL,
    bot          TEXT    NOT NULL,
    update_id    INTEGER NOT NULL,
    processed_at TEXT    NOT NULL,
    PRIMARY KEY (messenger, bot, update_id)
);
CREATE INDEX processed_updates_age ON processed_updates (processed_at);

-- The outbox: a group recipient names its messenger; payloads become typed notices.
ALTER TABLE outbox ADD COLUMN chat_messenger TEXT;
UPDATE outbox SET chat_messenger = 'telegram' WHERE chat_id IS NOT NULL;
UPDATE outbox SET payload = CASE message
    WHEN 'triage' THEN json_object('notice', 'triage')
    WHEN 'incident_card' THEN json_object('notice', 'incident_card', 'part', COALESCE(json_extract(payload, '$.event.part'), 0))
    WHEN 'competence_check' THEN json_object('notice', 'competence_check', 'part', COALESCE(json_extract(payload, '$.event.part'), 0))
    WHEN 'status' THEN json_object('notice', 'refresh_cards')
    WHEN 'importance_changed' THEN json_object('notice', 'importance_raised')
    WHEN 'approval' THEN json_object('notice', 'approval', 'part', json_extract(payload, '$.event.part'), 'version', COALESCE(json_extract(payload, '$.event.version'), 1))
    WHEN 'consolidated_approval' THEN json_object('notice', 'approval', 'part', NULL, 'version', COALESCE(json_extract(payload, '$.event.version'), 1))
    WHEN 'rework' THEN json_object('notice', 'rework', 'part', COALESCE(json_extract(payload, '$.event.part'), 0), 'version', COALESCE(json_extract(payload, '$.event.version'), 0), 'comment', COALESCE(json_extract(payload, '$.event.comment'), ''))
    WHEN 'author_reply' THEN json_object('notice', 'author_replied', 'part', COALESCE(json_extract(payload, '$.event.part'), 0), 'text', COALESCE(json_extract(payload, '$.event.text'), ''))
    WHEN 'publish' THEN json_object('notice',
        CASE WHEN (SELECT i.reply_chat_id FROM incidents i WHERE i.id = outbox.incident_id) IS NOT NULL THEN 'auto_publish' ELSE 'publish_request' END,
        'part', json_extract(payload, '$.event.part'))
    WHEN 'publish_clarification' THEN json_object('notice', 'clarification_to_publish', 'part', COALESCE(json_extract(payload, '$.event.part'), 0))
    WHEN 'consolidate' THEN json_object('notice', 'consolidate')
    WHEN 'returned' THEN json_object('notice', 'returned', 'part', COALESCE(json_extract(payload, '$.event.part'), 0))
    WHEN 'escalation' THEN json_object('notice', 'escalation')
    WHEN 'weekend_emergency' THEN json_object('notice', 'weekend_emergency')
    WHEN 'burst' THEN json_object('notice', 'burst', 'topic', COALESCE(json_extract(payload, '$.topic'), ''), 'count', COALESCE(json_extract(payload, '$.count'), 0), 'number', COALESCE(json_extract(payload, '$.number'), 0))
    WHEN 'unreachable' THEN json_object('notice', 'unreachable', 'person', COALESCE(json_extract(payload, '$.person_id'), 0), 'number', COALESCE(json_extract(payload, '$.number'), 0))
    ELSE payload END;
UPDATE outbox SET message = COALESCE(json_extract(payload, '$.notice'), message);

-- Where Otklik can reply to an incident's message itself: the messenger too.
ALTER TABLE incidents ADD COLUMN reply_messenger TEXT;
UPDATE incidents SET reply_messenger = 'telegram' WHERE reply_chat_id IS NOT NULL;

-- Answers Otklik publishes itself (replies to channel comments), at most once each: a reply is
-- recorded as being sent before it is sent, and as sent (with the publication) after.
CREATE TABLE auto_publications (
    incident_id   INTEGER NOT NULL REFERENCES incidents(id),
    part_no       INTEGER NOT NULL, -- -1: the consolidated answer
    draft_version INTEGER NOT NULL,
    state         TEXT    NOT NULL, -- sending | sent | in_doubt
    started_at    TEXT    NOT NULL,
    message_id    INTEGER,
    link          TEXT,
    PRIMARY KEY (incident_id, part_no, draft_version)
);

-- People without messenger columns.
CREATE TABLE people_v2 (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id    INTEGER NOT NULL REFERENCES organisations(id),
    full_name TEXT    NOT NULL,
    phone     TEXT,
    active    BOOLEAN NOT NULL DEFAULT TRUE
);
INSERT INTO people_v2 (id, org_id, full_name, phone, active)
SELECT id, org_id, full_name, phone, active FROM people;
DROP TABLE people;
ALTER TABLE people_v2 RENAME TO people;

-- Organisations without chat columns, with a directory version (bumped by every import and
-- directory change, so running processes notice).
CREATE TABLE organisations_v2 (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    name             TEXT    NOT NULL,
    regulation_name  TEXT    NOT NULL,
    regulation_toml  TEXT    NOT NULL,
    next_number      INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT    NOT NULL,
    settings         TEXT,
    channel_username TEXT,
    version          INTEGER NOT NULL DEFAULT 1
);
INSERT INTO organisations_v2 (id, name, regulation_name, regulation_toml, next_number, created_at, settings, channel_username)
SELECT id, name, regulation_name, regulation_toml, next_number, created_at, settings, channel_username FROM organisations;
DROP TABLE organisations;
ALTER TABLE organisations_v2 RENAME TO organisations;
CREATE UNIQUE INDEX organisations_name ON organisations (name);
