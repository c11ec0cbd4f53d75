-- Timers: when the scheduler acts on an incident (reminders, deadlines, escalations, a weekend
-- alert nobody answered) or on an organisation (morning digests, the duty roster check). A
-- timer fires once: `fired_at` is set in the same transaction as the messages it writes.
CREATE TABLE timers (
    id           BIGSERIAL PRIMARY KEY,
    org_id       BIGINT      NOT NULL REFERENCES organisations(id),
    incident_id  BIGINT      REFERENCES incidents(id),
    key          TEXT        NOT NULL,
    kind         TEXT        NOT NULL,
    payload      TEXT        NOT NULL,
    due_at       TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ,
    fired_at     TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, key)
);
-- What is due is found without reading what has fired or what waits far ahead.
CREATE INDEX timers_due ON timers (due_at) WHERE fired_at IS NULL;
CREATE INDEX timers_incident ON timers (incident_id) WHERE fired_at IS NULL;

-- The most urgent messages go first.
ALTER TABLE outbox ADD COLUMN priority BIGINT NOT NULL DEFAULT 0;

-- Whose queue a message is in (a person's private chat, a group chat, or the worker's redraws of
-- one incident): messages of one queue go out in order, one sender at a time, and a queue that
-- grows faster than its chat's rate limit is summed up in one message.
ALTER TABLE outbox ADD COLUMN recipient_key TEXT NOT NULL DEFAULT '';
UPDATE outbox SET recipient_key = CASE
    WHEN person_id IS NOT NULL THEN 'p:' || person_id
    WHEN chat_id IS NOT NULL THEN 'c:' || chat_messenger || ':' || chat_id
    ELSE 'w:' || COALESCE(incident_id, 0)
END;
CREATE INDEX outbox_queue ON outbox (recipient_key, id) WHERE delivered_at IS NULL;
