//! The report document: the school's Word template filled with the analysis, then PDF.

mod paths;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use docx_template::Template;
use tokio::sync::Mutex;
use tokio::time::Instant;

pub use paths::{processed_csv_key, report_key, PROCESSED_HEADER};

use crate::analysis::Analysis;
use crate::intake::SubmissionEvent;
use crate::storage::{Storage, StorageError};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("template {path} not found in {storage}")]
    TemplateMissing { path: String, storage: String },
    #[error("template {path}: {source}")]
    Template {
        path: String,
        #[source]
        source: docx_template::TemplateError,
    },
    #[error("template {path} has placeholders this report cannot fill: {}", names.iter().map(|n| format!("<<{n}>>")).collect::<Vec<_>>().join(", "))]
    UnknownPlaceholders { path: String, names: Vec<String> },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl ReportError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::TemplateMissing { .. } => "template_missing",
            Self::Template { .. } => "template_invalid",
            Self::UnknownPlaceholders { .. } => "template_unknown_placeholder",
            Self::Storage(_) => "storage_unavailable",
        }
    }
}

/// The seed's placeholders: `<<Nombre>>`, `<<Nivel>>`, `<<PD%>>` and `<<T1>>…<<Tn>>`.
pub fn placeholder_values(
    event: &SubmissionEvent,
    analysis: &Analysis,
) -> BTreeMap<String, String> {
    let mut values = BTreeMap::new();
    values.insert("Nombre".to_string(), student_name(event));
    values.insert("Nivel".to_string(), analysis.level.clone());
    values.insert("PD%".to_string(), analysis.pd_text.clone());
    for (i, group) in analysis.groups.iter().enumerate() {
        values.insert(format!("T{}", i + 1), group.status.clone());
    }
    values
}

/// The student as the report and the email address them: username, else email.
pub fn student_name(event: &SubmissionEvent) -> String {
    event
        .username
        .clone()
        .or_else(|| event.email.clone())
        .unwrap_or_else(|| "estudiante".to_string())
}

/// Whether a placeholder name is one the report fills (for `template validate`).
pub fn is_known_placeholder(name: &str) -> bool {
    matches!(name, "Nombre" | "Nivel" | "PD%")
        || name
            .strip_prefix('T')
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

const TEMPLATE_TTL: Duration = Duration::from_secs(60);

/// Loads the template from storage, parsed once and reused for a minute so the operator can
/// replace it without a restart.
pub struct Reports {
    storage: Storage,
    template_path: String,
    cached: Mutex<Option<(Instant, Arc<Template>)>>,
}

impl Reports {
    pub fn new(storage: Storage, template_path: String) -> Self {
        Self {
            storage,
            template_path,
            cached: Mutex::new(None),
        }
    }

    pub fn template_path(&self) -> &str {
        &self.template_path
    }

    pub async fn template(&self) -> Result<Arc<Template>, ReportError> {
        let mut cached = self.cached.lock().await;
        if let Some((loaded, t)) = cached.as_ref() {
            if loaded.elapsed() < TEMPLATE_TTL {
                return Ok(t.clone());
            }
        }
        let bytes = self
            .storage
            .get(&self.template_path)
            .await?
            .ok_or_else(|| ReportError::TemplateMissing {
                path: self.template_path.clone(),
                storage: self.storage.describe().to_string(),
            })?;
        let template = Template::from_bytes(&bytes).map_err(|source| ReportError::Template {
            path: self.template_path.clone(),
            source,
        })?;
        let template = Arc::new(template);
        *cached = Some((Instant::now(), template.clone()));
        Ok(template)
    }

    /// The filled .docx. A placeholder left unfilled fails the job rather than reach a student.
    pub async fn render(&self, values: &BTreeMap<String, String>) -> Result<Vec<u8>, ReportError> {
        let template = self.template().await?;
        let path = self.template_path.clone();
        let values = values.clone();
        let rendered = tokio::task::spawn_blocking(move || template.render_legacy(&values))
            .await
            .map_err(|e| {
                ReportError::Storage(StorageError::Config(format!("render task failed: {e}")))
            })?
            .map_err(|source| ReportError::Template {
                path: path.clone(),
                source,
            })?;
        if !rendered.unresolved.is_empty() {
            return Err(ReportError::UnknownPlaceholders {
                path,
                names: rendered.unresolved,
            });
        }
        Ok(rendered.docx)
    }
}
