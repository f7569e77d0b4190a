//! What the rules read, loaded from storage (local disk or the bucket) and cached: the profiles
//! file and its routing spreadsheet (reloaded in the background), question banks, conversion
//! tables and Word templates; and `config check`, which loads them all as a job would.

pub mod banks;
mod cache;
pub mod check;
pub mod profiles_file;
pub mod registry;
pub mod sample_student;
pub mod template_candidates;
pub mod template_install;

#[cfg(test)]
mod tests_reload;

pub use registry::{ProfileRegistry, ProfilesSettings};
