//! Building the messages.

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;

use super::MailError;
use crate::analysis::normalize::normalize;
use crate::config::MailConfig;

pub struct ReportEmail<'a> {
    pub to: &'a str,
    /// How the student is addressed (username, else email).
    pub name: &'a str,
    pub assessment: &'a str,
    pub school: Option<&'a str>,
    pub pdf: Vec<u8>,
    /// Stable per job, so a resend can be recognised by mail clients.
    pub message_id: String,
}

pub const SUBJECT: &str = "Tu informe de resultados - Diagnóstico";

pub fn report_email(cfg: &MailConfig, email: ReportEmail<'_>) -> Result<Message, MailError> {
    let to: Mailbox = email
        .to
        .trim()
        .parse()
        .map_err(|_| MailError::InvalidAddress(email.to.to_string()))?;
    let body = format!(
        "Hola {name},\n\n\
         Gracias por completar la evaluación \"{assessment}\". Te adjuntamos tu informe de resultados en PDF: \
         allí encontrarás tu nivel y el estado de cada área evaluada.\n\n\
         Si tienes preguntas sobre tu informe, responde a este correo.\n\n\
         Saludos,\n{school}\n",
        name = email.name,
        assessment = email.assessment,
        school = email.school.unwrap_or("El equipo académico"),
    );
    let attachment = Attachment::new(attachment_name(email.assessment)).body(
        email.pdf,
        ContentType::parse("application/pdf").map_err(|e| MailError::Build(e.to_string()))?,
    );
    builder(cfg)?
        .to(to)
        .subject(SUBJECT)
        .message_id(Some(email.message_id))
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(body))
                .singlepart(attachment),
        )
        .map_err(|e| MailError::Build(e.to_string()))
}

/// A report email whose texts come from a report profile.
pub struct ProfileEmail<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub body: String,
    pub attachment_name: &'a str,
    pub pdf: Vec<u8>,
    pub message_id: String,
}

pub fn profile_email(cfg: &MailConfig, email: ProfileEmail<'_>) -> Result<Message, MailError> {
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

/// "Informe de resultados - Test de diagnostico M1.pdf": readable, and plain ASCII so every
/// mail client shows it the same.
fn attachment_name(assessment: &str) -> String {
    let readable: String = assessment
        .chars()
        .map(|c| {
            let n = normalize(&c.to_string());
            match n.chars().next() {
                Some(a) if a.is_ascii_alphanumeric() => {
                    if c.is_uppercase() {
                        a.to_ascii_uppercase()
                    } else {
                        a
                    }
                }
                _ if c == ' ' || c == '-' => c,
                _ => '_',
            }
        })
        .collect();
    let readable = readable.split_whitespace().collect::<Vec<_>>().join(" ");
    format!(
        "Informe de resultados - {}.pdf",
        readable.chars().take(80).collect::<String>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_names_are_readable_ascii() {
        assert_eq!(
            attachment_name("Test de diagnóstico M1"),
            "Informe de resultados - Test de diagnostico M1.pdf"
        );
        assert_eq!(attachment_name("a/b"), "Informe de resultados - a_b.pdf");
    }

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
