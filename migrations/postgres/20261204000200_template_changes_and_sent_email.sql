-- A live Word template replaced (or rolled back) from the dashboard: who, when, which file,
-- the SHA-256 of what was installed, and the storage key where the version it replaced was
-- kept (NULL when there was none), so that it can be restored.
CREATE TABLE template_changes (
    id             BIGSERIAL PRIMARY KEY,
    at             BIGINT  NOT NULL,
    actor          TEXT    NOT NULL,
    action         TEXT    NOT NULL CHECK (action IN ('replace', 'rollback')),
    template_path  TEXT    NOT NULL,
    installed_sha256 TEXT  NOT NULL,
    previous_key   TEXT,
    detail         TEXT
);
CREATE INDEX template_changes_path ON template_changes (template_path);

-- The email a job sent, as sent (recipient, subject, body, attachment name, Message-ID), written
-- with the delivery record: the submission page shows it even after the profile's wording
-- changed. NULL for jobs delivered before it was kept.
ALTER TABLE jobs ADD COLUMN sent_email TEXT;
