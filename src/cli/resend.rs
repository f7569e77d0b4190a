//! `resend --job N`: a delivered report emailed again — the same PDF from storage and the
//! profile's email — recorded as a resend of its own. The job's delivery record is left as
//! it was: the report was delivered then, and this is a second email.

use std::process::ExitCode;

use anyhow::{bail, Context};
use serde_json::json;

use super::output::{actor, Out};
use super::queue::open_store;
use crate::catalog::{ProfileRegistry, ProfilesSettings};
use crate::config::Config;
use crate::domain::context::ReportContext;
use crate::domain::route::RoutedEvent;
use crate::domain::submission::Submission;
use crate::files::Storage;
use crate::mail::{report_email, transport_from_config, MailError, ReportEmail};
use crate::rules::delivery::email_for;

pub async fn resend(config: &Config, job_id: i64, out: Out) -> anyhow::Result<ExitCode> {
    let store = open_store(config).await?;
    let Some(job) = store.delivered_job(job_id).await? else {
        return refuse(
            out,
            job_id,
            "no_such_job",
            format!("there is no job {job_id}"),
        );
    };
    let Some(sent_at) = job.email_sent_at else {
        return refuse(
            out,
            job_id,
            "not_delivered",
            format!(
                "job {job_id} has not been emailed yet (it is {}): use `retry --job {job_id}`",
                job.state
            ),
        );
    };
    let event: RoutedEvent =
        serde_json::from_str(&job.payload).context("the job's stored event cannot be read")?;
    let ctx: ReportContext = serde_json::from_str(
        job.analysis
            .as_deref()
            .context("the job has no stored report context")?,
    )
    .context("the job's stored report context cannot be read")?;
    let api_email = job
        .submission
        .as_deref()
        .and_then(|s| serde_json::from_str::<Submission>(s).ok())
        .and_then(|s| s.email);
    let Some(to) = event.event.email.clone().or(api_email) else {
        bail!("job {job_id} has no recipient address");
    };
    let key = job
        .report_key
        .clone()
        .context("the job has no stored report")?;
    let storage = Storage::from_config(config)?;
    let pdf = storage
        .get(&key)
        .await?
        .with_context(|| format!("the report {key} is no longer in {}", storage.describe()))?;
    let registry = ProfileRegistry::load(
        storage.clone(),
        ProfilesSettings::from_config(&config.report),
    )
    .await
    .with_context(|| format!("reading {}", config.report.profiles_path))?;
    let profile = registry.current().profile(&ctx.report.kind)?;
    let parts = email_for(&profile, &ctx)?;

    let resend_id = store.begin_resend(job_id, &actor(), &to).await?;
    let sent = async {
        let message = report_email(
            &config.mail,
            ReportEmail {
                to: &to,
                to_name: &ctx.student.name,
                subject: &parts.subject,
                body: parts.body.clone(),
                attachment_name: &parts.attachment,
                pdf: pdf.to_vec(),
                message_id: message_id(resend_id, job.job_id, job.event_id, &config.mail.from),
            },
        )?;
        transport_from_config(config)?.send(&message).await
    }
    .await;
    let outcome = match &sent {
        Ok(()) => Ok(()),
        Err(e) => Err((e.code(), e.to_string())),
    };
    store
        .finish_resend(
            resend_id,
            outcome
                .as_ref()
                .map(|_| ())
                .map_err(|(c, m)| (*c, m.as_str())),
        )
        .await?;
    store.close().await;
    let original = chrono::DateTime::from_timestamp_millis(sent_at)
        .map(|t| t.to_rfc3339())
        .unwrap_or_default();
    print_outcome(out, job_id, resend_id, &to, &original, &sent)
}

fn print_outcome(
    out: Out,
    job_id: i64,
    resend_id: i64,
    to: &str,
    original: &str,
    sent: &Result<(), MailError>,
) -> anyhow::Result<ExitCode> {
    if out.json {
        out.json(&json!({
            "job_id": job_id,
            "resend_id": resend_id,
            "to": to,
            "ok": sent.is_ok(),
            "error_code": sent.as_ref().err().map(|e| e.code()),
            "error": sent.as_ref().err().map(|e| e.to_string()),
            "original_delivery": original,
        }))?;
    } else {
        match sent {
            Ok(()) => println!(
                "job {job_id}: report resent to {to} (resend {resend_id}); the delivery of \
                 {original} stays recorded as it was"
            ),
            Err(e) => println!(
                "{}",
                out.bad(&format!(
                    "job {job_id}: resend {resend_id} to {to} failed: {}: {e}",
                    e.code()
                ))
            ),
        }
    }
    Ok(if sent.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn refuse(out: Out, job_id: i64, code: &str, message: String) -> anyhow::Result<ExitCode> {
    if out.json {
        out.json(&json!({"job_id": job_id, "ok": false, "error": code, "message": message}))?;
    } else {
        println!("{}", out.bad(&message));
    }
    Ok(ExitCode::FAILURE)
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
