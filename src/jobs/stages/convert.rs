//! convert: the Word document to PDF in the LibreOffice pool.

use super::artifact;
use super::Next;
use crate::domain::job::{Artifact, JobStage};
use crate::jobs::{Deps, JobRecord, StageError};

pub async fn run(deps: &Deps, job: &mut JobRecord) -> Result<Next, StageError> {
    let docx = artifact(deps, job, Artifact::Docx).await?;
    let pdf = deps.converter.convert(docx).await?;
    deps.store
        .advance_with_artifact(&job.lease, JobStage::Store, Artifact::Pdf, &pdf)
        .await?;
    Ok(Next::Stage(JobStage::Store))
}
