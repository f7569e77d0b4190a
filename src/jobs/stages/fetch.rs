//! fetch: the student's submission, with its answers, from the LearnWorlds API.

use super::Next;
use crate::db::StageOutput;
use crate::domain::job::JobStage;
use crate::jobs::{Deps, JobRecord, StageError};

pub async fn run(deps: &Deps, job: &mut JobRecord) -> Result<Next, StageError> {
    let event = &job.event;
    let submission = deps
        .learnworlds
        .submission(
            &event.assessment_id,
            &event.user_id,
            event.submission_id.as_deref(),
        )
        .await?;
    let json = serde_json::to_string(&submission)
        .map_err(|e| StageError::permanent("job_record_corrupt", e.to_string()))?;
    deps.store
        .advance(
            &job.lease,
            JobStage::Analyse,
            StageOutput::Submission(&json),
        )
        .await?;
    job.submission = Some(submission);
    Ok(Next::Stage(JobStage::Analyse))
}
