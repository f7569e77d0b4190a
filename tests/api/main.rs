//! The one integration-test binary: the real application against a fake LearnWorlds, a real
//! SMTP server, real LibreOffice (one warm pool for the whole binary) and a GCS fake, on the
//! database `TEST_DATABASE` names: `sqlite` (default) or `postgres` (scripts/test.sh runs the
//! binary once with each).

mod admin;
mod alerts;
mod batching;
mod cli;
mod converter;
mod database;
mod db_outage;
mod delivery;
mod drafts;
mod durability;
mod expected;
mod fake_gcs;
mod fake_http;
mod fake_learnworlds;
mod fake_s3;
mod faults;
mod fidelity;
mod helpers;
mod hostile;
mod instances;
mod intake;
mod lease;
mod lw_outage;
mod mail;
mod mail_limits;
mod ops;
mod outage;
mod pdf_format;
mod poison;
mod process;
mod profiles;
mod properties;
mod queue;
mod report_content;
mod resilience;
mod sendgrid;
mod smtp;
mod smtp_script;
mod smtp_timeouts;
mod smtp_unknown;
mod storage;
mod storage_s3;
mod students;
mod sweep;
mod template;
mod visual;
