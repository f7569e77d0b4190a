//! The one integration-test binary: the real application against a fake LearnWorlds, a real
//! SMTP server, real LibreOffice, SQLite files, PostgreSQL and a GCS fake.

mod cli;
mod converter;
mod delivery;
mod expected;
mod fake_gcs;
mod fake_learnworlds;
mod fidelity;
mod helpers;
mod intake;
mod mail;
mod postgres;
mod profiles;
mod resilience;
mod smtp;
mod storage;
mod template;
