//! SendGrid's v3 HTTP API (`POST /v3/mail/send`): the message as JSON — personalizations,
//! from, subject, content, attachments in base64 — with the API key as a bearer token.
//! 202 means accepted; a 429 or 5xx is retried; a 400 names what is wrong with this message.

use async_trait::async_trait;
use base64::Engine;
use lettre::message::Mailbox;
use serde_json::{json, Value};

use super::{Email, MailError, MailTransport, ParkKind};
use crate::config::{Secret, SendGridConfig};

pub struct SendGridTransport {
    client: reqwest::Client,
    url: String,
    key: Secret,
    describe: String,
}

impl SendGridTransport {
    pub fn new(cfg: &SendGridConfig) -> Result<Self, MailError> {
        let client = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout)
            .build()
            .map_err(|e| MailError::Build(format!("SendGrid HTTP client: {e}")))?;
        Ok(Self {
            client,
            url: format!(
                "{}/v3/mail/send",
                cfg.api_url.as_str().trim_end_matches('/')
            ),
            key: cfg.api_key.clone(),
            describe: format!("SendGrid API at {}", cfg.api_url),
        })
    }
}

fn address(m: &Mailbox) -> Value {
    match &m.name {
        Some(name) if !name.is_empty() => json!({ "email": m.email.to_string(), "name": name }),
        _ => json!({ "email": m.email.to_string() }),
    }
}

/// The request body SendGrid documents for one message to one recipient.
pub(super) fn request_body(email: &Email) -> Value {
    let mut body = json!({
        "personalizations": [{ "to": [address(&email.to)] }],
        "from": address(&email.from),
        "subject": email.subject,
        "content": [{ "type": "text/plain", "value": email.text }],
    });
    if let Some(reply_to) = &email.reply_to {
        body["reply_to"] = address(reply_to);
    }
    if !email.attachments.is_empty() {
        body["attachments"] = email
            .attachments
            .iter()
            .map(|a| {
                json!({
                    "content": base64::engine::general_purpose::STANDARD.encode(&a.bytes),
                    "type": a.content_type,
                    "filename": a.filename,
                    "disposition": "attachment",
                })
            })
            .collect();
    }
    if let Some(id) = &email.message_id {
        // The same id on a resend, as over SMTP, so the mailbox can drop a duplicate.
        body["headers"] = json!({ "Message-ID": id });
    }
    body
}

/// SendGrid's own words from an error answer (`{"errors":[{"message":…,"field":…}]}`).
fn reasons(status: reqwest::StatusCode, body: &str) -> String {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let messages: Vec<String> = parsed
        .as_ref()
        .and_then(|v| v["errors"].as_array())
        .map(|errors| {
            errors
                .iter()
                .map(|e| match (e["message"].as_str(), e["field"].as_str()) {
                    (Some(m), Some(f)) => format!("{m} (field {f})"),
                    (Some(m), None) => m.to_string(),
                    _ => e.to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    if messages.is_empty() {
        let short: String = body.chars().take(200).collect();
        format!("SendGrid answered {status}: {short}")
    } else {
        format!("SendGrid answered {status}: {}", messages.join("; "))
    }
}

#[async_trait]
impl MailTransport for SendGridTransport {
    async fn send(&self, email: &Email) -> Result<(), MailError> {
        let response = self
            .client
            .post(&self.url)
            .bearer_auth(self.key.expose())
            .json(&request_body(email))
            .send()
            .await;
        let response = match response {
            Ok(r) => r,
            // Not connected: SendGrid cannot have the message.
            Err(e) if e.is_connect() || e.is_builder() => {
                return Err(MailError::Transient(format!("SendGrid: {e}")))
            }
            // The request went out and no answer came back: it may have been accepted.
            Err(e) => return Err(MailError::OutcomeUnknown(format!("SendGrid: {e}"))),
        };
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = response.text().await.unwrap_or_default();
        let why = reasons(status, &body);
        Err(match status.as_u16() {
            // The plan's credits for the day are used up: same as a provider's daily quota.
            401 | 403
                if why
                    .to_ascii_lowercase()
                    .contains("maximum credits exceeded") =>
            {
                MailError::Parked {
                    kind: ParkKind::Quota,
                    reply: why,
                }
            }
            401 | 403 => MailError::Auth(why),
            413 => MailError::TooLarge(why),
            429 | 500..=599 => MailError::Transient(why),
            _ => MailError::Rejected(why),
        })
    }

    fn describe(&self) -> String {
        self.describe.clone()
    }
}
