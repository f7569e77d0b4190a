//! render: the profile's Word template filled with the report context (and its chart).

use super::profile_of;
use super::Next;
use crate::domain::job::{Artifact, JobStage};
use crate::jobs::{Deps, JobRecord, StageError};

pub async fn run(deps: &Deps, job: &mut JobRecord) -> Result<Next, StageError> {
    let profile = profile_of(deps, job)?;
    let docx = deps
        .profiles
        .render_report(&profile, job.context()?)
        .await?;
    deps.store
        .advance_with_artifact(&job.lease, JobStage::Convert, Artifact::Docx, &docx)
        .await?;
    Ok(Next::Stage(JobStage::Convert))
}
