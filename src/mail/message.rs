//! Building the messages.

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{Address, Message};

use super::MailError;
use crate::config::MailConfig;
use crate::domain::text::is_bare_address;

/// A report email; its texts come from the report profile.
pub struct ReportEmail<'a> {
    /// One bare address (anything else is refused as an invalid recipient).
    pub to: &'a str,
    /// The student's name, for the `To` header.
    pub to_name: &'a str,
    pub subject: &'a str,
    pub body: String,
    pub attachment_name: &'a str,
    pub pdf: Vec<u8>,
    pub message_id: String,
}

pub fn report_email(cfg: &MailConfig, email: ReportEmail<'_>) -> Result<Message, MailError> {
    let to = Mailbox::new(Some(email.to_name.to_string()), bare_address(email.to)?);
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
    let to = Mailbox::new(None, bare_address(to)?);
    builder(cfg)?
        .to(to)
        .subject("Prueba de correo - webhook-service")
        .body(String::from(
            "Este es un correo de prueba de webhook-service: la configuración SMTP funciona.\n",
        ))
        .map_err(|e| MailError::Build(e.to_string()))
}

/// The recipient as the mail library's address, never parsed from a header-like string: a
/// display name or a second address in it would redirect the report.
fn bare_address(raw: &str) -> Result<Address, MailError> {
    let raw = raw.trim();
    if !is_bare_address(raw) {
        return Err(MailError::InvalidAddress(raw.to_string()));
    }
    raw.parse()
        .map_err(|_| MailError::InvalidAddress(raw.to_string()))
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

    #[test]
    fn a_display_name_in_the_address_cannot_redirect_the_report() {
        let cfg = MailConfig {
            smtp: None,
            from: "Informes <informes@example.com>".into(),
            reply_to: None,
        };
        let email = |to| ReportEmail {
            to,
            to_name: "Camila \"<x@evil.com>\"",
            subject: "Informe",
            body: "Hola".into(),
            attachment_name: "informe.pdf",
            pdf: b"%PDF".to_vec(),
            message_id: "<r-1@example.com>".into(),
        };
        let err = report_email(&cfg, email("\"student@x\" <attacker@evil.com>")).unwrap_err();
        assert_eq!(err.code(), "invalid_recipient");
        let message = report_email(&cfg, email("camila@example.com")).unwrap();
        let to: Vec<String> = message
            .envelope()
            .to()
            .iter()
            .map(|a| a.to_string())
            .collect();
        assert_eq!(
            to,
            vec!["camila@example.com"],
            "the name never adds a recipient"
        );
    }
}
