-- One row that readiness and intake update (and commit) to learn whether the database can take
-- a write now: a read, or BEGIN + ROLLBACK, succeeds on a full disk; a committed UPDATE does not.
CREATE TABLE write_probe (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    n     BIGINT  NOT NULL,
    at    BIGINT  NOT NULL
);
INSERT INTO write_probe (id, n, at) VALUES (1, 0, 0);
