//! Turning a part's XML tree into Jinja source: tags gathered into their first run,
//! structural tags applied, everything else written as escaped XML.

use super::{preserve, structural, tags, wsmerge};
use crate::error::{Location, TemplateError};
use crate::legacy;
use crate::part::Part;
use crate::runs;
use crate::walk::{self, snippet};
use crate::xml::{escape_attr, escape_text, Document, Element, Node};

/// Jinja source of one part plus what is needed to report errors against it.
#[derive(Debug, Clone)]
pub struct CompiledPart {
    pub label: String,
    pub zip_name: String,
    pub source: String,
    /// (line, location) pairs sorted by line: the paragraph that starts at that line. The
    /// snippet holds the paragraph's whole text; `locate` cuts it around the error.
    pub lines: Vec<(usize, Location)>,
    /// No tag and no legacy marker: the part is copied unchanged.
    pub is_static: bool,
}

impl CompiledPart {
    /// The location of a Jinja error: the paragraph at its line, with the snippet centred on
    /// the source text the error points at.
    pub fn locate(&self, e: &minijinja::Error) -> Location {
        let fallback = Location {
            part: self.label.clone(),
            ..Location::default()
        };
        let Some(line) = e.line() else {
            return fallback;
        };
        let Some((_, loc)) = self.lines.iter().rev().find(|(l, _)| *l <= line) else {
            return fallback;
        };
        let token = e
            .range()
            .and_then(|r| self.source.get(r))
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let at = token.and_then(|t| loc.snippet.find(t)).unwrap_or(0);
        Location {
            snippet: snippet(&loc.snippet, at, 60),
            ..loc.clone()
        }
    }
}

/// Properties of `docProps/core.xml` rendered as templates (the string ones docxtpl renders).
const CORE_PROPS: [&str; 6] = [
    "dc:creator",
    "dc:description",
    "dc:identifier",
    "dc:language",
    "dc:subject",
    "dc:title",
];

pub fn compile(part: &Part) -> Result<CompiledPart, TemplateError> {
    let mut doc = part.doc.clone();
    let mut places: Vec<Location> = Vec::new();
    let mut first_err: Option<TemplateError> = None;
    let mut tagged = false;
    let label = part.label.as_str();
    if label == "core" {
        core(
            &mut doc.root,
            label,
            &mut places,
            &mut first_err,
            &mut tagged,
        );
    } else {
        let plain = preserve::plain_texts(&doc.root);
        walk::paragraphs_mut(&mut doc.root, &mut |p, place| {
            let pt = runs::collect(p);
            if pt.text.contains('{') || pt.text.contains("<<") {
                match tags::find(&pt.text) {
                    Err(pos) => {
                        first_err.get_or_insert_with(|| TemplateError::Syntax {
                            location: Location {
                                part: label.to_string(),
                                place: place.to_string(),
                                snippet: snippet(&pt.text, pos, 60),
                            },
                            message: "a tag opened here is not closed in the same paragraph".into(),
                        });
                    }
                    Ok(mut spans) => {
                        let legacy = legacy::spans_outside(&pt.text, &spans);
                        spans.extend(legacy);
                        spans.sort_by_key(|s| s.start);
                        tagged |= !spans.is_empty() || has_literal_delims(&pt.text);
                        runs::gather(p, &pt, &spans, true);
                        runs::drop_inside_tags(p, &pt, &spans);
                    }
                }
            }
            places.push(Location {
                part: label.to_string(),
                place: place.to_string(),
                snippet: pt.text.clone(),
            });
            p.children.insert(0, Node::Mark(places.len() - 1));
        });
        preserve::apply(&mut doc.root, &plain);
        if first_err.is_none() {
            wsmerge::apply(&mut doc.root).map_err(|m| TemplateError::Syntax {
                location: Location {
                    part: label.to_string(),
                    ..Location::default()
                },
                message: format!("whitespace control {{%- or -%}}: {m}"),
            })?;
        }
        structural::apply(&mut doc.root);
    }
    if let Some(e) = first_err {
        return Err(e);
    }
    let (source, offsets) = write_source(&doc);
    let mut lines = Vec::with_capacity(offsets.len());
    let mut line = 1;
    let mut last = 0;
    for (off, idx) in offsets {
        line += source.as_bytes()[last..off]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        last = off;
        // The mark writes the newline itself, so its paragraph starts on the next line.
        lines.push((line + 1, places[idx].clone()));
    }
    Ok(CompiledPart {
        label: part.label.clone(),
        zip_name: part.zip_name.clone(),
        source,
        lines,
        is_static: !tagged,
    })
}

fn core(
    root: &mut Element,
    label: &str,
    places: &mut Vec<Location>,
    first_err: &mut Option<TemplateError>,
    tagged: &mut bool,
) {
    let old = std::mem::take(&mut root.children);
    for node in old {
        if let Node::Elem(mut e) = node {
            if CORE_PROPS.contains(&e.name.as_str()) && e.elements().next().is_none() {
                let text = e.own_text();
                if text.contains('{') {
                    let loc = Location {
                        part: label.to_string(),
                        place: format!("property {}", e.name),
                        snippet: text.clone(),
                    };
                    match tags::find(&text) {
                        Ok(spans) => {
                            *tagged |= !spans.is_empty() || has_literal_delims(&text);
                            e.children = split_text(&text, &spans);
                        }
                        Err(_) => {
                            first_err.get_or_insert_with(|| TemplateError::Syntax {
                                location: loc.clone(),
                                message: "a tag is not closed".into(),
                            });
                        }
                    }
                    places.push(loc);
                    root.children.push(Node::Mark(places.len() - 1));
                }
            }
            root.children.push(Node::Elem(e));
        } else {
            root.children.push(node);
        }
    }
}

/// `{_{ }_} {_% %_}` need the post-render pass even in a part without tags.
fn has_literal_delims(text: &str) -> bool {
    ["{_{", "}_}", "{_%", "%_}"]
        .iter()
        .any(|d| text.contains(d))
}

fn split_text(text: &str, spans: &[runs::Span]) -> Vec<Node> {
    let mut out = Vec::new();
    let mut at = 0;
    for s in spans {
        if s.start > at {
            out.push(Node::Text(text[at..s.start].to_string()));
        }
        if let runs::SpanKind::Tag(src) = &s.kind {
            out.push(Node::Jinja(src.clone()));
        }
        at = s.end;
    }
    if at < text.len() {
        out.push(Node::Text(text[at..].to_string()));
    }
    out
}

/// Write the tree as Jinja source; returns the byte offsets of the line marks.
fn write_source(doc: &Document) -> (String, Vec<(usize, usize)>) {
    let mut out = String::with_capacity(64 * 1024);
    let mut marks = Vec::new();
    for n in &doc.prologue {
        node(n, &mut out, &mut marks);
    }
    element(&doc.root, &mut out, &mut marks);
    (out, marks)
}

/// Literal XML must never be read as Jinja: a `{` that would open a tag is written as an
/// expression printing `{`.
fn push_literal(out: &mut String, escaped: &str) {
    let mut chars = escaped.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '{' && matches!(chars.peek(), Some('{' | '%' | '#')) {
            out.push_str("{{ '{' }}");
        } else {
            out.push(c);
        }
    }
}

fn element(e: &Element, out: &mut String, marks: &mut Vec<(usize, usize)>) {
    out.push('<');
    out.push_str(&e.name);
    let mut buf = String::new();
    for a in &e.attrs {
        out.push(' ');
        out.push_str(&a.name);
        out.push_str("=\"");
        if a.jinja {
            out.push_str(&a.value);
        } else {
            buf.clear();
            escape_attr(&a.value, &mut buf);
            push_literal(out, &buf);
        }
        out.push('"');
    }
    if e.children.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for c in &e.children {
        node(c, out, marks);
    }
    out.push_str("</");
    out.push_str(&e.name);
    out.push('>');
}

fn node(n: &Node, out: &mut String, marks: &mut Vec<(usize, usize)>) {
    match n {
        Node::Elem(e) => element(e, out, marks),
        Node::Text(t) => {
            let mut buf = String::with_capacity(t.len());
            escape_text(t, &mut buf);
            push_literal(out, &buf);
        }
        Node::Raw(r) => push_literal(out, r),
        Node::Jinja(src) => out.push_str(src),
        Node::Legacy(name) => {
            out.push_str("{{ __docx_legacy(");
            out.push_str(&serde_json::Value::String(name.clone()).to_string());
            out.push_str(") }}");
        }
        Node::Mark(i) => {
            marks.push((out.len(), *i));
            out.push('\n');
        }
    }
}
