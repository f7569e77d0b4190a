-- Typed job record: states, stages and artifact names are the code's enums (CHECK), and a
-- lease token fences every write of the worker holding a job.
ALTER TABLE jobs ADD COLUMN lease_token BIGINT;
ALTER TABLE jobs ADD CONSTRAINT jobs_state_known
    CHECK (state IN ('queued', 'running', 'done', 'dead'));
ALTER TABLE jobs ADD CONSTRAINT jobs_stage_known
    CHECK (stage IN ('fetch', 'analyse', 'render', 'convert', 'store', 'email', 'record', 'done'));
ALTER TABLE artifacts ADD CONSTRAINT artifacts_name_known CHECK (name IN ('docx', 'pdf'));
