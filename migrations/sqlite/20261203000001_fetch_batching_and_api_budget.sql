-- Which student and assessment a job reports on, so that the jobs of one assessment waiting for
-- their answers can be fetched with one API call (users=a,b,c). Empty for jobs queued before.
ALTER TABLE jobs ADD COLUMN assessment_id TEXT;
ALTER TABLE jobs ADD COLUMN user_id TEXT;
CREATE INDEX jobs_waiting_for_answers ON jobs (assessment_id, stage, state);

-- Submissions a batched call brought back for other jobs than the caller's: each job takes its
-- own from here instead of asking the API again. Rows are dropped after a day (db/fetched.rs).
CREATE TABLE fetched_submissions (
    assessment_id  TEXT    NOT NULL,
    user_id        TEXT    NOT NULL,
    submission_id  TEXT    NOT NULL,
    submitted_at   REAL,
    body           TEXT    NOT NULL,
    fetched_at     BIGINT  NOT NULL,
    PRIMARY KEY (assessment_id, user_id, submission_id)
);
CREATE INDEX fetched_submissions_age ON fetched_submissions (fetched_at);

-- The school's one LearnWorlds budget (30 requests / 10 s), shared by every instance and every
-- caller: one row per request sent, and the pause every caller keeps after a 429.
CREATE TABLE api_calls (
    id  INTEGER PRIMARY KEY AUTOINCREMENT,
    at  BIGINT NOT NULL
);
CREATE INDEX api_calls_at ON api_calls (at);
CREATE TABLE api_pause (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    paused_until  BIGINT  NOT NULL
);
INSERT INTO api_pause (id, paused_until) VALUES (1, 0);
