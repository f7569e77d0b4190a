//! The compiled Jinja templates of all parts of a template: built once, on first use, and
//! shared by every render.

use super::compile::{compile, CompiledPart};
use super::env::{environment, JinjaOptions};
use crate::error::{Location, TemplateError};
use crate::part::Part;
use minijinja::Environment;

/// Compiled Jinja templates of all parts, built on first use and shared by every render.
pub(crate) struct Engine {
    pub(crate) env: Environment<'static>,
    pub(crate) parts: Vec<CompiledPart>,
}

/// A compile failure kept so every later call reports the same error.
#[derive(Debug, Clone)]
pub(crate) struct CompileFailure(Location, String);

impl CompileFailure {
    /// The error every call reports.
    pub(crate) fn error(&self) -> TemplateError {
        let CompileFailure(location, message) = self;
        TemplateError::Syntax {
            location: location.clone(),
            message: message.clone(),
        }
    }
}

pub(crate) fn jinja_message(e: &minijinja::Error) -> String {
    match e.detail() {
        // The variant already says "syntax error"; the detail is the useful part.
        Some(d) if e.kind() == minijinja::ErrorKind::SyntaxError => d.to_string(),
        Some(d) => format!("{}: {d}", e.kind()),
        None => e.kind().to_string(),
    }
}

pub(crate) fn build(
    template_parts: &[Part],
    options: &JinjaOptions,
) -> Result<Engine, CompileFailure> {
    let mut env = environment(options);
    let mut parts = Vec::new();
    for part in template_parts {
        let c = compile(part).map_err(|e| match e {
            TemplateError::Syntax { location, message } => CompileFailure(location, message),
            other => CompileFailure(
                Location {
                    part: part.label.clone(),
                    ..Location::default()
                },
                other.to_string(),
            ),
        })?;
        if !c.is_static {
            env.add_template_owned(c.label.clone(), c.source.clone())
                .map_err(|e| CompileFailure(c.locate(&e), jinja_message(&e)))?;
        }
        parts.push(c);
    }
    Ok(Engine { env, parts })
}
