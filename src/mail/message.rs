//! Building the messages.

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;

use super::MailError;
use crate::config::MailConfig;

/// A report email; its texts come from the report profile.
pub struct ReportEmail<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub body: String,
    pub attachment_name: &'a str,
    pub pdf: Vec<u8>,
    pub message_id: String,
}

pub fn report_email(cfg: &MailConfig, email: ReportEmail<'_>) -> Result<Message, MailError> {
    let to: Mailbox = email
        .to
        .trim()
        .parse()
        .map_err(|_| MailError::InvalidAddress(email.to.to_string()))?;
    let attachment = Attachment::new(email.attachment_name.to_string()).body(
        email.pdf,
        ContentType::parse("application/pdf").map_err(|e| MailError::Build(e.to_string()))?,
    );
    builder(cfg)?
        .to(to)
        .subject(email.subject)
        .message_id(Some(email.message_id))
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(email.body))
                .singlepart(attachment),
        )
        .map_err(|e| MailError::Build(e.to_string()))
}

/// `webhook-service email-test`: proves the SMTP settings without a student.
pub fn test_email(cfg: &MailConfig, to: &str) -> Result<Message, MailError> {
    let to: Mailbox = to
        .trim()
        .parse()
        .map_err(|_| MailError::InvalidAddress(to.to_string()))?;
    builder(cfg)?
        .to(to)
        .subject("Prueba de correo - webhook-service")
        .body(String::from(
            "Este es un correo de prueba de webhook-service: la configuración SMTP funciona.\n",
        ))
        .map_err(|e| MailError::Build(e.to_string()))
}

fn builder(cfg: &MailConfig) -> Result<lettre::message::MessageBuilder, MailError> {
    let from: Mailbox = cfg
        .from
        .parse()
        .map_err(|e| MailError::Build(format!("EMAIL_FROM: {e}")))?;
    let mut b = Message::builder().from(from);
    if let Some(reply_to) = &cfg.reply_to {
        b = b.reply_to(
            reply_to
                .parse()
                .map_err(|e| MailError::Build(format!("EMAIL_REPLY_TO: {e}")))?,
        );
    }
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_recipient_is_a_permanent_error() {
        let cfg = MailConfig {
            smtp: None,
            from: "Informes <informes@example.com>".into(),
            reply_to: None,
        };
        let err = test_email(&cfg, "not an address").unwrap_err();
        assert!(err.is_permanent());
        assert_eq!(err.code(), "invalid_recipient");
    }
}
