-- What the operator did (who, when, to which job or event), so that a retried, requeued,
-- resent or rerouted submission shows why it moved.
CREATE TABLE operator_actions (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        BIGINT  NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL CHECK (action IN ('retry', 'requeue', 'resend', 'reroute')),
    job_id    BIGINT  REFERENCES jobs (id),
    event_id  BIGINT  REFERENCES events (id),
    detail    TEXT
);
CREATE INDEX operator_actions_job ON operator_actions (job_id);

-- A delivered report emailed again on the operator's request. The job's own delivery record
-- (email_sent_at) is never touched: each resend is a row of its own, written before the
-- message is handed over ('sending') and completed with its outcome.
CREATE TABLE resends (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id        BIGINT  NOT NULL REFERENCES jobs (id),
    actor         TEXT    NOT NULL,
    recipient     TEXT    NOT NULL,
    resend_state  TEXT    NOT NULL CHECK (resend_state IN ('sending', 'sent', 'failed')),
    requested_at  BIGINT  NOT NULL,
    finished_at   BIGINT,
    error_code    TEXT,
    error         TEXT
);
CREATE INDEX resends_job ON resends (job_id);

-- An unroutable submission (answered 422) that `reroute` queued later: the job it became.
ALTER TABLE events ADD COLUMN rerouted_job_id BIGINT;
CREATE INDEX events_kind ON events (kind);
