//! Word (.docx) template engine: legacy `<<Placeholder>>` markers and docxtpl-compatible
//! Jinja tags. See the crate README for the supported syntax and limits.

pub mod cli;
mod error;
mod legacy;
mod package;
mod runs;
mod template;
mod walk;
mod xml;

pub use error::{Location, TemplateError};
pub use package::PackageLimits;
pub use template::{Placeholder, Rendered, Template, TemplateLimits};
pub use xml::Limits as XmlLimits;
