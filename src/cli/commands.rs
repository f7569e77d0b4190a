//! The operator's commands.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::config::{Config, SignatureMode};
use crate::db::Store;
use crate::http::auth::{hmac_hex, SIGNATURE_HEADER};
use crate::mail::{test_email, transport_from_config};

/// The sample event shipped as `test_data.json`.
pub const SAMPLE_EVENT: &str = include_str!("../../test_data.json");

pub async fn send_test(
    config: &Config,
    url: Option<String>,
    file: Option<PathBuf>,
    unique: bool,
) -> anyhow::Result<ExitCode> {
    let body =
        match file {
            Some(path) => std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?,
            None => std::fs::read_to_string("test_data.json")
                .unwrap_or_else(|_| SAMPLE_EVENT.to_string()),
        };
    let mut event: serde_json::Value =
        serde_json::from_str(&body).context("the test event is not valid JSON")?;
    if unique {
        let id = format!("{:024x}", rand::random::<u128>() >> 32);
        event["submission"]["id"] = serde_json::Value::String(id);
    }
    let body = serde_json::to_vec(&event)?;
    let url = url.unwrap_or_else(|| {
        let token = config
            .webhook
            .url_token
            .as_ref()
            .map(|t| format!("/{}", t.expose()))
            .unwrap_or_default();
        format!("http://127.0.0.1:{}/webhook{token}", config.port)
    });
    let mut request = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()?
        .post(&url)
        .header("Content-Type", "application/json");
    if let Some(secret) = config.webhook.secrets.first() {
        let signature = match config.webhook.mode {
            SignatureMode::Plain => secret.expose().to_string(),
            SignatureMode::HmacSha256 => String::from_utf8(hmac_hex(secret.expose(), &body))?,
        };
        request = request.header(SIGNATURE_HEADER, format!("v1={signature}"));
    }
    let response = request
        .body(body)
        .send()
        .await
        .with_context(|| format!("posting to {url}"))?;
    let status = response.status();
    println!(
        "{} {}",
        status.as_u16(),
        response.text().await.unwrap_or_default()
    );
    Ok(if status.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

pub async fn email_test(config: &Config, to: &str) -> anyhow::Result<ExitCode> {
    let transport = transport_from_config(config)?;
    let message = test_email(&config.mail, to)?;
    transport.send(&message).await?;
    println!("test email to {to} handed to {}", transport.describe());
    Ok(ExitCode::SUCCESS)
}

pub async fn status(config: &Config, json: bool) -> anyhow::Result<ExitCode> {
    let store = Store::connect(&config.database_url).await?;
    let report = store.status(20).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("events received: {}", report.events);
    println!("emails sent:     {}", report.emails_sent);
    println!(
        "emails counted:  {} in the last hour, {} in the last 24 hours",
        report.mail_sent_last_hour, report.mail_sent_last_day
    );
    if let Some(mail) = &report.mail {
        println!("{mail}");
    }
    println!("jobs:");
    for (state, n) in &report.jobs {
        println!("  {state:<8} {n}");
    }
    if !report.pending_by_stage.is_empty() {
        println!("waiting or running, by stage:");
        for (stage, n) in &report.pending_by_stage {
            println!("  {stage:<8} {n}");
        }
    }
    if report.problems.is_empty() {
        println!("no failures");
    } else {
        println!("latest failures:");
        for p in &report.problems {
            println!(
                "  job {} [{}] stage {} after {} attempt(s), {}: {} {}",
                p.job_id,
                p.state,
                p.stage,
                p.attempts,
                p.updated_at,
                p.error_code.as_deref().unwrap_or("-"),
                p.error.as_deref().unwrap_or("")
            );
            println!(
                "      student {} <{}>, assessment {}",
                p.event["user_id"].as_str().unwrap_or("?"),
                p.event["email"].as_str().unwrap_or("?"),
                p.event["assessment_title"].as_str().unwrap_or("?")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn unpark_mail(config: &Config) -> anyhow::Result<ExitCode> {
    let store = Store::connect(&config.database_url).await?;
    let n = store.unpark_mail().await?;
    println!("mail is no longer parked; {n} waiting email(s) are due now");
    Ok(ExitCode::SUCCESS)
}

pub async fn requeue(config: &Config, job: Option<i64>) -> anyhow::Result<ExitCode> {
    let store = Store::connect(&config.database_url).await?;
    let n = store.requeue_dead(job).await?;
    println!(
        "{n} dead job(s) put back in the queue; a running service picks them up within seconds"
    );
    Ok(ExitCode::SUCCESS)
}
