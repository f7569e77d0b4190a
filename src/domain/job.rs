//! The job's typed state: where it is in its life (state), which stage runs next (stage), and the
//! documents kept between stages (artifacts). The database stores their `as_str` spellings,
//! and the migrations' `CHECK` constraints admit exactly these.

use std::fmt;
use std::str::FromStr;

/// The stages of a report job, in order. A job records the next stage to run, so a retry
/// resumes there and never repeats a stage that succeeded (in particular, the email).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum JobStage {
    Fetch,
    Analyse,
    Render,
    Convert,
    Store,
    Email,
    /// Bookkeeping after the email (processed.csv); retrying it never resends the email.
    Record,
    Done,
}

impl JobStage {
    pub const ALL: [JobStage; 8] = [
        Self::Fetch,
        Self::Analyse,
        Self::Render,
        Self::Convert,
        Self::Store,
        Self::Email,
        Self::Record,
        Self::Done,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fetch => "fetch",
            Self::Analyse => "analyse",
            Self::Render => "render",
            Self::Convert => "convert",
            Self::Store => "store",
            Self::Email => "email",
            Self::Record => "record",
            Self::Done => "done",
        }
    }
}

impl fmt::Display for JobStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JobStage {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown job stage '{s}'"))
    }
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Waiting for a worker (new, or due again after a failure at `run_at`).
    Queued,
    /// Claimed by a worker that holds its lease.
    Running,
    /// Emailed and recorded.
    Done,
    /// Given up on; stays until the operator requeues it.
    Dead,
}

impl JobState {
    pub const ALL: [JobState; 4] = [Self::Queued, Self::Running, Self::Done, Self::Dead];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Dead => "dead",
        }
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JobState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown job state '{s}'"))
    }
}

/// A document kept between two stages of a running job, deleted when the job is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Artifact {
    /// The filled Word document (render → convert).
    Docx,
    /// The PDF (convert → store, email).
    Pdf,
}

impl Artifact {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Docx => "docx",
            Self::Pdf => "pdf",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_and_stage_reads_back_from_its_spelling() {
        for state in JobState::ALL {
            assert_eq!(state.as_str().parse::<JobState>(), Ok(state));
        }
        for stage in JobStage::ALL {
            assert_eq!(stage.as_str().parse::<JobStage>(), Ok(stage));
        }
        assert!("sent".parse::<JobState>().is_err());
    }
}
