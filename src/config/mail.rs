//! Outgoing email settings.

use std::time::Duration;

use url::Url;

use super::{seconds, ConfigError, Secret, Source};

/// Where report emails go (`MAIL_TRANSPORT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailTransportKind {
    Smtp,
    /// SendGrid's v3 HTTP API.
    SendGrid,
    /// `.eml` files in `<DATA_DIR>/outbox/`.
    Outbox,
}

#[derive(Debug, Clone)]
pub struct SendGridConfig {
    /// `SENDGRID_API_KEY` (required with `MAIL_TRANSPORT=sendgrid`).
    pub api_key: Secret,
    /// `SENDGRID_API_URL` (default `https://api.sendgrid.com`): the API's base URL.
    pub api_url: Url,
    /// `SMTP_TIMEOUT_SECONDS`: the whole request, answer included.
    pub timeout: Duration,
}

/// A provider's limits, applied by every instance through the database.
#[derive(Debug, Clone, Default)]
pub struct MailLimits {
    /// `MAIL_MAX_PER_HOUR`: emails in any sliding hour (default: no limit).
    pub per_hour: Option<u32>,
    /// `MAIL_MAX_PER_DAY`: emails in any sliding 24 hours (default: no limit; Gmail allows
    /// about 2,000 a day to a Workspace account, 500 to a free one).
    pub per_day: Option<u32>,
    /// `MAIL_QUOTA_PARK_SECONDS`: how long all mail waits after a daily-quota reply (Gmail
    /// `550 5.4.5`) before one send probes again (default 3600; Gmail's quota frees up over a
    /// rolling 24 hours, so hourly probes find it as soon as it does).
    pub quota_park: Duration,
    /// `MAIL_THROTTLE_PARK_SECONDS`: how long all mail waits after a rate or login throttle
    /// (`421 4.7.0 … try again later`, `454 4.7.0 Too many login attempts`; default 300).
    pub throttle_park: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (port 587, Gmail with an app password).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: a local relay only.
    None,
}

#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// `SMTP_SERVER`.
    pub server: String,
    /// `SMTP_PORT` (default 587).
    pub port: u16,
    /// `SMTP_SECURITY`: `starttls` | `tls` | `none` (default: `tls` on 465, `none` on 25 and
    /// 1025, else `starttls`).
    pub security: SmtpSecurity,
    /// `EMAIL_USER` / `EMAIL_PASSWORD`: SMTP login (both or neither).
    pub credentials: Option<(String, Secret)>,
    /// `SMTP_TIMEOUT_SECONDS` (default 30).
    pub timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `MAIL_TRANSPORT`: `smtp` | `sendgrid` | `outbox` (default: `smtp` when `SMTP_SERVER`
    /// is set, else `outbox`).
    pub transport: MailTransportKind,
    /// Set whenever `SMTP_SERVER` is; used when the transport is `smtp`.
    pub smtp: Option<SmtpConfig>,
    pub sendgrid: Option<SendGridConfig>,
    pub limits: MailLimits,
    /// `EMAIL_FROM` (default `EMAIL_USER`): the sender address, optionally `Name <addr>`.
    pub from: String,
    /// `EMAIL_REPLY_TO`: optional reply-to address.
    pub reply_to: Option<String>,
}

impl MailConfig {
    pub(super) fn from_source(src: &Source) -> Result<Self, ConfigError> {
        let user = src.get("EMAIL_USER");
        let password = src.get("EMAIL_PASSWORD");
        let smtp = match src.get("SMTP_SERVER") {
            None => None,
            Some(server) => {
                let port: u16 = src.parse("SMTP_PORT", 587)?;
                let security = match src
                    .get("SMTP_SECURITY")
                    .map(|s| s.to_ascii_lowercase())
                    .as_deref()
                {
                    Some("starttls") => SmtpSecurity::StartTls,
                    Some("tls") | Some("ssl") => SmtpSecurity::Tls,
                    Some("none") => SmtpSecurity::None,
                    Some(other) => {
                        return Err(ConfigError::Invalid {
                            var: "SMTP_SECURITY",
                            reason: format!("'{other}' is not one of starttls, tls, none"),
                        })
                    }
                    None => match port {
                        465 => SmtpSecurity::Tls,
                        25 | 1025 => SmtpSecurity::None,
                        _ => SmtpSecurity::StartTls,
                    },
                };
                let credentials = match (user.clone(), password) {
                    (Some(u), Some(p)) => Some((u, Secret::new(p))),
                    (None, None) => None,
                    (Some(_), None) => {
                        return Err(ConfigError::Missing {
                            var: "EMAIL_PASSWORD",
                            when: "when EMAIL_USER is set (for Gmail, an app password)",
                        })
                    }
                    (None, Some(_)) => {
                        return Err(ConfigError::Missing {
                            var: "EMAIL_USER",
                            when: "when EMAIL_PASSWORD is set",
                        })
                    }
                };
                Some(SmtpConfig {
                    server,
                    port,
                    security,
                    credentials,
                    timeout: seconds(src, "SMTP_TIMEOUT_SECONDS", 30.0)?,
                })
            }
        };
        let transport = match src
            .get("MAIL_TRANSPORT")
            .map(|s| s.to_ascii_lowercase())
            .as_deref()
        {
            None if smtp.is_some() => MailTransportKind::Smtp,
            None => MailTransportKind::Outbox,
            Some("smtp") if smtp.is_some() => MailTransportKind::Smtp,
            Some("smtp") => {
                return Err(ConfigError::Missing {
                    var: "SMTP_SERVER",
                    when: "when MAIL_TRANSPORT=smtp",
                })
            }
            Some("sendgrid") => MailTransportKind::SendGrid,
            Some("outbox") => MailTransportKind::Outbox,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    var: "MAIL_TRANSPORT",
                    reason: format!("'{other}' is not one of smtp, sendgrid, outbox"),
                })
            }
        };
        let sendgrid = sendgrid_from_source(src, transport)?;
        let from = match src.get("EMAIL_FROM").or(user) {
            Some(f) => f,
            None if transport != MailTransportKind::Outbox => {
                return Err(ConfigError::Missing {
                    var: "EMAIL_FROM",
                    when: "(or EMAIL_USER) when SMTP_SERVER is set or MAIL_TRANSPORT=sendgrid",
                })
            }
            None => "Informes <informes@localhost>".to_string(),
        };
        if from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError::Invalid {
                var: "EMAIL_FROM",
                reason: format!("'{from}' is not an email address"),
            });
        }
        Ok(Self {
            transport,
            smtp,
            sendgrid,
            limits: limits_from_source(src)?,
            from,
            reply_to: src.get("EMAIL_REPLY_TO"),
        })
    }
}

fn sendgrid_from_source(
    src: &Source,
    transport: MailTransportKind,
) -> Result<Option<SendGridConfig>, ConfigError> {
    if transport != MailTransportKind::SendGrid {
        return Ok(None);
    }
    let api_key = src.get("SENDGRID_API_KEY").ok_or(ConfigError::Missing {
        var: "SENDGRID_API_KEY",
        when: "when MAIL_TRANSPORT=sendgrid",
    })?;
    let raw = src
        .get("SENDGRID_API_URL")
        .unwrap_or_else(|| "https://api.sendgrid.com".into());
    let api_url = Url::parse(raw.trim_end_matches('/'))
        .ok()
        .filter(|u| matches!(u.scheme(), "https" | "http"))
        .ok_or_else(|| ConfigError::Invalid {
            var: "SENDGRID_API_URL",
            reason: format!("'{raw}' is not an http(s) URL"),
        })?;
    Ok(Some(SendGridConfig {
        api_key: Secret::new(api_key),
        api_url,
        timeout: seconds(src, "SMTP_TIMEOUT_SECONDS", 30.0)?,
    }))
}

fn limits_from_source(src: &Source) -> Result<MailLimits, ConfigError> {
    let positive = |var: &'static str| -> Result<Option<u32>, ConfigError> {
        match src.parse::<u32>(var, 0)? {
            0 if src.get(var).is_some() => Err(ConfigError::Invalid {
                var,
                reason: "must be at least 1 (leave it unset for no limit)".into(),
            }),
            0 => Ok(None),
            n => Ok(Some(n)),
        }
    };
    Ok(MailLimits {
        per_hour: positive("MAIL_MAX_PER_HOUR")?,
        per_day: positive("MAIL_MAX_PER_DAY")?,
        quota_park: seconds(src, "MAIL_QUOTA_PARK_SECONDS", 3600.0)?,
        throttle_park: seconds(src, "MAIL_THROTTLE_PARK_SECONDS", 300.0)?,
    })
}
