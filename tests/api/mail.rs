//! Reading the messages the SMTP sink received.

use mailparse::{DispositionType, MailHeaderMap};

pub struct Mail {
    pub to: String,
    pub subject: String,
    pub message_id: String,
    pub text: String,
    pub attachments: Vec<Attachment>,
}

pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

pub fn parse(raw: &[u8]) -> Mail {
    let msg = mailparse::parse_mail(raw).expect("well-formed message");
    let mut text = String::new();
    let mut attachments = Vec::new();
    for part in msg.parts() {
        let disposition = part.get_content_disposition();
        if disposition.disposition == DispositionType::Attachment {
            attachments.push(Attachment {
                filename: disposition
                    .params
                    .get("filename")
                    .cloned()
                    .unwrap_or_default(),
                content_type: part.ctype.mimetype.clone(),
                bytes: part.get_body_raw().expect("attachment body"),
            });
        } else if part.ctype.mimetype == "text/plain" {
            text.push_str(&part.get_body().expect("text body"));
        }
    }
    Mail {
        to: msg.headers.get_first_value("To").unwrap_or_default(),
        subject: msg.headers.get_first_value("Subject").unwrap_or_default(),
        message_id: msg
            .headers
            .get_first_value("Message-ID")
            .unwrap_or_default(),
        text,
        attachments,
    }
}

impl Mail {
    pub fn pdf(&self) -> &Attachment {
        self.attachments
            .iter()
            .find(|a| a.content_type == "application/pdf")
            .expect("a PDF attachment")
    }
}
