//! store: the PDF into storage (local disk or the bucket) under the profile's file name.

use bytes::Bytes;

use super::Next;
use super::{artifact, profile_of};
use crate::db::StageOutput;
use crate::domain::job::{Artifact, JobStage};
use crate::jobs::{Deps, JobRecord, StageError};
use crate::rules::delivery::output_keys_for;

pub async fn run(deps: &Deps, job: &mut JobRecord) -> Result<Next, StageError> {
    let pdf = artifact(deps, job, Artifact::Pdf).await?;
    let profile = profile_of(deps, job)?;
    let (key, _) = output_keys_for(&profile, job.context()?);
    deps.storage.put(&key, Bytes::from(pdf)).await?;
    deps.store
        .advance(&job.lease, JobStage::Email, StageOutput::ReportKey(&key))
        .await?;
    job.report_key = Some(key);
    Ok(Next::Stage(JobStage::Email))
}
