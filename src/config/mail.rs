//! Outgoing email settings.

use std::time::Duration;

use super::{seconds, ConfigError, Secret, Source};

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
    /// None: emails are written as `.eml` files to `<DATA_DIR>/outbox/`.
    pub smtp: Option<SmtpConfig>,
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
        let from = match src.get("EMAIL_FROM").or(user) {
            Some(f) => f,
            None if smtp.is_some() => {
                return Err(ConfigError::Missing {
                    var: "EMAIL_FROM",
                    when: "(or EMAIL_USER) when SMTP_SERVER is set",
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
            smtp,
            from,
            reply_to: src.get("EMAIL_REPLY_TO"),
        })
    }
}
