//! The one error type of the crate. Variants are grouped by what a caller does about them:
//! a broken package (ask for another file), a template mistake (show the author where),
//! bad data (fix the context), or a resource limit (refuse the file).

use std::fmt;

/// Where in the document a template problem sits, so an author can find it in Word.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// Part label: `document`, `header1`, `footer2`, `footnotes`, `endnotes`, `comments`,
    /// `core`.
    pub part: String,
    /// Human description of the place: `paragraph 12`, `table 2, row 3, cell 1`, …
    pub place: String,
    /// Template text around the problem (the paragraph text, shortened).
    pub snippet: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "part {}", self.part)?;
        if !self.place.is_empty() {
            write!(f, ", {}", self.place)?;
        }
        if !self.snippet.is_empty() {
            write!(f, ", near \"{}\"", self.snippet)?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The bytes are not a readable zip archive (corrupt, truncated, or another format).
    #[error("not a .docx file: the bytes are not a readable zip archive ({0})")]
    NotZip(String),
    /// A zip archive, but not a Word document (no main document part).
    #[error("not a Word .docx document: {0}")]
    NotDocx(String),
    /// The file exceeds a safety limit (zip bomb, huge or deeply nested XML).
    #[error("template refused: {what} exceeds the limit of {limit}")]
    LimitExceeded { what: String, limit: u64 },
    /// A part of the package (or the rendered output) is not well-formed XML.
    #[error("malformed XML in part {part}: {message}")]
    Xml { part: String, message: String },
    /// Jinja syntax error in the template text.
    #[error("template syntax error in {location}: {message}")]
    Syntax { location: Location, message: String },
    /// The template is valid but evaluating it failed (bad filter argument, type error, …).
    #[error("template render error in {location}: {message}")]
    Render { location: Location, message: String },
    /// The context (JSON or Rust value) cannot be used: bad `$` marker, not an object, …
    #[error("invalid context: {0}")]
    Context(String),
    /// An image given to the template cannot be used (unknown format, unreadable file).
    #[error("invalid image {name}: {message}")]
    Image { name: String, message: String },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl TemplateError {
    pub(crate) fn xml(part: &str, message: impl fmt::Display) -> Self {
        TemplateError::Xml {
            part: part.to_string(),
            message: message.to_string(),
        }
    }

    pub(crate) fn limit(what: impl Into<String>, limit: u64) -> Self {
        TemplateError::LimitExceeded {
            what: what.into(),
            limit,
        }
    }
}
