-- What reports read of each incident, kept up to date with every change of it (in the same
-- transaction): one row per incident (its department parts packed in `parts`) and one per stage
-- run. Reports over a month of a busy region read these instead of every incident's workflow
-- document. Instants are Unix seconds: a month's rows are read and compared as integers.

CREATE TABLE report_incidents (
    incident_id    BIGINT  PRIMARY KEY REFERENCES incidents(id),
    org_id         BIGINT  NOT NULL REFERENCES organisations(id),
    number         BIGINT  NOT NULL,
    source         TEXT    NOT NULL,
    url            TEXT    NOT NULL,
    is_repeat      BOOLEAN NOT NULL,
    state          TEXT    NOT NULL,
    importance     TEXT    NOT NULL,
    topic          TEXT,
    location       TEXT,
    detected_at    BIGINT  NOT NULL,
    routed_at      BIGINT,
    first_draft_at BIGINT,
    approved_at    BIGINT,
    answered_at    BIGINT,
    answered_in    BIGINT,
    -- [[department, executor, returned, reworks, first_try, answered_in], ...]
    parts          TEXT    NOT NULL
);
CREATE INDEX report_incidents_period ON report_incidents (org_id, detected_at);

CREATE TABLE report_runs (
    incident_id   BIGINT  NOT NULL REFERENCES incidents(id),
    run_no        BIGINT  NOT NULL,
    org_id        BIGINT  NOT NULL,
    detected_at   BIGINT  NOT NULL,
    part_no       BIGINT,
    stage         TEXT    NOT NULL,
    executor_id   BIGINT,
    started_at    BIGINT  NOT NULL,
    deadline_at   BIGINT,
    escalation_at BIGINT,
    ended_at      BIGINT,
    late_seconds  BIGINT,
    PRIMARY KEY (incident_id, run_no)
);
-- Only runs that broke their deadline, or are still going with one, are read by reports.
CREATE INDEX report_runs_late ON report_runs (org_id, detected_at)
    WHERE late_seconds > 0 OR (ended_at IS NULL AND deadline_at IS NOT NULL);
