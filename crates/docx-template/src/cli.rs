//! File-level entry points for command-line tools (`webhook-service template …` and the
//! `render` example), so that every tool behaves and reports the same way.

use crate::context::Context;
use crate::error::{Location, TemplateError};
use crate::lint::Warning;
use crate::template::{Placeholder, Template, TemplateOptions};
use std::fmt;
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

/// One problem found by [`validate_file`].
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// Where in the template, when the problem is in the template text.
    pub location: Option<Location>,
    pub message: String,
}

impl Issue {
    fn from_error(e: &TemplateError) -> Issue {
        match e {
            TemplateError::Syntax { location, message } => Issue {
                location: Some(location.clone()),
                message: format!("syntax error: {message}"),
            },

            TemplateError::Render { location, message } => Issue {
                location: Some(location.clone()),
                message: format!("render error: {message}"),
            },
            other => Issue {
                location: None,
                message: other.to_string(),
            },
        }
    }
}

/// What `template validate` reports about a template file.
#[derive(Debug, Clone, Default)]
pub struct ValidationReport {
    pub template: String,
    /// Top-level variables the Jinja tags read, sorted.
    pub variables: Vec<String>,
    /// Legacy `<<Name>>` markers, in document order.
    pub legacy: Vec<Placeholder>,
    /// Whether a context was given (the two lists below are only meaningful then).
    pub context_checked: bool,
    /// Variables the template reads that the context does not define.
    pub undefined: Vec<String>,
    /// Legacy markers without a string or number value in the context.
    pub unresolved_legacy: Vec<String>,
    /// Syntax errors, and with a context the errors of a trial render.
    pub errors: Vec<Issue>,
    /// What a proof-reader would flag: no tag at all, spec text left in ([`Template::lint`]).
    pub warnings: Vec<Warning>,
}

impl ValidationReport {
    /// True when the template has no error (undefined variables are not errors: they
    /// print as empty text).
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

impl fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "template: {}", self.template)?;
        for e in &self.errors {
            match &e.location {
                Some(l) => writeln!(f, "error: {l}: {}", e.message)?,
                None => writeln!(f, "error: {}", e.message)?,
            }
        }
        for w in &self.warnings {
            writeln!(f, "warning: {w}")?;
        }
        writeln!(
            f,
            "variables ({}): {}",
            self.variables.len(),
            self.variables.join(", ")
        )?;
        let legacy: Vec<String> = self
            .legacy
            .iter()
            .map(|p| format!("<<{}>> ({})", p.name, p.part))
            .collect();
        writeln!(
            f,
            "legacy placeholders ({}): {}",
            legacy.len(),
            legacy.join(", ")
        )?;
        if self.context_checked {
            writeln!(
                f,
                "undefined in the context ({}): {}",
                self.undefined.len(),
                self.undefined.join(", ")
            )?;
            writeln!(
                f,
                "legacy placeholders without a value ({}): {}",
                self.unresolved_legacy.len(),
                self.unresolved_legacy.join(", ")
            )?;
        }
        if self.is_ok() && !self.warnings.is_empty() {
            writeln!(
                f,
                "result: ok, {} warning(s): read them before students receive this template",
                self.warnings.len()
            )
        } else if self.is_ok() {
            writeln!(f, "result: ok")
        } else {
            writeln!(f, "result: {} error(s)", self.errors.len())
        }
    }
}

/// Check a template file: syntax, the variables it uses, its legacy markers and, with a
/// context (JSON, image paths relative to the working directory), what would be undefined
/// and whether a trial render succeeds.
pub fn validate_file(template: &Path, context: Option<&serde_json::Value>) -> ValidationReport {
    validate_in(template, context, Path::new("."))
}

/// [`validate_file`] with the context read from a JSON file; its `$image` paths are relative
/// to that file, as for rendering.
pub fn validate_files(template: &Path, context_json: Option<&Path>) -> ValidationReport {
    let Some(path) = context_json else {
        return validate_in(template, None, Path::new("."));
    };
    let parsed = read(path).and_then(|b| {
        serde_json::from_slice::<serde_json::Value>(&b)
            .map_err(|e| TemplateError::Context(format!("{}: {e}", path.display())))
    });
    match parsed {
        Ok(json) => validate_in(
            template,
            Some(&json),
            path.parent().unwrap_or(Path::new(".")),
        ),
        Err(e) => ValidationReport {
            template: template.display().to_string(),
            context_checked: true,
            errors: vec![Issue::from_error(&e)],
            ..ValidationReport::default()
        },
    }
}

fn validate_in(
    template: &Path,
    context: Option<&serde_json::Value>,
    base: &Path,
) -> ValidationReport {
    let mut report = ValidationReport {
        template: template.display().to_string(),
        ..ValidationReport::default()
    };
    let tpl = match read(template).and_then(|b| Template::from_bytes(&b)) {
        Ok(t) => t,
        Err(e) => {
            report.errors.push(Issue::from_error(&e));
            return report;
        }
    };
    report.legacy = tpl.legacy_placeholders();
    report.warnings = tpl.lint();
    match tpl.variables() {
        Ok(v) => report.variables = v,
        Err(e) => report.errors.push(Issue::from_error(&e)),
    }
    let Some(json) = context else {
        return report;
    };
    report.context_checked = true;
    let ctx = match Context::from_json(json, base) {
        Ok(c) => c,
        Err(e) => {
            report.errors.push(Issue::from_error(&e));
            return report;
        }
    };
    let defined = |name: &str| json.get(name).is_some();
    report.undefined = report
        .variables
        .iter()
        .filter(|v| !defined(v))
        .cloned()
        .collect();
    if report.errors.is_empty() {
        match tpl.render_report(&ctx) {
            Ok(r) => report.unresolved_legacy = r.unresolved,
            Err(e) => report.errors.push(Issue::from_error(&e)),
        }
    } else {
        report.unresolved_legacy = tpl.unresolved(|n| ctx.legacy_value(n).is_some());
    }
    report
}
