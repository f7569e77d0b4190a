//! email: the report to the student, at most once per job.
//!
//! The fence makes a second send impossible once the first is recorded: `mark_email_sent`
//! matches only the lease holder and only while no send is recorded. Right before handing the
//! message over, the worker confirms it still holds an unexpired lease, so a worker that stalled
//! past its lease never sends; what is left is a mail server that accepts the message while the
//! database is unreachable for longer than the lease, which the start-up check on
//! `JOB_LEASE_SECONDS` keeps far beyond `SMTP_TIMEOUT_SECONDS`.
//!
//! Every hand-over to the mail server is recorded first (`email_handovers`) and taken back when
//! the server clearly refused. A hand-over without an outcome — the process died between the
//! server's acceptance and the record, or the connection broke after the message was sent — is
//! resent once, with the same Message-ID (mail stores such as Gmail drop a second copy with the
//! same id, and a student without a report is worse than one duplicate). After a second such
//! hand-over the job stops with `email_outcome_unknown`: the student may have the report, and
//! only the operator can find out before requeueing it.
//!
//! Before any of that, the job passes the mail gate (`mail_gate`): while a provider's quota or
//! throttle reply parks all mail, or the sending limits are full, it goes back to the queue
//! without using an attempt. A park reply is a clear refusal: the hand-over is taken back.

use tracing::info;

use super::{mail_gate, profile_of, Next};
use crate::db::now_ms;
use crate::domain::job::{Artifact, JobStage};
use crate::domain::sent_email::SentEmail;
use crate::jobs::failpoint::{self, FailPoint};
use crate::jobs::{Deps, JobRecord, StageError};
use crate::mail::{report_email, MailError, ReportEmail};
use crate::rules::delivery::email_for;

/// Hand-overs without a recorded outcome after which the job waits for the operator.
const MAX_UNCONFIRMED_HANDOVERS: u32 = 2;

pub async fn run(deps: &Deps, job: &mut JobRecord) -> Result<Next, StageError> {
    if job.email_sent_at.is_some() {
        return Ok(Next::Stage(JobStage::Record));
    }
    // Held for every job alike: a provider's park, the sending limits (checked again when the
    // send is counted, right before the hand-over).
    mail_gate::check_park(deps, job).await?;
    mail_gate::check_room(deps, job).await?;
    let pdf = match deps.store.artifact(job.id, Artifact::Pdf).await? {
        Some(pdf) => pdf,
        // Kept in storage by the store stage: the database copy is only a convenience.
        None => {
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
    let sent = SentEmail {
        to: to.clone(),
        subject: parts.subject.clone(),
        body: parts.body.clone(),
        attachment: parts.attachment.clone(),
        message_id: message_id(job, &deps.mail.from),
    };
    let message = report_email(
        &deps.mail,
        ReportEmail {
            to: &to,
            to_name: &ctx.student.name,
            subject: &parts.subject,
            body: parts.body,
            attachment_name: &parts.attachment,
            pdf,
            message_id: sent.message_id.clone(),
        },
    )?;
    if job.email_handovers >= MAX_UNCONFIRMED_HANDOVERS {
        return Err(StageError::permanent(
            "email_outcome_unknown",
            format!(
                "the report was handed to the mail server {} times without a confirmation; the \
                 student may have received it: ask before requeueing",
                job.email_handovers
            ),
        ));
    }
    let slot = mail_gate::reserve(deps, job).await?;
    let ready = async {
        deps.store.confirm_lease(&job.lease).await?;
        deps.store.begin_email_handover(&job.lease).await
    };
    if let Err(e) = ready.await {
        mail_gate::release(deps, slot).await;
        return Err(e.into());
    }
    job.email_handovers += 1;
    match deps.mailer.send(&message).await {
        Ok(()) => {}
        // Not taken by the server: this hand-over does not count, nor does the send.
        Err(e) if !matches!(e, MailError::OutcomeUnknown(_)) => {
            deps.store.cancel_email_handover(&job.lease).await?;
            job.email_handovers -= 1;
            mail_gate::release(deps, slot).await;
            if let MailError::Parked { kind, reply } = &e {
                return Err(mail_gate::park(deps, job, *kind, reply).await);
            }
            return Err(e.into());
        }
        Err(e) => return Err(e.into()),
    }
    failpoint::hit(FailPoint::AfterSmtpAccept);
    let sent_at = now_ms();
    // Recorded before anything else can fail: from here on the job never sends again.
    deps.store
        .mark_email_sent(&job.lease, sent_at, &sent)
        .await?;
    job.email_sent_at = Some(sent_at);
    // The student's wait, submission to email: the delivery latency of the log-based metric
    // in monitoring/ (absent when the API gave no submission time).
    let since_submitted_s = job
        .submission
        .as_ref()
        .and_then(|s| s.submitted_at)
        .map(|at| (sent_at as f64 / 1000.0 - at).max(0.0));
    info!(code = "report_emailed", job_id = job.id, assessment_id = %job.event.assessment_id, user_id = %job.event.user_id, since_submitted_s, "report emailed");
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
