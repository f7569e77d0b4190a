//! Runs a job's remaining stages in order. Each stage records its output (fenced by the lease)
//! before the next starts, so a retry resumes at the stage that failed and never repeats one
//! that succeeded — in particular the email.

use std::time::Instant;

use super::failpoint::{self, FailPoint};
use super::stages::{analyse, convert, email, fetch, record, render, store, Next};
use super::{Deps, JobRecord, StageError};
use crate::domain::job::JobStage;
use crate::telemetry::metrics;

pub async fn run(deps: &Deps, job: &mut JobRecord) -> Result<(), StageError> {
    loop {
        tracing::debug!(job_id = job.id, stage = %job.stage, "stage starts");
        let stage = job.stage;
        let already_sent = job.email_sent_at.is_some();
        let started = Instant::now();
        let result = match stage {
            JobStage::Fetch => fetch::run(deps, job).await,
            JobStage::Analyse => analyse::run(deps, job).await,
            JobStage::Render => render::run(deps, job).await,
            JobStage::Convert => convert::run(deps, job).await,
            JobStage::Store => store::run(deps, job).await,
            JobStage::Email => email::run(deps, job).await,
            JobStage::Record => record::run(deps, job).await,
            JobStage::Done => Ok(Next::Finished),
        };
        metrics::stage_finished(stage.as_str(), result.is_ok(), started.elapsed());
        if stage == JobStage::Email {
            match &result {
                Ok(_) if !already_sent && job.email_sent_at.is_some() => metrics::email_sent(),
                Err(e) if e.disposition != super::Disposition::LeaseLost => {
                    metrics::email_failed(e.code)
                }
                _ => {}
            }
        }
        let next = result?;
        match stage {
            JobStage::Render => failpoint::hit(FailPoint::AfterRender),
            JobStage::Convert => failpoint::hit(FailPoint::AfterConvert),
            JobStage::Store => failpoint::hit(FailPoint::AfterStore),
            _ => {}
        }
        match next {
            Next::Stage(stage) => job.stage = stage,
            Next::Finished => return Ok(()),
        }
    }
}
