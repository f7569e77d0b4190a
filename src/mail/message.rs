//! Building the messages.

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{Address, Message};

use super::MailError;
use crate::config::MailConfig;
use crate::domain::text::is_bare_address;

/// A message ready for any transport: the MIME message SMTP and the outbox send, and its
/// parts for an HTTP API that takes them one by one (SendGrid).
#[derive(Debug, Clone)]
pub struct Email {
    pub message: Message,
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
    pub to: Mailbox,
    pub subject: String,
    pub text: String,
    pub attachments: Vec<EmailAttachment>,
    pub message_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct EmailAttachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

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

pub fn report_email(cfg: &MailConfig, email: ReportEmail<'_>) -> Result<Email, MailError> {
    let to = Mailbox::new(Some(email.to_name.to_string()), bare_address(email.to)?);
    let pdf_type = "application/pdf";
    let attachment = Attachment::new(email.attachment_name.to_string()).body(
        email.pdf.clone(),
        ContentType::parse(pdf_type).map_err(|e| MailError::Build(e.to_string()))?,
    );
    let (from, reply_to) = sender(cfg)?;
    let message = builder(&from, &reply_to)
        .to(to.clone())
        .subject(email.subject)
        .message_id(Some(email.message_id.clone()))
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(email.body.clone()))
                .singlepart(attachment),
        )
        .map_err(|e| MailError::Build(e.to_string()))?;
    Ok(Email {
        message,
        from,
        reply_to,
        to,
        subject: email.subject.to_string(),
        text: email.body,
        attachments: vec![EmailAttachment {
            filename: email.attachment_name.to_string(),
            content_type: pdf_type.to_string(),
            bytes: email.pdf,
        }],
        message_id: Some(email.message_id),
    })
}

/// A text-only message (the transport test, operator alerts).
fn plain_email(
    cfg: &MailConfig,
    to: &str,
    subject: &str,
    text: String,
) -> Result<Email, MailError> {
    let to = Mailbox::new(None, bare_address(to)?);
    let (from, reply_to) = sender(cfg)?;
    let message = builder(&from, &reply_to)
        .to(to.clone())
        .subject(subject)
        .body(text.clone())
        .map_err(|e| MailError::Build(e.to_string()))?;
    Ok(Email {
        message,
        from,
        reply_to,
        to,
        subject: subject.to_string(),
        text,
        attachments: Vec::new(),
        message_id: None,
    })
}

/// `webhook-service email-test`: proves the mail settings without a student.
pub fn test_email(cfg: &MailConfig, to: &str) -> Result<Email, MailError> {
    plain_email(
        cfg,
        to,
        "Prueba de correo - webhook-service",
        String::from(
            "Este es un correo de prueba de webhook-service: la configuración de correo funciona.\n",
        ),
    )
}

/// An operator alert (`ADMIN_EMAIL`).
pub fn alert_email(
    cfg: &MailConfig,
    to: &str,
    subject: &str,
    text: String,
) -> Result<Email, MailError> {
    plain_email(cfg, to, subject, text)
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

fn sender(cfg: &MailConfig) -> Result<(Mailbox, Option<Mailbox>), MailError> {
    let from: Mailbox = cfg
        .from
        .parse()
        .map_err(|e| MailError::Build(format!("EMAIL_FROM: {e}")))?;
    let reply_to = cfg
        .reply_to
        .as_deref()
        .map(|r| {
            r.parse::<Mailbox>()
                .map_err(|e| MailError::Build(format!("EMAIL_REPLY_TO: {e}")))
        })
        .transpose()?;
    Ok((from, reply_to))
}

fn builder(from: &Mailbox, reply_to: &Option<Mailbox>) -> lettre::message::MessageBuilder {
    let mut b = Message::builder().from(from.clone());
    if let Some(reply_to) = reply_to {
        b = b.reply_to(reply_to.clone());
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_config() -> MailConfig {
        MailConfig {
            transport: crate::config::MailTransportKind::Outbox,
            smtp: None,
            sendgrid: None,
            limits: Default::default(),
            from: "Informes <informes@example.com>".into(),
            reply_to: None,
        }
    }

    #[test]
    fn an_invalid_recipient_is_a_permanent_error() {
        let cfg = test_config();
        let err = test_email(&cfg, "not an address").unwrap_err();
        assert!(err.is_permanent());
        assert_eq!(err.code(), "invalid_recipient");
    }

    #[test]
    fn a_display_name_in_the_address_cannot_redirect_the_report() {
        let cfg = test_config();
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
            .message
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
