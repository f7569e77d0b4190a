//! File-level entry points for command-line tools (`webhook-service template …` and the
//! `render` example), so that every tool behaves and reports the same way.

use crate::context::Context;
use crate::error::TemplateError;
use crate::template::{Template, TemplateOptions};
use std::path::Path;

/// What a file render did.
#[derive(Debug, Clone, Default)]
pub struct RenderSummary {
    /// Bytes written to the output file.
    pub bytes: usize,
    /// Legacy `<<Name>>` markers left in place because the context has no such value.
    pub unresolved: Vec<String>,
}

fn read(path: &Path) -> Result<Vec<u8>, TemplateError> {
    std::fs::read(path).map_err(|source| TemplateError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Render `template` with the JSON context file and write the .docx to `out`.
pub fn render_files(
    template: &Path,
    context_json: &Path,
    out: &Path,
) -> Result<RenderSummary, TemplateError> {
    render_files_with(template, context_json, out, TemplateOptions::default())
}

/// [`render_files`] with explicit limits and Jinja options.
pub fn render_files_with(
    template: &Path,
    context_json: &Path,
    out: &Path,
    options: TemplateOptions,
) -> Result<RenderSummary, TemplateError> {
    let tpl = Template::from_bytes_with(&read(template)?, options)?;
    let ctx = Context::from_json_file(context_json)?;
    let rendered = tpl.render_report(&ctx)?;
    std::fs::write(out, &rendered.docx).map_err(|source| TemplateError::Io {
        path: out.display().to_string(),
        source,
    })?;
    Ok(RenderSummary {
        bytes: rendered.docx.len(),
        unresolved: rendered.unresolved,
    })
}

/// The text a top-level context value gives a legacy marker: strings and numbers only.
pub(crate) fn legacy_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
