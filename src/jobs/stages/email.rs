//! email: the report to the student, at most once per job.
//!
//! The fence makes a second send impossible once the first is recorded: `mark_email_sent`
//! matches only the lease holder and only while no send is recorded. Right before handing the
//! message over, the worker confirms it still holds an unexpired lease, so a worker that stalled
//! past its lease never sends; what is left is a mail server that accepts the message while the
//! database is unreachable for longer than the lease, which the start-up check on
//! `JOB_LEASE_SECONDS` keeps far beyond `SMTP_TIMEOUT_SECONDS`.

use tracing::info;

use super::Next;
use super::{artifact, profile_of};
use crate::db::now_ms;
use crate::domain::job::{Artifact, JobStage};
use crate::jobs::{Deps, JobRecord, StageError};
use crate::mail::{report_email, ReportEmail};
use crate::rules::delivery::email_for;

pub async fn run(deps: &Deps, job: &mut JobRecord) -> Result<Next, StageError> {
    if job.email_sent_at.is_some() {
        return Ok(Next::Stage(JobStage::Record));
    }
    let pdf = match artifact(deps, job, Artifact::Pdf).await {
        Ok(pdf) => pdf,
        // Kept in storage by the store stage: the database copy is only a convenience.
        Err(_) => {
            let key = job.report_key.clone().unwrap_or_default();
            deps.storage
                .get(&key)
                .await?
                .ok_or_else(|| {
                    StageError::transient("report_missing", format!("{key} is not in storage"))
                })?
                .to_vec()
        }
    };
    let to = job.recipient()?;
    let profile = profile_of(deps, job)?;
    let ctx = job.context()?;
    let parts = email_for(&profile, ctx)?;
    let message = report_email(
        &deps.mail,
        ReportEmail {
            to: &to,
            to_name: &ctx.student.name,
            subject: &parts.subject,
            body: parts.body,
            attachment_name: &parts.attachment,
            pdf,
            message_id: message_id(job, &deps.mail.from),
        },
    )?;
    deps.store.confirm_lease(&job.lease).await?;
    deps.mailer.send(&message).await?;
    let sent_at = now_ms();
    // Recorded before anything else can fail: from here on the job never sends again.
    deps.store.mark_email_sent(&job.lease, sent_at).await?;
    job.email_sent_at = Some(sent_at);
    info!(job_id = job.id, assessment_id = %job.event.assessment_id, user_id = %job.event.user_id, "report emailed");
    Ok(Next::Stage(JobStage::Record))
}

/// Stable across retries of the same job, so a duplicate (should one ever happen) is
/// recognisable by the receiving mail system.
fn message_id(job: &JobRecord, from: &str) -> String {
    let domain = from
        .rsplit('@')
        .next()
        .map(|d| d.trim_end_matches('>').trim())
        .filter(|d| !d.is_empty() && !d.contains(' '))
        .unwrap_or("webhook-service.local");
    format!("<report-{}-{}@{}>", job.event_id, job.id, domain)
}
