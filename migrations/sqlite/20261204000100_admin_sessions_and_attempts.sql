-- The dashboard's sessions, kept in the database so that any instance behind the load
-- balancer recognises a login. Only the SHA-256 of the cookie's value is stored: a copy of the
-- table logs nobody in. Each session has its own CSRF token for the forms it is shown.
CREATE TABLE admin_sessions (
    token_hash  TEXT    PRIMARY KEY,
    csrf_token  TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL
);
CREATE INDEX admin_sessions_expiry ON admin_sessions (expires_at);

-- Each failed attempt of a job (the stage it failed in, its code and message), so that the
-- dashboard shows a submission's whole history, not only its last error.
CREATE TABLE job_attempts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id      BIGINT  NOT NULL REFERENCES jobs (id),
    at          BIGINT  NOT NULL,
    stage       TEXT    NOT NULL CHECK (stage IN ('fetch', 'analyse', 'render', 'convert', 'store', 'email', 'record', 'done')),
    error_code  TEXT    NOT NULL,
    error       TEXT    NOT NULL
);
CREATE INDEX job_attempts_job ON job_attempts (job_id);
