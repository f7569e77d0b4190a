//! File-level entry points for command-line tools (`webhook-service template …` and the
//! `render` example), so that every tool behaves and reports the same way.

use crate::error::TemplateError;
use crate::template::Template;
use std::collections::BTreeMap;
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
    let tpl = Template::from_bytes(&read(template)?)?;
    let ctx: serde_json::Value = serde_json::from_slice(&read(context_json)?)
        .map_err(|e| TemplateError::Context(format!("{}: {e}", context_json.display())))?;
    let serde_json::Value::Object(map) = ctx else {
        return Err(TemplateError::Context(
            "the context must be a JSON object".into(),
        ));
    };
    let values: BTreeMap<String, String> = map
        .iter()
        .filter_map(|(k, v)| legacy_text(v).map(|t| (k.clone(), t)))
        .collect();
    let rendered = tpl.render_legacy(&values)?;
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
