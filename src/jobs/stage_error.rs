//! How a stage failure is recorded: a stable code for the operator, a message, and whether
//! trying again can help.

use crate::learnworlds::LwError;
use crate::mail::MailError;
use crate::storage::StorageError;
use crate::store::StoreError;

#[derive(Debug, Clone)]
pub struct JobError {
    pub code: &'static str,
    pub message: String,
    /// Retrying cannot help (bad recipient address, empty submission): the job goes `dead` at once.
    pub permanent: bool,
}

impl JobError {
    pub fn transient(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            permanent: false,
        }
    }

    pub fn permanent(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            permanent: true,
        }
    }
}

impl std::fmt::Display for JobError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

// Errors an operator can fix (a missing bank, a template typo, credentials) stay transient, so
// jobs recover by themselves once fixed within the retry window, and `requeue` covers the rest.

impl From<LwError> for JobError {
    fn from(e: LwError) -> Self {
        Self {
            code: e.code(),
            permanent: !e.is_transient(),
            message: e.to_string(),
        }
    }
}

impl From<office_convert::ConvertError> for JobError {
    fn from(e: office_convert::ConvertError) -> Self {
        Self {
            code: "pdf_conversion",
            permanent: !e.is_transient(),
            message: e.to_string(),
        }
    }
}

impl From<StorageError> for JobError {
    fn from(e: StorageError) -> Self {
        Self::transient("storage_unavailable", e.to_string())
    }
}

impl From<StoreError> for JobError {
    fn from(e: StoreError) -> Self {
        Self::transient("database_unavailable", e.to_string())
    }
}

impl From<MailError> for JobError {
    fn from(e: MailError) -> Self {
        Self {
            code: e.code(),
            permanent: e.is_permanent(),
            message: e.to_string(),
        }
    }
}
