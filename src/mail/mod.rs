//! The student's email: Spanish text, the PDF attached, sent over SMTP or written to an outbox.

mod message;
mod outbox;
mod smtp;

use async_trait::async_trait;
use lettre::Message;

pub use message::{report_email, test_email, ReportEmail};
pub use outbox::OutboxTransport;
pub use smtp::SmtpTransport;

use crate::config::Config;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// Will never succeed: the address is malformed or the server refused the recipient.
    #[error("invalid recipient address '{0}'")]
    InvalidAddress(String),
    #[error("the mail server permanently refused the message: {0}")]
    Rejected(String),
    #[error("the mail server refused our login: {0}")]
    Auth(String),
    #[error("sending failed, will retry: {0}")]
    Transient(String),
    /// The connection broke after the message was handed over: the server may have stored it.
    #[error("the mail server may or may not have accepted the message: {0}")]
    OutcomeUnknown(String),
    #[error("could not build the message: {0}")]
    Build(String),
    #[error("could not write to the outbox: {0}")]
    Outbox(#[from] std::io::Error),
}

impl MailError {
    pub fn is_permanent(&self) -> bool {
        matches!(
            self,
            Self::InvalidAddress(_) | Self::Rejected(_) | Self::Build(_)
        )
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidAddress(_) => "invalid_recipient",
            Self::Rejected(_) => "smtp_rejected",
            Self::Auth(_) => "smtp_auth",
            Self::Transient(_) => "smtp_unavailable",
            Self::OutcomeUnknown(_) => "smtp_outcome_unknown",
            Self::Build(_) => "email_build",
            Self::Outbox(_) => "outbox_write",
        }
    }
}

/// Where messages go.
#[async_trait]
pub trait MailTransport: Send + Sync {
    async fn send(&self, message: &Message) -> Result<(), MailError>;
    fn describe(&self) -> String;
    /// Readiness: can a message be handed over now? (SMTP: a connection and EHLO, nothing
    /// sent.) Ok says what was checked. The outbox folder has nothing to probe.
    async fn check(&self) -> Result<String, MailError> {
        Ok(format!("{}: nothing to probe", self.describe()))
    }
}

/// SMTP when `SMTP_SERVER` is set, else the outbox folder.
pub fn transport_from_config(cfg: &Config) -> Result<Box<dyn MailTransport>, MailError> {
    match &cfg.mail.smtp {
        Some(smtp) => Ok(Box::new(SmtpTransport::new(smtp)?)),
        None => Ok(Box::new(OutboxTransport::new(cfg.outbox_dir()))),
    }
}
