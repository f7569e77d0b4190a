//! Operator alerts: where they go and how often.

use std::time::Duration;

use url::Url;

use super::{seconds, ConfigError, Secret, Source};
use crate::domain::text::is_bare_address;

#[derive(Debug, Clone)]
pub struct AlertConfig {
    /// `ADMIN_EMAIL`: the operator's address; summaries go there through the mail transport.
    pub admin_email: Option<String>,
    /// `SLACK_WEBHOOK_URL`: a Slack incoming webhook; summaries are posted as `{"text": …}`.
    /// A secret: whoever has it can post to the channel.
    pub slack_webhook: Option<Secret>,
    /// `ALERT_MIN_INTERVAL_SECONDS`: at most one summary per this period, for all instances
    /// together (default 900); what happens meanwhile waits for the next one.
    pub min_interval: Duration,
    /// `ALERT_NO_DELIVERY_MINUTES`: alert when jobs failed and nothing was delivered for this
    /// long (default 30).
    pub no_delivery_after: Duration,
    /// `HTTP_TIMEOUT_SECONDS`: the Slack request.
    pub timeout: Duration,
}

impl AlertConfig {
    pub fn enabled(&self) -> bool {
        self.admin_email.is_some() || self.slack_webhook.is_some()
    }

    pub(super) fn from_source(src: &Source) -> Result<Self, ConfigError> {
        let admin_email = src.get("ADMIN_EMAIL");
        if let Some(a) = &admin_email {
            if !is_bare_address(a) {
                return Err(ConfigError::Invalid {
                    var: "ADMIN_EMAIL",
                    reason: format!("'{a}' is not one plain email address"),
                });
            }
        }
        let slack_webhook = match src.get("SLACK_WEBHOOK_URL") {
            None => None,
            Some(raw) => {
                let ok = Url::parse(&raw).ok().is_some_and(|u| {
                    u.scheme() == "https"
                        || (u.scheme() == "http"
                            && matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")))
                });
                if !ok {
                    // The value itself is a secret: never repeated in the message.
                    return Err(ConfigError::Invalid {
                        var: "SLACK_WEBHOOK_URL",
                        reason: "is not an https:// URL (http only to this machine, for tests)"
                            .into(),
                    });
                }
                Some(Secret::new(raw))
            }
        };
        let minutes: u64 = src.parse("ALERT_NO_DELIVERY_MINUTES", 30)?;
        if minutes == 0 {
            return Err(ConfigError::Invalid {
                var: "ALERT_NO_DELIVERY_MINUTES",
                reason: "must be at least 1".into(),
            });
        }
        Ok(Self {
            admin_email,
            slack_webhook,
            min_interval: seconds(src, "ALERT_MIN_INTERVAL_SECONDS", 900.0)?,
            no_delivery_after: Duration::from_secs(minutes * 60),
            timeout: seconds(src, "HTTP_TIMEOUT_SECONDS", 30.0)?,
        })
    }
}
