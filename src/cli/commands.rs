//! The operator's commands.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};

use serde_json::{json, Value};

use super::output::Out;
use crate::config::{Config, SignatureMode};
use crate::domain::event::{parse, Incoming};
use crate::http::auth::{hmac_hex, SIGNATURE_HEADER};
use crate::learnworlds::LearnWorlds;
use crate::mail::{test_email, transport_from_config};

/// The sample event shipped as `test_data.json`.
pub const SAMPLE_EVENT: &str = include_str!("../../test_data.json");

pub async fn send_test(
    config: &Config,
    url: Option<String>,
    file: Option<PathBuf>,
    unique: bool,
    out: Out,
) -> anyhow::Result<ExitCode> {
    let body =
        match file {
            Some(path) => std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?,
            None => std::fs::read_to_string("test_data.json")
                .unwrap_or_else(|_| SAMPLE_EVENT.to_string()),
        };
    let event: Value = serde_json::from_str(&body).context("the test event is not valid JSON")?;
    let url = url.unwrap_or_else(|| {
        let token = config
            .webhook
            .url_token
            .as_ref()
            .map(|t| format!("/{}", t.expose()))
            .unwrap_or_default();
        format!("http://127.0.0.1:{}/webhook{token}", config.port)
    });
    if !unique {
        let (status, answer) = post(config, &url, &event).await?;
        return print_answer(out, status, &answer, None);
    }
    // A made-up submission id is one no API has: its job would fail for twenty minutes and
    // die. A real one, not recorded yet, can be reported.
    let Incoming::Submission(submission) = parse(body.as_bytes())? else {
        bail!("--unique needs a submission event (user, assessment, submission)");
    };
    let api = LearnWorlds::new(&config.learnworlds)?;
    if !api.is_configured() {
        bail!(
            "--unique looks the student's submissions up in the LearnWorlds API: set \
             SCHOOL_DOMAIN, CLIENT_ID and ACCESS_TOKEN (or CLIENT_SECRET), or post the event \
             as it is with `send-test` alone"
        );
    }
    let mut found = api
        .responses(
            &submission.assessment_id,
            std::slice::from_ref(&submission.user_id),
            crate::learnworlds::Priority::Job,
        )
        .await
        .context("asking the LearnWorlds API for the student's submissions")?;
    found.sort_by(|a, b| {
        b.submitted_at
            .unwrap_or(0.0)
            .total_cmp(&a.submitted_at.unwrap_or(0.0))
    });
    for candidate in &found {
        let mut event = event.clone();
        event["submission"]["id"] = Value::String(candidate.id.clone());
        let (status, answer) = post(config, &url, &event).await?;
        // Recorded before (an earlier send-test, or the real webhook): try the next older.
        if answer["status"] == "duplicate" {
            continue;
        }
        return print_answer(out, status, &answer, Some(&candidate.id));
    }
    let message = format!(
        "the service has already recorded all {} submission(s) the API has for user {} on \
         assessment {}: nothing new to post (`resend --job N` emails a delivered report again)",
        found.len(),
        submission.user_id,
        submission.assessment_id
    );
    if out.json {
        out.json(&json!({"ok": false, "error": "no_new_submission", "message": message}))?;
    } else {
        println!("{message}");
    }
    Ok(ExitCode::FAILURE)
}

/// Posts one event, signed as the service expects; its status and JSON answer.
async fn post(config: &Config, url: &str, event: &Value) -> anyhow::Result<(u16, Value)> {
    let body = serde_json::to_vec(event)?;
    let mut request = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()?
        .post(url)
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
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    Ok((
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    ))
}

fn print_answer(
    out: Out,
    status: u16,
    answer: &Value,
    submission_id: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let ok = (200..300).contains(&status);
    if out.json {
        out.json(
            &json!({"ok": ok, "status": status, "answer": answer, "submission_id": submission_id}),
        )?;
    } else {
        if let Some(id) = submission_id {
            println!("posted submission {id}");
        }
        println!("{status} {answer}");
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

pub async fn email_test(config: &Config, to: &str, out: Out) -> anyhow::Result<ExitCode> {
    let transport = transport_from_config(config)?;
    let message = test_email(&config.mail, to)?;
    transport.send(&message).await?;
    if out.json {
        out.json(&json!({"ok": true, "to": to, "transport": transport.describe()}))?;
    } else {
        println!("test email to {to} handed to {}", transport.describe());
    }
    Ok(ExitCode::SUCCESS)
}
