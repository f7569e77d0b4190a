-- Mail under a provider's limits, shared by every instance on this database.
--
-- One row: until when all instances hold their mail, and the provider's reply that made them
-- (Gmail's daily quota, a throttle). Jobs waiting on it are re-queued without using an attempt.
CREATE TABLE mail_park (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    parked_until  BIGINT  NOT NULL,
    reason        TEXT    NOT NULL
);
INSERT INTO mail_park (id, parked_until, reason) VALUES (1, 0, '');

-- Every message handed to the mail transport, for MAIL_MAX_PER_HOUR / MAIL_MAX_PER_DAY; a
-- send the server clearly refused is taken back. Rows older than two days are pruned.
CREATE TABLE mail_sends (
    id       BIGSERIAL PRIMARY KEY,
    job_id   BIGINT,
    sent_at  BIGINT  NOT NULL
);
CREATE INDEX mail_sends_at ON mail_sends (sent_at);

-- Operator alerts: when the last summary went out (ALERT_MIN_INTERVAL_SECONDS counts from it,
-- for all instances), and the lines waiting for the next summary (one per key).
CREATE TABLE alert_state (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    last_sent_at  BIGINT  NOT NULL
);
INSERT INTO alert_state (id, last_sent_at) VALUES (1, 0);

CREATE TABLE alerts_pending (
    id         BIGSERIAL PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('job_dead', 'mail_parked', 'no_delivery', 'missed_students')),
    dedup_key  TEXT    NOT NULL UNIQUE,
    line       TEXT    NOT NULL,
    raised_at  BIGINT  NOT NULL
);
