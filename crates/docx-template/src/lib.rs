//! Word (.docx) template engine: legacy `<<Placeholder>>` markers and docxtpl-compatible
//! Jinja tags. See the crate README for the supported syntax and limits.
//!
//! ```no_run
//! use docx_template::{Context, InlineImage, Template};
//! # fn main() -> Result<(), docx_template::TemplateError> {
//! # let (template_bytes, chart_png): (Vec<u8>, Vec<u8>) = (vec![], vec![]);
//! #[derive(serde::Serialize)]
//! struct Report { nombre: String, nivel: String, lecciones: Vec<String> }
//!
//! let template = Template::from_bytes(&template_bytes)?; // once, then share (Send + Sync)
//! let report = Report { nombre: "Ana".into(), nivel: "Nivel 2".into(), lecciones: vec![] };
//! let ctx = Context::from_serialize(&report)?
//!     .with_image("chart", InlineImage::png(chart_png)?.width_mm(160.0));
//! let rendered = template.render_report(&ctx)?;
//! for name in &rendered.unresolved {
//!     eprintln!("<<{name}>> has no value");
//! }
//! std::fs::write("informe.docx", &rendered.docx).ok();
//! # Ok(()) }
//! ```

pub mod cli;
mod context;
mod error;
pub mod es_cl;
mod image;
mod jinja;
mod legacy;
mod lint;
mod listing;
mod package;
mod part;
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
pub use lint::{Warning, WarningKind};
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
