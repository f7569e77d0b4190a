//! The parsed template: opened once, rendered many times (it is immutable and `Sync`).

use crate::error::TemplateError;
use crate::jinja::engine::{CompileFailure, Engine};
use crate::jinja::env::JinjaOptions;
use crate::legacy;
use crate::package::{Package, PackageLimits};
use crate::part::Part;
use crate::rels;
use crate::xml::{self, escape_text, keep_legacy, Document, Limits, Writer};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// A legacy `<<Name>>` marker and the part where it first appears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    pub name: String,
    /// `document`, `header1`, `footer2`, …
    pub part: String,
}

/// Output of [`Template::render_legacy`].
#[derive(Debug, Clone)]
pub struct Rendered {
    pub docx: Vec<u8>,
    /// Names found in the document but absent from the values (deduplicated, document order).
    pub unresolved: Vec<String>,
}

pub struct Template {
    pub(crate) package: Package,
    pub(crate) parts: Vec<Part>,
    /// Relationships of each part (aligned with `parts`), when it has any.
    pub(crate) rels: Vec<Option<Document>>,
    pub(crate) content_types: Option<Document>,
    pub(crate) options: TemplateOptions,
    pub(crate) engine: OnceLock<Result<Engine, CompileFailure>>,
    /// Parts holding legacy markers, prepared with `Node::Legacy` (index into `parts`).
    legacy_parts: Vec<(usize, Document)>,
    placeholders: Vec<Placeholder>,
}

impl std::fmt::Debug for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Template")
            .field(
                "parts",
                &self.parts.iter().map(|p| &p.label).collect::<Vec<_>>(),
            )
            .field("placeholders", &self.placeholders)
            .finish()
    }
}

/// Limits and options applied when opening a template; the defaults suit school reports
/// with room to spare.
#[derive(Debug, Clone, Copy, Default)]
pub struct TemplateOptions {
    pub package: PackageLimits,
    pub xml: Limits,
    pub jinja: JinjaOptions,
}

impl Template {
    pub fn from_bytes(bytes: &[u8]) -> Result<Template, TemplateError> {
        Self::from_bytes_with(bytes, TemplateOptions::default())
    }

    pub fn from_bytes_with(
        bytes: &[u8],
        limits: TemplateOptions,
    ) -> Result<Template, TemplateError> {
        let package = Package::open(bytes, limits.package)?;
        let mut budget = limits.package.max_total_bytes;
        let main = main_part_name(&package, &mut budget, limits.xml)?;
        let mut parts = Vec::new();
        for (zip_name, label) in part_names(&package, &main) {
            let text = package.read_string(&zip_name, &mut budget)?;
            let doc = xml::parse(&text, &label, limits.xml)?;
            // A `<` in text is always escaped in the XML, so without `&lt;` or a character
            // reference there can be no `<<Name>>` marker to look for.
            let may_have_legacy = text.contains("&lt;") || text.contains("&#");
            parts.push(Part {
                zip_name,
                label,
                doc,
                may_have_legacy,
            });
        }
        let mut part_rels = Vec::with_capacity(parts.len());
        for part in &parts {
            let name = rels::rels_name(&part.zip_name);
            part_rels.push(if part.label != "core" && package.contains(&name) {
                let text = package.read_string(&name, &mut budget)?;
                Some(xml::parse(&text, &name, limits.xml)?)
            } else {
                None
            });
        }
        let content_types = if package.contains("[Content_Types].xml") {
            let text = package.read_string("[Content_Types].xml", &mut budget)?;
            Some(xml::parse(&text, "[Content_Types].xml", limits.xml)?)
        } else {
            None
        };
        let mut legacy_parts = Vec::new();
        let mut placeholders: Vec<Placeholder> = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            if part.label == "core" || !part.may_have_legacy {
                continue;
            }
            let mut doc = part.doc.clone();
            let names = legacy::prepare(&mut doc);
            if names.is_empty() {
                continue;
            }
            for name in names {
                if !placeholders.iter().any(|p| p.name == name) {
                    placeholders.push(Placeholder {
                        name,
                        part: part.label.clone(),
                    });
                }
            }
            legacy_parts.push((i, doc));
        }
        Ok(Template {
            package,
            parts,
            rels: part_rels,
            content_types,
            options: limits,
            engine: OnceLock::new(),
            legacy_parts,
            placeholders,
        })
    }

    /// Every legacy `<<Name>>` marker, in document order, deduplicated by name.
    pub fn legacy_placeholders(&self) -> Vec<Placeholder> {
        self.placeholders.clone()
    }

    /// Replace `<<Name>>` markers by values (XML-escaped). Markers whose name is absent from
    /// `values` stay as typed and are listed in `unresolved`.
    pub fn render_legacy(
        &self,
        values: &BTreeMap<String, String>,
    ) -> Result<Rendered, TemplateError> {
        let lookup = |name: &str, out: &mut String| match values.get(name) {
            Some(v) => escape_text(v, out),
            None => keep_legacy(name, out),
        };
        let writer = Writer { legacy: &lookup };
        let mut replaced = BTreeMap::new();
        for (i, doc) in &self.legacy_parts {
            replaced.insert(
                self.parts[*i].zip_name.clone(),
                writer.document(doc).into_bytes(),
            );
        }
        let docx = self.package.write(&replaced)?;
        Ok(Rendered {
            docx,
            unresolved: self.unresolved(|n| values.contains_key(n)),
        })
    }

    /// Folder of the main part (`word/`), where media are added.
    pub(crate) fn main_dir(&self) -> &str {
        let main = &self.parts[0].zip_name;
        main.rfind('/').map_or("", |i| &main[..=i])
    }

    pub(crate) fn unresolved(&self, known: impl Fn(&str) -> bool) -> Vec<String> {
        let mut seen = BTreeSet::new();
        self.placeholders
            .iter()
            .filter(|p| !known(&p.name) && seen.insert(p.name.clone()))
            .map(|p| p.name.clone())
            .collect()
    }
}

/// The main document part, from the package relationships (Word always writes them; some
/// generators do not, hence the conventional fallback).
fn main_part_name(
    package: &Package,
    budget: &mut u64,
    limits: Limits,
) -> Result<String, TemplateError> {
    let mut main = None;
    if package.contains("_rels/.rels") {
        let text = package.read_string("_rels/.rels", budget)?;
        let rels = xml::parse(&text, "_rels/.rels", limits)?;
        main = rels
            .root
            .elements()
            .find(|r| {
                r.attr("Type")
                    .is_some_and(|t| t.ends_with("/officeDocument"))
            })
            .and_then(|r| r.attr("Target"))
            .map(|t| t.trim_start_matches('/').to_string());
    }
    let main = main.unwrap_or_else(|| "word/document.xml".to_string());
    if !package.contains(&main) {
        return Err(TemplateError::NotDocx(format!(
            "the package has no main document part ({main})"
        )));
    }
    Ok(main)
}

/// The parts rendered besides the main one: headers, footers, footnotes, endnotes and
/// comments next to it, and the core document properties. Sorted so that listings follow a
/// reader's order.
fn part_names(package: &Package, main: &str) -> Vec<(String, String)> {
    let dir = main.rfind('/').map_or("", |i| &main[..=i]);
    let mut extra: Vec<(u8, u32, String, String)> = Vec::new();
    for name in package.names() {
        let Some(file) = name.strip_prefix(dir) else {
            continue;
        };
        let Some(stem) = file.strip_suffix(".xml") else {
            continue;
        };
        if stem.contains('/') {
            continue;
        }
        let (kind, num) = if let Some(n) = stem.strip_prefix("header") {
            (0, n)
        } else if let Some(n) = stem.strip_prefix("footer") {
            (1, n)
        } else if stem == "footnotes" {
            (2, "")
        } else if stem == "endnotes" {
            (3, "")
        } else if stem == "comments" {
            (4, "")
        } else {
            continue;
        };
        if !num.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let n = num.parse().unwrap_or(0);
        extra.push((kind, n, name.clone(), stem.to_string()));
    }
    extra.sort();
    let mut out = vec![(main.to_string(), "document".to_string())];
    out.extend(extra.into_iter().map(|(_, _, z, l)| (z, l)));
    if package.contains("docProps/core.xml") {
        out.push(("docProps/core.xml".to_string(), "core".to_string()));
    }
    out
}
