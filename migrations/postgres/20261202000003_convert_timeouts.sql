-- Conversions of the job that ran out of time, kept across attempts and restarts: a document
-- that times the converter out twice is given up on instead of holding LibreOffice again.
ALTER TABLE jobs ADD COLUMN convert_timeouts BIGINT NOT NULL DEFAULT 0;
