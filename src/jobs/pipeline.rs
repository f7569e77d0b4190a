//! The stages of one report job. Each stage records its output before the next starts, so a
//! retry resumes at the stage that failed.

use std::sync::Arc;

use bytes::Bytes;
use tracing::info;

use super::JobError;
use crate::config::MailConfig;
use crate::intake::SubmissionEvent;
use crate::learnworlds::{LearnWorlds, Submission};
use crate::mail::{report_email, MailTransport, ReportEmail};
use crate::profiles::{job as profile_job, ProfileRegistry};
use crate::report;
use crate::storage::Storage;
use crate::store::{ClaimedJob, JobStage, Store};

pub struct Pipeline {
    pub store: Store,
    pub storage: Storage,
    pub learnworlds: LearnWorlds,
    /// Report types: routing, banks, rules, templates, emails, file names.
    pub profiles: Arc<ProfileRegistry>,
    pub converter: Arc<dyn office_convert::Converter>,
    pub mailer: Box<dyn MailTransport>,
    pub mail: MailConfig,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> JobError {
    JobError::permanent(
        "job_record_corrupt",
        format!("stored {what} cannot be read: {e}"),
    )
}

impl Pipeline {
    /// Runs the job's remaining stages.
    pub async fn run(&self, job: &mut ClaimedJob) -> Result<(), JobError> {
        let event: SubmissionEvent =
            serde_json::from_str(&job.payload).map_err(|e| corrupt("event", e))?;
        loop {
            let stage = job.stage;
            tracing::debug!(job_id = job.id, %stage, "stage starts");
            match stage {
                JobStage::Fetch => {
                    let submission = self
                        .learnworlds
                        .submission(
                            &event.assessment_id,
                            &event.user_id,
                            event.submission_id.as_deref(),
                        )
                        .await?;
                    let json =
                        serde_json::to_string(&submission).map_err(|e| corrupt("submission", e))?;
                    self.store
                        .advance(job.id, JobStage::Analyse, Some(("submission", &json)))
                        .await?;
                    job.submission = Some(json);
                }
                JobStage::Analyse => {
                    let submission = self.submission(job)?;
                    let json =
                        profile_job::analyse(&self.profiles, &job.payload, &event, &submission)
                            .await?;
                    self.store
                        .advance(job.id, JobStage::Render, Some(("analysis", &json)))
                        .await?;
                    job.analysis = Some(json);
                }
                JobStage::Render => {
                    let Some((ctx, value)) = profile_job::stored_context(job.analysis.as_deref())
                    else {
                        // Analysed before report profiles existed: analyse again.
                        job.stage = JobStage::Analyse;
                        continue;
                    };
                    let docx = profile_job::render(&self.profiles, &ctx, &value).await?;
                    self.store
                        .advance_with_artifact(job.id, JobStage::Convert, "docx", &docx)
                        .await?;
                }
                JobStage::Convert => {
                    let Some(docx) = self.store.artifact(job.id, "docx").await? else {
                        job.stage = JobStage::Render;
                        continue;
                    };
                    let pdf = self.converter.convert(docx).await?;
                    self.store
                        .advance_with_artifact(job.id, JobStage::Store, "pdf", &pdf)
                        .await?;
                }
                JobStage::Store => {
                    let Some(pdf) = self.store.artifact(job.id, "pdf").await? else {
                        job.stage = JobStage::Convert;
                        continue;
                    };
                    let Some((ctx, _)) = profile_job::stored_context(job.analysis.as_deref())
                    else {
                        job.stage = JobStage::Analyse;
                        continue;
                    };
                    let (key, _) = profile_job::output_keys(&self.profiles, &ctx)?;
                    self.storage.put(&key, Bytes::from(pdf)).await?;
                    self.store
                        .advance(job.id, JobStage::Email, Some(("report_key", &key)))
                        .await?;
                    job.report_key = Some(key);
                }
                JobStage::Email => {
                    if job.email_sent_at.is_none() {
                        if profile_job::stored_context(job.analysis.as_deref()).is_none() {
                            job.stage = JobStage::Analyse;
                            continue;
                        }
                        self.email(job, &event).await?;
                    }
                }
                JobStage::Record => {
                    self.record(job, &event).await?;
                    self.store.finish(job.id).await?;
                }
                JobStage::Done => return Ok(()),
            }
            job.stage = next(stage);
        }
    }

    fn submission(&self, job: &ClaimedJob) -> Result<Submission, JobError> {
        serde_json::from_str(job.submission.as_deref().unwrap_or_default())
            .map_err(|e| corrupt("submission", e))
    }

    /// The report context of the analyse stage.
    fn context(
        &self,
        job: &ClaimedJob,
    ) -> Result<(crate::profiles::ReportContext, serde_json::Value), JobError> {
        profile_job::stored_context(job.analysis.as_deref())
            .ok_or_else(|| corrupt("report context", "missing or from an older version"))
    }

    fn recipient(&self, job: &ClaimedJob, event: &SubmissionEvent) -> Result<String, JobError> {
        event
            .email
            .clone()
            .or_else(|| self.submission(job).ok().and_then(|s| s.email))
            .ok_or_else(|| {
                JobError::permanent(
                    "no_recipient",
                    "neither the webhook nor the API gave the student's email",
                )
            })
    }

    async fn email(&self, job: &mut ClaimedJob, event: &SubmissionEvent) -> Result<(), JobError> {
        let key = job.report_key.clone().unwrap_or_default();
        let pdf = match self.store.artifact(job.id, "pdf").await? {
            Some(pdf) => pdf,
            None => self
                .storage
                .get(&key)
                .await?
                .ok_or_else(|| {
                    JobError::transient("report_missing", format!("{key} is not in storage"))
                })?
                .to_vec(),
        };
        let to = self.recipient(job, event)?;
        let (ctx, value) = self.context(job)?;
        let parts = profile_job::email_parts(&self.profiles, &ctx, &value)?;
        let message = report_email(
            &self.mail,
            ReportEmail {
                to: &to,
                subject: &parts.subject,
                body: parts.body,
                attachment_name: &parts.attachment,
                pdf,
                message_id: message_id(job, &self.mail.from),
            },
        )?;
        self.mailer.send(&message).await?;
        let sent_at = crate::store::now_ms();
        // Recorded before anything else can fail: from here on the job never sends again.
        self.store.mark_email_sent(job.id, sent_at).await?;
        job.email_sent_at = Some(sent_at);
        info!(job_id = job.id, assessment_id = %event.assessment_id, user_id = %event.user_id, "report emailed");
        Ok(())
    }

    async fn record(&self, job: &ClaimedJob, event: &SubmissionEvent) -> Result<(), JobError> {
        let sent = job
            .email_sent_at
            .and_then(chrono::DateTime::from_timestamp_millis)
            .unwrap_or_else(chrono::Utc::now);
        let row = [
            event.user_id.clone(),
            self.recipient(job, event).unwrap_or_default(),
            event.assessment_title.clone(),
            job.report_key.clone().unwrap_or_default(),
            sent.to_rfc3339(),
        ];
        let (ctx, _) = profile_job::stored_context(job.analysis.as_deref())
            .ok_or_else(|| corrupt("analysis", "not a report context"))?;
        let processed_csv = profile_job::output_keys(&self.profiles, &ctx)?.1;
        self.storage
            .append_csv_row(&processed_csv, &report::PROCESSED_HEADER, &row, 3)
            .await?;
        Ok(())
    }
}

fn next(stage: JobStage) -> JobStage {
    let i = JobStage::ALL
        .iter()
        .position(|s| *s == stage)
        .unwrap_or(JobStage::ALL.len() - 1);
    JobStage::ALL[(i + 1).min(JobStage::ALL.len() - 1)]
}

/// Stable across retries of the same job, so a duplicate (should one ever happen) is
/// recognisable by the receiving mail system.
fn message_id(job: &ClaimedJob, from: &str) -> String {
    let domain = from
        .rsplit('@')
        .next()
        .map(|d| d.trim_end_matches('>').trim())
        .filter(|d| !d.is_empty() && !d.contains(' '))
        .unwrap_or("webhook-service.local");
    format!("<report-{}-{}@{}>", job.event_id, job.id, domain)
}
