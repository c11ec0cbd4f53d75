-- Lanes: in each chat, what answers a person's own press goes first (1), then what someone must
-- act on (2), then new triage cards (3), then information (4). The lane replaces the priority.
ALTER TABLE outbox ADD COLUMN lane BIGINT NOT NULL DEFAULT 4;
UPDATE outbox SET lane = CASE
    WHEN message = 'triage' THEN 3
    WHEN message IN ('curator_card', 'digest', 'collapsed', 'auto_published', 'duty_answered', 'report',
                     'importance_raised', 'refresh_cards', 'no_duty_officer', 'auto_publish',
                     'to_monitoring', 'appeal_email') THEN 4
    ELSE 2
END
WHERE delivered_at IS NULL;
ALTER TABLE outbox DROP COLUMN priority;

-- Which process holds a claim: a process started again under the same name takes its
-- predecessor's claims over at once instead of waiting out their lease.
ALTER TABLE outbox ADD COLUMN locked_by TEXT;
ALTER TABLE timers ADD COLUMN locked_by TEXT;

-- The one «Ещё N новых сообщений» message a group's triage cards beyond what the next minute
-- carries are summed up in, redrawn (not repeated) while that backlog lasts.
CREATE TABLE backlog_summaries (
    messenger  TEXT        NOT NULL,
    chat_id    BIGINT      NOT NULL,
    org_id     BIGINT      NOT NULL REFERENCES organisations(id),
    incidents  TEXT        NOT NULL,
    message_id BIGINT,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (messenger, chat_id)
);
