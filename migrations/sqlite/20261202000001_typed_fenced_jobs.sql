-- Typed job record: states, stages and artifact names are the code's enums (CHECK), and a
-- lease token fences every write of the worker holding a job. SQLite cannot add a CHECK to an
-- existing column, so both tables are rebuilt, in an order that never drops a table another
-- one still references (renaming a table rewrites the references to it).

CREATE TABLE jobs_typed (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id        BIGINT  NOT NULL UNIQUE REFERENCES events (id),
    state           TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
    stage           TEXT    NOT NULL CHECK (stage IN ('fetch', 'analyse', 'render', 'convert', 'store', 'email', 'record', 'done')),
    attempts        BIGINT  NOT NULL DEFAULT 0,
    run_at          BIGINT  NOT NULL,
    lease_until     BIGINT,
    -- written by each claim; every later write of that worker must name it
    lease_token     BIGINT,
    last_error      TEXT,
    last_error_code TEXT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    finished_at     BIGINT,
    submission      TEXT,
    analysis        TEXT,
    report_key      TEXT,
    email_sent_at   BIGINT
);
INSERT INTO jobs_typed (id, event_id, state, stage, attempts, run_at, lease_until, last_error,
                        last_error_code, created_at, updated_at, finished_at, submission, analysis,
                        report_key, email_sent_at)
    SELECT id, event_id, state, stage, attempts, run_at, lease_until, last_error, last_error_code,
           created_at, updated_at, finished_at, submission, analysis, report_key, email_sent_at
    FROM jobs;

CREATE TABLE artifacts_typed (
    job_id  BIGINT NOT NULL REFERENCES jobs_typed (id),
    name    TEXT   NOT NULL CHECK (name IN ('docx', 'pdf')),
    data    BLOB   NOT NULL,
    PRIMARY KEY (job_id, name)
);
INSERT INTO artifacts_typed (job_id, name, data) SELECT job_id, name, data FROM artifacts;

DROP TABLE artifacts;
DROP TABLE jobs;
ALTER TABLE jobs_typed RENAME TO jobs;
ALTER TABLE artifacts_typed RENAME TO artifacts;
CREATE INDEX jobs_due ON jobs (state, run_at);
