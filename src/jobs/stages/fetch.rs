//! fetch: the student's submission, with its answers, from the LearnWorlds API — fetched with
//! the other students of the assessment waiting for theirs (see `jobs::answers`).

use super::Next;
use crate::db::StageOutput;
use crate::domain::job::JobStage;
use crate::jobs::answers::Wanted;
use crate::jobs::{Deps, JobRecord, StageError};
use crate::learnworlds::{not_visible, LwError};

pub async fn run(deps: &Deps, job: &mut JobRecord) -> Result<Next, StageError> {
    let event = &job.event;
    let want = Wanted {
        job_id: job.id,
        assessment_id: &event.assessment_id,
        user_id: &event.user_id,
        submission_id: event.submission_id.as_deref(),
    };
    let cfg = deps.learnworlds.config();
    let mut looked = 0;
    // Just after the webhook the submission may not be listed yet: look again a few times
    // (joining later batches) before the job is retried with back-off.
    let submission = loop {
        let found = deps
            .answers
            .find(&deps.store, &deps.learnworlds, cfg.batch_users, &want)
            .await?;
        if let Some(s) = found {
            break s;
        }
        if looked >= cfg.visibility_retries {
            return Err(not_visible(want.user_id, want.submission_id).into());
        }
        looked += 1;
        tracing::debug!(attempt = looked, "submission not visible yet, waiting");
        tokio::time::sleep(cfg.visibility_delay).await;
    };
    let mut submission = submission;
    submission.display_name = display_name(deps, want.user_id).await;
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

/// The student's name for the greeting. A failed lookup costs the report nothing: it greets
/// with the username or email instead (logged, without the name).
async fn display_name(deps: &Deps, user_id: &str) -> Option<String> {
    match deps.learnworlds.display_name(user_id).await {
        Ok(name) => name,
        // A burst uses the budget for answers; skipping the name then is the design.
        Err(e @ LwError::NoSpareRequest) => {
            tracing::debug!(
                code = e.code(),
                "no request to spare for the student's name, greeting by username"
            );
            None
        }
        Err(e) => {
            tracing::info!(code = e.code(), error = %e, "student's name not available, greeting by username");
            None
        }
    }
}
