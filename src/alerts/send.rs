//! Composing a summary and delivering it.

use crate::config::{MailConfig, Secret};
use crate::db::PendingAlert;
use crate::mail::{alert_email, MailTransport};

use super::{rfc3339, AlertError};

pub(super) fn summary(lines: &[PendingAlert]) -> String {
    let mut text = String::from("webhook-service needs attention:\n");
    for a in lines {
        text.push_str(&format!(
            "- [{}] {} ({})\n",
            a.kind,
            a.line,
            rfc3339(a.raised_at)
        ));
    }
    text.push_str("\nDetails: `webhook-service status` (or GET /admin/status).\n");
    text
}

pub(super) async fn email(
    mailer: &dyn MailTransport,
    cfg: &MailConfig,
    to: &str,
    subject: &str,
    text: &str,
) -> Result<(), AlertError> {
    let email = alert_email(cfg, to, subject, text.to_string())
        .map_err(|e| AlertError::Email(e.to_string()))?;
    mailer
        .send(&email)
        .await
        .map_err(|e| AlertError::Email(e.to_string()))
}

/// Slack's incoming webhook: `{"text": …}`, answered `200 ok`.
pub(super) async fn slack(
    http: &reqwest::Client,
    url: &Secret,
    text: &str,
) -> Result<(), AlertError> {
    let response = http
        .post(url.expose())
        .json(&serde_json::json!({ "text": text }))
        .send()
        .await
        // The URL is the secret: never in a message.
        .map_err(|e| AlertError::Slack(e.without_url().to_string()))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(AlertError::Slack(format!("answered {}", response.status())))
    }
}
