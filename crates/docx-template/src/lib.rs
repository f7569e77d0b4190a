//! Word (.docx) template engine: legacy `<<Placeholder>>` markers and docxtpl-compatible
//! Jinja tags. See the crate README for the supported syntax and limits.

pub mod cli;
mod context;
mod error;
mod image;
mod jinja;
mod legacy;
mod listing;
mod package;
mod post;
mod rels;
mod render;
mod rich;
mod runs;
mod tables;
mod template;
mod walk;
mod xml;

pub use context::Context;
pub use error::{Location, TemplateError};
pub use image::InlineImage;
pub use jinja::env::JinjaOptions;
pub use package::PackageLimits;
pub use rich::{RichParagraph, RichText, RichTextParagraph, Segment, Underline};
pub use template::{Placeholder, Rendered, Template, TemplateOptions};
pub use xml::Limits as XmlLimits;

/// Compile-time proof that a template can be shared between threads.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<Template>();
    shared::<Context>();
};
