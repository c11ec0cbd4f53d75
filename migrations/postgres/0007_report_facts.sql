-- What reports read of each incident, kept up to date with every change of it (in the same
-- transaction): one row per incident, one per department part, one per stage run. Reports over
-- a month of a busy region read these instead of every incident's workflow document.

CREATE TABLE report_incidents (
    incident_id    BIGINT PRIMARY KEY REFERENCES incidents(id),
    org_id         BIGINT  NOT NULL REFERENCES organisations(id),
    number         BIGINT  NOT NULL,
    source         TEXT    NOT NULL,
    url            TEXT    NOT NULL,
    is_repeat      BOOLEAN NOT NULL,
    state          TEXT    NOT NULL,
    importance     TEXT    NOT NULL,
    topic          TEXT,
    location       TEXT,
    detected_at    TIMESTAMPTZ NOT NULL,
    routed_at      TIMESTAMPTZ,
    first_draft_at TIMESTAMPTZ,
    approved_at    TIMESTAMPTZ,
    answered_at    TIMESTAMPTZ,
    answered_in    BIGINT
);
CREATE INDEX report_incidents_period ON report_incidents (org_id, detected_at);

CREATE TABLE report_parts (
    incident_id   BIGINT  NOT NULL REFERENCES incidents(id),
    part_no       BIGINT  NOT NULL,
    org_id        BIGINT  NOT NULL,
    detected_at   TIMESTAMPTZ NOT NULL,
    department_id BIGINT  NOT NULL,
    executor_id   BIGINT  NOT NULL,
    state         TEXT    NOT NULL,
    reworks       BIGINT  NOT NULL,
    first_try     BOOLEAN,
    answered_in   BIGINT,
    PRIMARY KEY (incident_id, part_no)
);
CREATE INDEX report_parts_period ON report_parts (org_id, detected_at);

CREATE TABLE report_runs (
    incident_id   BIGINT  NOT NULL REFERENCES incidents(id),
    run_no        BIGINT  NOT NULL,
    org_id        BIGINT  NOT NULL,
    detected_at   TIMESTAMPTZ NOT NULL,
    part_no       BIGINT,
    stage         TEXT    NOT NULL,
    executor_id   BIGINT,
    started_at    TIMESTAMPTZ NOT NULL,
    deadline_at   TIMESTAMPTZ,
    escalation_at TIMESTAMPTZ,
    ended_at      TIMESTAMPTZ,
    late_seconds  BIGINT,
    PRIMARY KEY (incident_id, run_no)
);
-- Only runs that broke their deadline, or are still going with one, are read by reports.
CREATE INDEX report_runs_late ON report_runs (org_id, detected_at)
    WHERE late_seconds > 0 OR (ended_at IS NULL AND deadline_at IS NOT NULL);
