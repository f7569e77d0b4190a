//! `Template::render`: Jinja over every part, then the post-render pass, then the package.

use crate::context::Context;
use crate::error::TemplateError;
use crate::jinja::compile::compile;
use crate::jinja::engine::{build, jinja_message, CompileFailure, Engine};
use crate::post;
use crate::rels::{self, PartRels, RenderState};
use crate::template::{Rendered, Template};
use crate::xml::{keep_legacy, Writer};
use std::collections::{BTreeMap, BTreeSet};

impl Template {
    pub(crate) fn engine(&self) -> Result<&Engine, TemplateError> {
        self.engine
            .get_or_init(|| build(&self.parts, &self.options.jinja))
            .as_ref()
            .map_err(CompileFailure::error)
    }

    /// Check the Jinja syntax of every part without rendering.
    pub fn check_syntax(&self) -> Result<(), TemplateError> {
        self.engine().map(|_| ())
    }

    /// Top-level variables the template reads (sorted), not counting loop variables, the
    /// names it assigns itself and legacy markers.
    pub fn variables(&self) -> Result<Vec<String>, TemplateError> {
        let engine = self.engine()?;
        let mut all = BTreeSet::new();
        for part in engine.parts.iter().filter(|p| !p.is_static) {
            if let Ok(t) = engine.env.get_template(&part.label) {
                all.extend(t.undeclared_variables(false));
            }
        }
        for builtin in [
            "__docx_legacy",
            "range",
            "dict",
            "namespace",
            "debug",
            "iteritems",
        ] {
            all.remove(builtin);
        }
        Ok(all.into_iter().collect())
    }

    /// Render the template (Jinja tags and legacy markers) to a .docx.
    pub fn render(&self, ctx: &Context) -> Result<Vec<u8>, TemplateError> {
        Ok(self.render_report(ctx)?.docx)
    }

    /// Like [`Template::render`], also listing legacy markers that had no string or number
    /// value in the context (they stay in the document as typed).
    pub fn render_report(&self, ctx: &Context) -> Result<Rendered, TemplateError> {
        let engine = self.engine()?;
        let root = ctx.root();
        let media_dir = format!("{}media/", self.main_dir());
        let taken = |n: &str| self.package.contains(n);
        let mut st = RenderState::new(&ctx.objects, media_dir, &taken);
        let mut replaced = BTreeMap::new();
        let writer = Writer {
            legacy: &keep_legacy,
        };
        let max = self.options.package.max_part_bytes as usize;
        for (i, part) in engine.parts.iter().enumerate() {
            if part.is_static {
                continue;
            }
            let render_err = |e: minijinja::Error| TemplateError::Render {
                location: part.locate(&e),
                message: jinja_message(&e),
            };
            let out = engine
                .env
                .get_template(&part.label)
                .and_then(|t| t.render(&root))
                .map_err(render_err)?;
            if out.len() > max {
                return Err(TemplateError::limit(
                    format!("rendered size of part {}", part.label),
                    max as u64,
                ));
            }
            let mut part_rels = PartRels::new(&part.zip_name, rels::ids_of(self.rels[i].as_ref()));
            let doc = post::finish(&out, &part.label, self.options.xml, &mut st, &mut part_rels)?;
            replaced.insert(part.zip_name.clone(), writer.document(&doc).into_bytes());
            if let Some(x) = part_rels.xml(self.rels[i].as_ref()) {
                replaced.insert(rels::rels_name(&part.zip_name), x.into_bytes());
            }
        }
        if !st.media.is_empty() {
            if let Some(ct) = self
                .content_types
                .as_ref()
                .and_then(|d| rels::content_types(d, &st.media))
            {
                replaced.insert("[Content_Types].xml".into(), ct.into_bytes());
            }
            for m in &st.media {
                replaced.insert(m.name.clone(), m.bytes.to_vec());
            }
        }
        let docx = self.package.write(&replaced)?;
        Ok(Rendered {
            docx,
            unresolved: self.unresolved(|n| ctx.legacy_value(n).is_some()),
        })
    }
}

impl Template {
    /// The generated Jinja source of every rendered part, for debugging templates.
    pub fn debug_sources(&self) -> Result<Vec<(String, String)>, TemplateError> {
        let mut out = Vec::new();
        for part in &self.parts {
            let c = compile(part)?;
            if !c.is_static {
                out.push((c.label, c.source));
            }
        }
        Ok(out)
    }
}
