//! The report document: the school's Word template filled with the analysis, then PDF.

mod chart;
mod context;
mod paths;

use std::sync::Arc;
use std::time::Duration;

use docx_template::{Context, InlineImage, Template};
use tokio::sync::Mutex;
use tokio::time::Instant;

pub use chart::{bar_chart_png, parse_color, ChartColors, ChartError};
pub use context::{is_known_placeholder, legacy_values, student_name, ReportContext};
pub use paths::{processed_csv_key, report_key, PROCESSED_HEADER};

use crate::storage::{Storage, StorageError};

/// Width of the chart in the document; its height follows the picture's proportions.
pub const CHART_WIDTH_MM: f64 = 160.0;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("template {path} not found in {storage}")]
    TemplateMissing { path: String, storage: String },
    #[error("template {path}: {source}")]
    Template {
        path: String,
        #[source]
        source: Box<docx_template::TemplateError>,
    },
    #[error("template {path} has placeholders this report cannot fill: {}", names.iter().map(|n| format!("<<{n}>>")).collect::<Vec<_>>().join(", "))]
    UnknownPlaceholders { path: String, names: Vec<String> },
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("rendering stopped unexpectedly: {0}")]
    Internal(String),
}

impl ReportError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::TemplateMissing { .. } => "template_missing",
            Self::Template { .. } => "template_invalid",
            Self::UnknownPlaceholders { .. } => "template_unknown_placeholder",
            Self::Chart(_) => "chart_failed",
            Self::Storage(_) => "storage_unavailable",
            Self::Internal(_) => "internal_error",
        }
    }
}

const TEMPLATE_TTL: Duration = Duration::from_secs(60);

/// Loads the template from storage, parsed once and reused for a minute so the operator can
/// replace it without a restart.
pub struct Reports {
    storage: Storage,
    template_path: String,
    chart_colors: ChartColors,
    cached: Mutex<Option<(Instant, Arc<Template>)>>,
}

impl Reports {
    pub fn new(storage: Storage, template_path: String, chart_colors: ChartColors) -> Self {
        Self {
            storage,
            template_path,
            chart_colors,
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
                storage: self.storage.describe(),
            })?;
        let template = Template::from_bytes(&bytes).map_err(|source| ReportError::Template {
            path: self.template_path.clone(),
            source: Box::new(source),
        })?;
        let template = Arc::new(template);
        *cached = Some((Instant::now(), template.clone()));
        Ok(template)
    }

    /// The filled .docx, with the chart at `{{ chart }}`. A legacy placeholder left unfilled
    /// fails the job rather than reach a student.
    pub async fn render(&self, report: &ReportContext) -> Result<Vec<u8>, ReportError> {
        let template = self.template().await?;
        let path = self.template_path.clone();
        let report = report.clone();
        let colors = self.chart_colors.clone();
        // Drawing and zipping are CPU work: keep them off the async workers.
        let rendered = tokio::task::spawn_blocking(move || -> Result<_, ReportError> {
            let chart = bar_chart_png(&report.groups, &colors)?;
            let template_err = |source| ReportError::Template {
                path: path.clone(),
                source: Box::new(source),
            };
            let image = InlineImage::png(chart)
                .map_err(template_err)?
                .width_mm(CHART_WIDTH_MM);
            let context = Context::from_serialize(&report)
                .map_err(template_err)?
                .with_image("chart", image);
            let rendered = template.render_report(&context).map_err(template_err)?;
            if !rendered.unresolved.is_empty() {
                return Err(ReportError::UnknownPlaceholders {
                    path,
                    names: rendered.unresolved,
                });
            }
            Ok(rendered.docx)
        })
        .await
        .map_err(|e| ReportError::Internal(e.to_string()))??;
        Ok(rendered)
    }
}
