//! `resend --job N`: a delivered report emailed again, recorded as a resend of its own (the
//! work is the jobs layer's, shared with the dashboard).

use std::process::ExitCode;

use serde_json::json;

use super::output::{actor, Out};
use super::queue::open_store;
use crate::catalog::{ProfileRegistry, ProfilesSettings};
use crate::config::Config;
use crate::files::Storage;
use crate::jobs::resend::{resend as resend_job, ResendError, Resent};
use crate::mail::transport_from_config;

pub async fn resend(config: &Config, job_id: i64, out: Out) -> anyhow::Result<ExitCode> {
    let store = open_store(config).await?;
    let storage = Storage::from_config(config)?;
    let registry = ProfileRegistry::load(
        storage.clone(),
        ProfilesSettings::from_config(&config.report),
    )
    .await?;
    let transport = transport_from_config(config)?;
    let result = resend_job(
        &store,
        &storage,
        &registry,
        &config.mail,
        transport.as_ref(),
        job_id,
        &actor(),
    )
    .await;
    store.close().await;
    match result {
        Ok(resent) => print_outcome(out, job_id, &resent),
        Err(e @ (ResendError::NoSuchJob(_) | ResendError::NotDelivered { .. })) => {
            let message = match &e {
                ResendError::NotDelivered { state, .. } => format!(
                    "job {job_id} has not been emailed yet (it is {state}): use `retry --job {job_id}`"
                ),
                other => other.to_string(),
            };
            if out.json {
                out.json(
                    &json!({"job_id": job_id, "ok": false, "error": e.code(), "message": message}),
                )?;
            } else {
                println!("{}", out.bad(&message));
            }
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}

fn print_outcome(out: Out, job_id: i64, resent: &Resent) -> anyhow::Result<ExitCode> {
    let original = chrono::DateTime::from_timestamp_millis(resent.original_sent_at)
        .map(|t| t.to_rfc3339())
        .unwrap_or_default();
    let (resend_id, to, sent) = (resent.resend_id, &resent.to, &resent.sent);
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
