//! The job as a worker holds it: the claim's lease and every stored stage output, parsed once
//! per claim into typed values.

use crate::db::{ClaimedJob, Lease};
use crate::domain::context::ReportContext;
use crate::domain::event::SubmissionEvent;
use crate::domain::job::JobStage;
use crate::domain::route::{RouteTarget, RoutedEvent};
use crate::domain::submission::Submission;

use super::StageError;

#[derive(Debug, Clone)]
pub struct JobRecord {
    pub id: i64,
    pub event_id: i64,
    pub lease: Lease,
    /// The next stage to run.
    pub stage: JobStage,
    /// Including this attempt.
    pub attempts: u32,
    pub event: SubmissionEvent,
    pub route: RouteTarget,
    /// Output of fetch.
    pub submission: Option<Submission>,
    /// Output of analyse.
    pub context: Option<ReportContext>,
    /// Output of store: where the PDF is.
    pub report_key: Option<String>,
    pub email_sent_at: Option<i64>,
    /// Earlier hand-overs to the mail server whose outcome is unknown.
    pub email_handovers: u32,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StageError {
    StageError::permanent(
        "job_record_corrupt",
        format!("stored {what} cannot be read: {e}"),
    )
}

impl JobRecord {
    pub fn parse(job: ClaimedJob) -> Result<Self, StageError> {
        let routed: RoutedEvent =
            serde_json::from_str(&job.payload).map_err(|e| corrupt("event", e))?;
        let submission = job
            .submission
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| corrupt("submission", e))?;
        let context = job
            .analysis
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| corrupt("report context", e))?;
        Ok(Self {
            id: job.lease.job_id,
            event_id: job.event_id,
            lease: job.lease,
            stage: job.stage,
            attempts: job.attempts,
            event: routed.event,
            route: routed.route,
            submission,
            context,
            report_key: job.report_key,
            email_sent_at: job.email_sent_at,
            email_handovers: job.email_handovers,
        })
    }

    /// The output of a stage this job has passed; its absence means the stored record
    /// contradicts its stage.
    pub fn submission(&self) -> Result<&Submission, StageError> {
        self.submission
            .as_ref()
            .ok_or_else(|| corrupt("submission", "missing after the fetch stage"))
    }

    pub fn context(&self) -> Result<&ReportContext, StageError> {
        self.context
            .as_ref()
            .ok_or_else(|| corrupt("report context", "missing after the analyse stage"))
    }

    /// The student's address: the webhook's, else the API's.
    pub fn recipient(&self) -> Result<String, StageError> {
        self.event
            .email
            .clone()
            .or_else(|| self.submission.as_ref().and_then(|s| s.email.clone()))
            .ok_or_else(|| {
                StageError::permanent(
                    "no_recipient",
                    "neither the webhook nor the API gave the student's email",
                )
            })
    }
}
