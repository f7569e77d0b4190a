-- The reconciliation sweep (sweep/): per assessment, the newest submission time it has
-- listed, so the next sweep reads only newer pages.
CREATE TABLE sweep_watermarks (
    assessment_id  TEXT PRIMARY KEY,
    submitted_to   DOUBLE PRECISION    NOT NULL,
    swept_at       BIGINT NOT NULL
);
-- One instance sweeps at a time: the holder of this lease.
CREATE TABLE sweep_lease (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    holder  BIGINT,
    until   BIGINT NOT NULL
);
INSERT INTO sweep_lease (id, holder, until) VALUES (1, NULL, 0);
-- What each sweep found, for status and the operator's overview.
CREATE TABLE sweep_runs (
    id            BIGSERIAL PRIMARY KEY,
    started_at    BIGINT NOT NULL,
    finished_at   BIGINT NOT NULL,
    assessments   BIGINT NOT NULL,
    listed        BIGINT NOT NULL,
    queued        BIGINT NOT NULL,
    failed        BIGINT NOT NULL,
    error         TEXT
);
