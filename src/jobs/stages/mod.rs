//! One file per stage, in the order a job runs them. Each reads what earlier stages left in the
//! job record, records its own output through the lease, and names the stage after it.

pub mod analyse;
pub mod convert;
pub mod email;
pub mod fetch;
pub mod mail_gate;
pub mod record;
pub mod render;
pub mod store;

use std::sync::Arc;

use super::{Deps, JobRecord, StageError};
use crate::domain::job::{Artifact, JobStage};
use crate::rules::Profile;

/// What a stage says comes after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Stage(JobStage),
    /// The job is done: emailed and recorded.
    Finished,
}

/// The profile that analysed the job: every later stage uses the same one.
fn profile_of(deps: &Deps, job: &JobRecord) -> Result<Arc<Profile>, StageError> {
    let kind = &job.context()?.report.kind;
    Ok(deps.profiles.current().profile(kind)?)
}

/// A document an earlier stage stored with the job.
async fn artifact(deps: &Deps, job: &JobRecord, which: Artifact) -> Result<Vec<u8>, StageError> {
    deps.store.artifact(job.id, which).await?.ok_or_else(|| {
        StageError::permanent(
            "job_record_corrupt",
            format!(
                "the {} document of stage {} is missing",
                which.as_str(),
                job.stage
            ),
        )
    })
}
