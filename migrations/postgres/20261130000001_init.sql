-- Every webhook accepted is an event; an event that needs a report has exactly one job.
CREATE TABLE events (
    id           BIGSERIAL PRIMARY KEY,
    -- assessment id + user id (+ submission id): LearnWorlds sends no delivery id.
    dedup_key    TEXT    NOT NULL UNIQUE,
    kind         TEXT    NOT NULL,
    received_at  BIGINT  NOT NULL,
    payload      TEXT    NOT NULL
);

CREATE TABLE jobs (
    id              BIGSERIAL PRIMARY KEY,
    event_id        BIGINT  NOT NULL UNIQUE REFERENCES events (id),
    state           TEXT    NOT NULL,           -- queued | running | done | dead
    stage           TEXT    NOT NULL,           -- next stage to run
    attempts        BIGINT  NOT NULL DEFAULT 0,
    run_at          BIGINT  NOT NULL,
    lease_until     BIGINT,
    last_error      TEXT,
    last_error_code TEXT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    finished_at     BIGINT,
    -- outputs of finished stages, so a retry resumes where it failed
    submission      TEXT,
    analysis        TEXT,
    report_key      TEXT,
    email_sent_at   BIGINT
);
CREATE INDEX jobs_due ON jobs (state, run_at);

-- Intermediate documents (docx, pdf) between stages; deleted when the job is done.
CREATE TABLE artifacts (
    job_id  BIGINT NOT NULL REFERENCES jobs (id),
    name    TEXT   NOT NULL,
    data    BYTEA  NOT NULL,
    PRIMARY KEY (job_id, name)
);
