-- Conversions of the job that ran out of time, kept across attempts and restarts: a document
-- that times the converter out twice is given up on instead of holding LibreOffice again.
ALTER TABLE jobs ADD COLUMN convert_timeouts BIGINT NOT NULL DEFAULT 0;
-- Times the report was handed to the mail server without a recorded outcome (written before
-- each hand-over, taken back when the server clearly refused): a job reclaimed with one is not
-- sent blindly again (jobs/stages/email.rs).
ALTER TABLE jobs ADD COLUMN email_handovers BIGINT NOT NULL DEFAULT 0;
