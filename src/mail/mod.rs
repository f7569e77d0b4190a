//! The student's email: Spanish text, the PDF attached, sent over SMTP, through SendGrid's HTTP
//! API, or written to an outbox.

mod message;
mod outbox;
mod reply;
mod sendgrid;
mod smtp;

use async_trait::async_trait;

pub use message::{alert_email, report_email, test_email, Email, EmailAttachment, ReportEmail};
pub use outbox::OutboxTransport;
pub use reply::{classify_reply, Phase};
pub use sendgrid::SendGridTransport;
pub use smtp::SmtpTransport;

use crate::config::{Config, MailTransportKind};

/// Why a provider holds all mail for a while.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParkKind {
    /// The account's daily sending quota is used up (Gmail `550 5.4.5`, SendGrid "Maximum
    /// credits exceeded"): waits `MAIL_QUOTA_PARK_SECONDS`.
    Quota,
    /// A rate or login throttle for the whole account (`421 4.7.0 … try again later`,
    /// `454 4.7.0 Too many login attempts`): waits `MAIL_THROTTLE_PARK_SECONDS`.
    Throttle,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// Will never succeed: the address is malformed.
    #[error("invalid recipient address '{0}'")]
    InvalidAddress(String),
    /// The server refused this recipient (no such mailbox, mailbox disabled or full).
    #[error("the mail server refused the recipient: {0}")]
    RecipientRefused(String),
    /// Over the server's size limit: resending the same report cannot help.
    #[error("the message is larger than the mail server accepts: {0}")]
    TooLarge(String),
    #[error("the mail server permanently refused the message: {0}")]
    Rejected(String),
    #[error("the mail server refused our login: {0}")]
    Auth(String),
    /// The whole account is held by the provider: no message should be tried for a while.
    #[error("the mail provider holds all mail ({kind:?}): {reply}")]
    Parked { kind: ParkKind, reply: String },
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
            Self::InvalidAddress(_)
                | Self::RecipientRefused(_)
                | Self::TooLarge(_)
                | Self::Rejected(_)
                | Self::Build(_)
        )
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidAddress(_) => "invalid_recipient",
            Self::RecipientRefused(_) => "smtp_recipient_refused",
            Self::TooLarge(_) => "message_too_large",
            Self::Rejected(_) => "smtp_rejected",
            Self::Auth(_) => "smtp_auth",
            Self::Parked { .. } => "mail_parked",
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
    async fn send(&self, email: &Email) -> Result<(), MailError>;
    fn describe(&self) -> String;
    /// Readiness: can a message be handed over now? (SMTP: a connection and EHLO, nothing
    /// sent.) Ok says what was checked. The outbox folder has nothing to probe.
    async fn check(&self) -> Result<String, MailError> {
        Ok(format!("{}: nothing to probe", self.describe()))
    }
}

/// `MAIL_TRANSPORT`; by default SMTP when `SMTP_SERVER` is set, else the outbox folder.
pub fn transport_from_config(cfg: &Config) -> Result<Box<dyn MailTransport>, MailError> {
    let missing = |what: &str| MailError::Build(format!("{what} is not configured"));
    Ok(match cfg.mail.transport {
        MailTransportKind::Smtp => Box::new(SmtpTransport::new(
            cfg.mail
                .smtp
                .as_ref()
                .ok_or_else(|| missing("SMTP_SERVER"))?,
        )?),
        MailTransportKind::SendGrid => Box::new(SendGridTransport::new(
            cfg.mail
                .sendgrid
                .as_ref()
                .ok_or_else(|| missing("SENDGRID_API_KEY"))?,
        )?),
        MailTransportKind::Outbox => Box::new(OutboxTransport::new(cfg.outbox_dir())),
    })
}
