//! Integration tests against a real LibreOffice (Debian 12:
//! `scripts/install-deps.sh`). One test binary so that the modules share
//! helpers and cargo links once.

mod common;
// The pool's fidelity against soffice is tested once, in the service's tests/api/fidelity.rs;
// the word reader here serves the native converter's gate.
#[cfg(feature = "native")]
mod docx_words;
#[cfg(feature = "native")]
mod native;
mod pool;
mod pool_faults;
mod spawn;
