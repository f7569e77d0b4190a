//! Runs a job's remaining stages in order. Each stage records its output (fenced by the lease)
//! before the next starts, so a retry resumes at the stage that failed and never repeats one
//! that succeeded — in particular the email.

use super::stages::{analyse, convert, email, fetch, record, render, store, Next};
use super::{Deps, JobRecord, StageError};
use crate::domain::job::JobStage;

pub async fn run(deps: &Deps, job: &mut JobRecord) -> Result<(), StageError> {
    loop {
        tracing::debug!(job_id = job.id, stage = %job.stage, "stage starts");
        let next = match job.stage {
            JobStage::Fetch => fetch::run(deps, job).await?,
            JobStage::Analyse => analyse::run(deps, job).await?,
            JobStage::Render => render::run(deps, job).await?,
            JobStage::Convert => convert::run(deps, job).await?,
            JobStage::Store => store::run(deps, job).await?,
            JobStage::Email => email::run(deps, job).await?,
            JobStage::Record => record::run(deps, job).await?,
            JobStage::Done => Next::Finished,
        };
        match next {
            Next::Stage(stage) => job.stage = stage,
            Next::Finished => return Ok(()),
        }
    }
}
