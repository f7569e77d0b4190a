//! Integration tests against a real LibreOffice (Debian 12:
//! `scripts/install-deps.sh`). One test binary so that the modules share
//! helpers and cargo links once.

mod common;
mod pdf_options;
mod pool;
mod pool_faults;
mod spawn;
