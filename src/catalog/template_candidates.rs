//! Trying a Word template before students see it: an upload is checked (it opens, its tags
//! compile, what a proof-reader would flag, what the sample student leaves undefined) and
//! filled for the sample student. Candidates are kept in storage by their SHA-256 (shared by
//! every instance), under `template-candidates/`; `template_install` makes one live.

use std::sync::Arc;

use bytes::Bytes;
use docx_template::Template;
use sha2::{Digest, Sha256};

use super::registry::ProfileRegistry;
use super::sample_student::sample_report;
use crate::db::StoreError;
use crate::files::StorageError;
use crate::rules::profile::Profile;
use crate::rules::ProfileError;

/// The largest .docx accepted (the school's drafts with their cover image are under 1 MB).
pub const MAX_TEMPLATE_BYTES: usize = 20 * 1024 * 1024;
const CANDIDATES: &str = "template-candidates";

#[derive(Debug, thiserror::Error)]
pub enum TemplateChangeError {
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    #[error("database: {0}")]
    Database(#[from] StoreError),
    #[error("no previewed template {0}: upload it again")]
    UnknownCandidate(String),
    #[error("{0} is not a kept version of this template")]
    UnknownVersion(String),
    #[error("the template has problems and cannot be installed: {0}")]
    NotInstallable(String),
    #[error("{0}")]
    Profile(#[from] ProfileError),
}

impl TemplateChangeError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Storage(_) => "storage_unavailable",
            Self::Database(_) => "database_unavailable",
            Self::UnknownCandidate(_) => "template_candidate_unknown",
            Self::UnknownVersion(_) => "template_version_unknown",
            Self::NotInstallable(_) => "template_not_installable",
            Self::Profile(e) => e.code(),
        }
    }
}

/// What the check of an uploaded template found.
#[derive(Debug)]
pub struct CandidateCheck {
    /// The upload's SHA-256 (hex): its name in storage.
    pub sha256: String,
    /// Errors: the template cannot be installed while there is one.
    pub problems: Vec<String>,
    /// What a person should read before installing it.
    pub warnings: Vec<String>,
    /// The sample student's assessment and bank.
    pub sample: String,
    /// The report filled for the sample student, when it could be.
    pub docx: Option<Vec<u8>>,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Checks `bytes` as `profile`'s template and fills it for the sample student.
pub async fn check_candidate(
    registry: &ProfileRegistry,
    profile: &Profile,
    bytes: &[u8],
) -> Result<CandidateCheck, ProfileError> {
    let mut check = CandidateCheck {
        sha256: sha256_hex(bytes),
        problems: Vec::new(),
        warnings: Vec::new(),
        sample: String::new(),
        docx: None,
    };
    let template = match Template::from_bytes(bytes) {
        Ok(t) => Arc::new(t),
        Err(e) => {
            check.problems.push(e.to_string());
            return Ok(check);
        }
    };
    check.warnings = template.lint().iter().map(|w| w.to_string()).collect();
    let sample = sample_report(registry, profile).await?;
    check.sample = sample.source;
    let context =
        serde_json::to_value(&sample.context).map_err(|e| ProfileError::Internal(e.to_string()))?;
    match template.variables() {
        Ok(vars) => {
            // `chart` is drawn at render time, not part of the context.
            for v in vars
                .iter()
                .filter(|v| context.get(v).is_none() && *v != "chart")
            {
                check.warnings.push(format!(
                    "`{v}` is not defined for the sample student: it prints as empty text{}",
                    if sample.generic {
                        " (the sample is not of this report type)"
                    } else {
                        ""
                    }
                ));
            }
        }
        Err(e) => check.problems.push(e.to_string()),
    }
    let name = format!("the uploaded template for {}", profile.name());
    match registry
        .render_candidate(profile, name, template, &sample.context)
        .await
    {
        Ok(docx) => check.docx = Some(docx),
        Err(e) => check.problems.push(e.to_string()),
    }
    Ok(check)
}

fn candidate_key(sha256: &str, ext: &str) -> Result<String, TemplateChangeError> {
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(TemplateChangeError::UnknownCandidate(sha256.to_string()));
    }
    Ok(format!(
        "{CANDIDATES}/{}.{ext}",
        sha256.to_ascii_lowercase()
    ))
}

/// Keeps an upload (and its sample PDF) where every instance finds it.
pub async fn keep_candidate(
    registry: &ProfileRegistry,
    docx: Bytes,
    pdf: Option<Bytes>,
) -> Result<String, TemplateChangeError> {
    let sha = sha256_hex(&docx);
    let storage = registry.storage();
    storage.put(&candidate_key(&sha, "docx")?, docx).await?;
    if let Some(pdf) = pdf {
        storage.put(&candidate_key(&sha, "pdf")?, pdf).await?;
    }
    Ok(sha)
}

/// A kept candidate's `.docx` or sample `.pdf`.
pub async fn candidate(
    registry: &ProfileRegistry,
    sha256: &str,
    ext: &str,
) -> Result<Bytes, TemplateChangeError> {
    registry
        .storage()
        .get(&candidate_key(sha256, ext)?)
        .await?
        .ok_or_else(|| TemplateChangeError::UnknownCandidate(sha256.to_string()))
}
