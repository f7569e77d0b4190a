//! A delivered report emailed again — the same PDF from storage and the profile's email —
//! recorded as a resend of its own. The job's delivery record is left as it was: the report
//! was delivered then, and this is a second email. The command line (`resend --job N`) and
//! the dashboard both come here.

use crate::catalog::ProfileRegistry;
use crate::config::MailConfig;
use crate::db::{DeliveredJob, Store, StoreError};
use crate::domain::context::ReportContext;
use crate::domain::route::RoutedEvent;
use crate::domain::submission::Submission;
use crate::files::{Storage, StorageError};
use crate::mail::{report_email, MailError, MailTransport, ReportEmail};
use crate::rules::delivery::{email_for, EmailParts};
use crate::rules::ProfileError;

#[derive(Debug, thiserror::Error)]
pub enum ResendError {
    #[error("there is no job {0}")]
    NoSuchJob(i64),
    #[error("job {job_id} has not been emailed yet (it is {state}): retry it instead")]
    NotDelivered { job_id: i64, state: String },
    #[error("job {0} has no recipient address")]
    NoRecipient(i64),
    #[error("job {job_id}: {what}")]
    Corrupt { job_id: i64, what: String },
    #[error("the report {key} is no longer in {storage}")]
    ReportGone { key: String, storage: String },
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ResendError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoSuchJob(_) => "no_such_job",
            Self::NotDelivered { .. } => "not_delivered",
            Self::NoRecipient(_) => "no_recipient",
            Self::Corrupt { .. } => "job_record_corrupt",
            Self::ReportGone { .. } => "report_missing",
            Self::Storage(_) => "storage_unavailable",
            Self::Profile(e) => e.code(),
            Self::Store(_) => "database_unavailable",
        }
    }
}

/// What a resend did: the email was handed over, or the mail server refused it (recorded).
#[derive(Debug)]
pub struct Resent {
    pub resend_id: i64,
    pub to: String,
    /// When the original delivery was emailed (ms), unchanged by this resend.
    pub original_sent_at: i64,
    pub sent: Result<(), MailError>,
}

/// The email a delivered job gets: recipient, student's name and the profile's parts.
pub struct EmailOf {
    pub to: String,
    pub to_name: String,
    pub parts: EmailParts,
}

/// The email of a job as its profile writes it from the stored report context (what was
/// sent, unless the profile's email changed since).
pub fn email_of(job: &DeliveredJob, profiles: &ProfileRegistry) -> Result<EmailOf, ResendError> {
    let corrupt = |what: &str| ResendError::Corrupt {
        job_id: job.job_id,
        what: what.to_string(),
    };
    let event: RoutedEvent = serde_json::from_str(&job.payload)
        .map_err(|_| corrupt("the stored event cannot be read"))?;
    let ctx: ReportContext = serde_json::from_str(
        job.analysis
            .as_deref()
            .ok_or_else(|| corrupt("no stored report context"))?,
    )
    .map_err(|_| corrupt("the stored report context cannot be read"))?;
    let api_email = job
        .submission
        .as_deref()
        .and_then(|s| serde_json::from_str::<Submission>(s).ok())
        .and_then(|s| s.email);
    let to = event
        .event
        .email
        .clone()
        .or(api_email)
        .ok_or(ResendError::NoRecipient(job.job_id))?;
    let profile = profiles.current().profile(&ctx.report.kind)?;
    let parts = email_for(&profile, &ctx)?;
    Ok(EmailOf {
        to,
        to_name: ctx.student.name.clone(),
        parts,
    })
}

/// Emails a delivered report again, recorded (who, when) as a resend and an operator action.
pub async fn resend(
    store: &Store,
    storage: &Storage,
    profiles: &ProfileRegistry,
    mail: &MailConfig,
    transport: &dyn MailTransport,
    job_id: i64,
    actor: &str,
) -> Result<Resent, ResendError> {
    let job = store
        .delivered_job(job_id)
        .await?
        .ok_or(ResendError::NoSuchJob(job_id))?;
    let Some(sent_at) = job.email_sent_at else {
        return Err(ResendError::NotDelivered {
            job_id,
            state: job.state,
        });
    };
    let email = email_of(&job, profiles)?;
    let key = job.report_key.clone().ok_or_else(|| ResendError::Corrupt {
        job_id,
        what: "no stored report".into(),
    })?;
    let pdf = storage
        .get(&key)
        .await?
        .ok_or_else(|| ResendError::ReportGone {
            key: key.clone(),
            storage: storage.describe(),
        })?;
    let resend_id = store.begin_resend(job_id, actor, &email.to).await?;
    let sent = async {
        let message = report_email(
            mail,
            ReportEmail {
                to: &email.to,
                to_name: &email.to_name,
                subject: &email.parts.subject,
                body: email.parts.body.clone(),
                attachment_name: &email.parts.attachment,
                pdf: pdf.to_vec(),
                message_id: message_id(resend_id, job.job_id, job.event_id, &mail.from),
            },
        )?;
        transport.send(&message).await
    }
    .await;
    let failure = sent.as_ref().err().map(|e| (e.code(), e.to_string()));
    store
        .finish_resend(
            resend_id,
            match &failure {
                None => Ok(()),
                Some((code, message)) => Err((*code, message.as_str())),
            },
        )
        .await?;
    Ok(Resent {
        resend_id,
        to: email.to,
        original_sent_at: sent_at,
        sent,
    })
}

/// Its own Message-ID: a resend is a new message, which a mail store must not drop as a copy
/// of the first.
fn message_id(resend_id: i64, job_id: i64, event_id: i64, from: &str) -> String {
    let domain = from
        .rsplit('@')
        .next()
        .map(|d| d.trim_end_matches('>').trim())
        .filter(|d| !d.is_empty() && !d.contains(' '))
        .unwrap_or("webhook-service.local");
    format!("<resend-{resend_id}-report-{event_id}-{job_id}@{domain}>")
}
