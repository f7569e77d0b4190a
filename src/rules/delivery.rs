//! Where a report is stored and how it is emailed: file names, the delivery log, and the
//! email's subject, body and attachment name from the profile's patterns and templates.

use super::expr;
use super::patterns::{expand, file_safe, readable_name, Vars};
use super::{Profile, ProfileError};
use crate::domain::context::ReportContext;

/// Where the PDF is stored, and its delivery log (`processed.csv`).
pub fn output_keys_for(profile: &Profile, ctx: &ReportContext) -> (String, String) {
    let out = &profile.spec.output;
    let vars = Vars::from_context(ctx);
    let folder = expand(&out.folder, &vars, file_safe);
    let folder = folder.trim_end_matches('/').to_string();
    let file = expand(&out.file_name, &vars, file_safe);
    let csv = out.processed_csv.replace("{folder}", &folder);
    (format!("{folder}/{file}"), expand(&csv, &vars, file_safe))
}

#[derive(Debug, Clone, PartialEq)]
pub struct EmailParts {
    pub subject: String,
    pub body: String,
    pub attachment: String,
}

pub fn email_for(profile: &Profile, ctx: &ReportContext) -> Result<EmailParts, ProfileError> {
    let email = &profile.spec.email;
    let jinja = minijinja::Value::from(minijinja::value::Serde(ctx));
    let fail = |part: &str, message: String| ProfileError::Expression {
        profile: profile.name().to_string(),
        place: format!("email.{part}"),
        message,
    };
    let subject = expr::render(&email.subject, &jinja).map_err(|e| fail("subject", e))?;
    let body = expr::render(&email.body, &jinja).map_err(|e| fail("body", e))?;
    let vars = Vars::from_context(ctx);
    let attachment = if email.attachment.trim().is_empty() {
        expand(&profile.spec.output.file_name, &vars, file_safe)
    } else {
        // The pattern's own text is cleaned too (a `/` in it is no folder here).
        readable_name(&expand(&email.attachment, &vars, readable_name))
    };
    Ok(EmailParts {
        // A subject is one line, whatever the template's layout.
        subject: subject.split_whitespace().collect::<Vec<_>>().join(" "),
        body,
        attachment,
    })
}
