//! convert: the Word document to PDF in the LibreOffice pool.
//!
//! A document that runs the converter out of time holds a LibreOffice instance for the whole
//! timeout and delays every other job: its timeouts are counted in the job row (across attempts
//! and restarts) and at the second one the job is dead with `convert_timeout`.

use office_convert::ConvertError;

use super::artifact;
use super::Next;
use crate::domain::job::{Artifact, JobStage};
use crate::jobs::{Deps, JobRecord, StageError};

/// Conversions of one job allowed to run out of time before it is given up on.
const MAX_CONVERT_TIMEOUTS: u32 = 2;

pub async fn run(deps: &Deps, job: &mut JobRecord) -> Result<Next, StageError> {
    let docx = artifact(deps, job, Artifact::Docx).await?;
    let pdf = match deps.converter.convert(docx).await {
        Ok(pdf) => pdf,
        Err(e @ ConvertError::Timeout(_)) => {
            let count = deps.store.count_convert_timeout(&job.lease).await?;
            let message = format!("{e} (timeout {count} of at most {MAX_CONVERT_TIMEOUTS})");
            return Err(if count >= MAX_CONVERT_TIMEOUTS {
                StageError::permanent("convert_timeout", message)
            } else {
                StageError::transient("convert_timeout", message)
            });
        }
        Err(e) => return Err(e.into()),
    };
    deps.store
        .advance_with_artifact(&job.lease, JobStage::Store, Artifact::Pdf, &pdf)
        .await?;
    Ok(Next::Stage(JobStage::Store))
}
