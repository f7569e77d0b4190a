//! One XML part of the package as the template keeps it: read and parsed when the template
//! is opened, then compiled to Jinja (`jinja::compile`) and rendered.

use crate::xml::Document;

/// One XML part we render.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    pub zip_name: String,
    /// `document`, `header1`, `footnotes`, `endnotes`, `comments`, `core`.
    pub label: String,
    pub doc: Document,
    pub may_have_legacy: bool,
}
