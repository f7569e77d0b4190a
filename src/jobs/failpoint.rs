//! Fail points for the fault tests: `FAILPOINT=<name>` in the environment of a debug build
//! makes the process SIGKILL itself when a job reaches that point, so a test can prove that a
//! crash there loses nobody and emails nobody twice (tests/api/faults.rs). Release builds
//! compile every point to nothing: no setting can kill a production process.

/// Where a job can be made to die, in the order a job passes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailPoint {
    /// The job is claimed (its lease taken), nothing done yet.
    AfterClaim,
    /// The Word document is recorded.
    AfterRender,
    /// The PDF is recorded.
    AfterConvert,
    /// The PDF is in storage and its key recorded.
    AfterStore,
    /// The mail server accepted the report; the send is not recorded yet.
    AfterSmtpAccept,
}

impl FailPoint {
    pub const ALL: [Self; 5] = [
        Self::AfterClaim,
        Self::AfterRender,
        Self::AfterConvert,
        Self::AfterStore,
        Self::AfterSmtpAccept,
    ];

    /// The value of `FAILPOINT` that arms this point.
    pub fn name(self) -> &'static str {
        match self {
            Self::AfterClaim => "after_claim",
            Self::AfterRender => "after_render",
            Self::AfterConvert => "after_convert",
            Self::AfterStore => "after_store",
            Self::AfterSmtpAccept => "after_smtp_accept",
        }
    }
}

/// Dies here when `FAILPOINT` names this point (debug builds only).
#[cfg(debug_assertions)]
pub fn hit(point: FailPoint) {
    static ARMED: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let armed = ARMED.get_or_init(|| std::env::var("FAILPOINT").ok());
    if armed.as_deref() != Some(point.name()) {
        return;
    }
    eprintln!("FAILPOINT {}: killing the process", point.name());
    // SIGKILL, not a panic or an exit: no destructor, no flush, no graceful shutdown runs,
    // exactly as when the machine or the container is killed.
    // SAFETY: kill(2) on our own pid has no memory-safety preconditions.
    unsafe {
        libc::kill(libc::getpid(), libc::SIGKILL);
    }
    std::process::abort();
}

#[cfg(not(debug_assertions))]
#[inline(always)]
pub fn hit(_point: FailPoint) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_point_has_its_own_name() {
        let names: std::collections::HashSet<_> = FailPoint::ALL.iter().map(|p| p.name()).collect();
        assert_eq!(names.len(), FailPoint::ALL.len());
    }
}
