//! How a stage failure is recorded: a stable code for the operator, a message, and what the
//! worker does next.

use crate::db::StoreError;
use crate::files::StorageError;
use crate::learnworlds::LwError;
use crate::mail::MailError;
use crate::rules::ProfileError;

/// What the worker does with a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Back to the queue with back-off, until `JOB_MAX_ATTEMPTS`.
    Retry,
    /// Retrying cannot help (bad recipient address, empty submission): the job is dead at once.
    GiveUp,
    /// Another worker holds the job now: stop and write nothing.
    LeaseLost,
    /// LearnWorlds is failing for everyone (5xx, 429 past our retries, out of reach): back to
    /// the queue with a back-off that grows with the job's age, without using an attempt, so
    /// an outage of a day kills nobody's job.
    Outage,
    /// Held by something every job shares (a mail park, the sending limits): back to the
    /// queue, due at this time (ms), without using an attempt.
    WaitUntil(i64),
}

#[derive(Debug, Clone)]
pub struct StageError {
    pub code: &'static str,
    pub message: String,
    pub disposition: Disposition,
}

impl StageError {
    pub fn transient(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            disposition: Disposition::Retry,
        }
    }

    pub fn permanent(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            disposition: Disposition::GiveUp,
        }
    }

    fn retry_unless(permanent: bool, code: &'static str, message: String) -> Self {
        if permanent {
            Self::permanent(code, message)
        } else {
            Self::transient(code, message)
        }
    }

    /// The job waits until `until_ms` without using an attempt; `message` says why.
    pub fn wait_until(code: &'static str, until_ms: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            disposition: Disposition::WaitUntil(until_ms),
        }
    }

    pub fn lease_lost(job_id: i64) -> Self {
        Self {
            code: "lease_lost",
            message: StoreError::LeaseLost(job_id).to_string(),
            disposition: Disposition::LeaseLost,
        }
    }

    pub fn is_permanent(&self) -> bool {
        self.disposition == Disposition::GiveUp
    }
}

impl std::fmt::Display for StageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

// Errors an operator can fix (a missing bank, a template typo, credentials) stay transient, so
// jobs recover by themselves once fixed within the retry window, and `requeue` covers the rest.

impl From<LwError> for StageError {
    fn from(e: LwError) -> Self {
        if e.is_outage() {
            return Self {
                code: e.code(),
                message: e.to_string(),
                disposition: Disposition::Outage,
            };
        }
        Self::retry_unless(!e.is_transient(), e.code(), e.to_string())
    }
}

impl From<office_convert::ConvertError> for StageError {
    fn from(e: office_convert::ConvertError) -> Self {
        Self::retry_unless(!e.is_transient(), "pdf_conversion", e.to_string())
    }
}

impl From<StorageError> for StageError {
    fn from(e: StorageError) -> Self {
        Self::transient("storage_unavailable", e.to_string())
    }
}

impl From<StoreError> for StageError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::LeaseLost(job_id) => Self::lease_lost(job_id),
            other => Self::transient("database_unavailable", other.to_string()),
        }
    }
}

impl From<MailError> for StageError {
    fn from(e: MailError) -> Self {
        Self::retry_unless(e.is_permanent(), e.code(), e.to_string())
    }
}

impl From<ProfileError> for StageError {
    fn from(e: ProfileError) -> Self {
        Self::retry_unless(e.is_permanent(), e.code(), e.to_string())
    }
}
