//! After Jinja: parse the output (this is the well-formedness check), turn object markers
//! into pictures and rich runs, apply the `\n \t \a \f` rules, fix table grids and ids.

use crate::context::RichObject;
use crate::error::TemplateError;
use crate::image::drawing_run;
use crate::jinja::env::OBJECT_PI;
use crate::listing::listing;
use crate::rels::{PartRels, RenderState};
use crate::tables;
use crate::xml::{self, Document, Element, Limits, Node};

pub fn finish(
    rendered: &str,
    label: &str,
    limits: Limits,
    st: &mut RenderState<'_>,
    rels: &mut PartRels,
) -> Result<Document, TemplateError> {
    let mut doc = xml::parse(rendered, label, limits).map_err(|e| match e {
        TemplateError::Xml { part, message } => TemplateError::Xml {
            part,
            message: format!("the rendered template is not well-formed ({message}); a tag probably produced markup in the wrong place"),
        },
        other => other,
    })?;
    tidy(&mut doc.root);
    if label == "core" {
        literal_braces(&mut doc.root);
        return Ok(doc);
    }
    expand(&mut doc.root, st, rels);
    listing(&mut doc.root);
    literal_braces(&mut doc.root);
    tables::fix_all(&mut doc.root);
    renumber_doc_pr(&mut doc.root, &mut st.doc_pr);
    Ok(doc)
}

fn keeps_text(e: &Element) -> bool {
    matches!(e.name.as_str(), "w:t" | "w:delText" | "w:instrText")
}

/// Drop whitespace-only text between elements (line marks, template indentation). Elements
/// that hold text only (`a:t`, core properties) keep theirs: it is content there.
fn tidy(e: &mut Element) {
    let container = e.elements().next().is_some()
        || matches!(
            e.name.as_str(),
            "w:p"
                | "w:body"
                | "w:tbl"
                | "w:tr"
                | "w:tc"
                | "w:hdr"
                | "w:ftr"
                | "w:hyperlink"
                | "w:txbxContent"
                | "w:sdtContent"
        );
    if container && !keeps_text(e) {
        e.children
            .retain(|n| !matches!(n, Node::Text(t) if t.trim().is_empty()));
    }
    for n in e.children.iter_mut() {
        if let Node::Elem(c) = n {
            tidy(c);
        }
    }
}

fn object_index(n: &Node) -> Option<usize> {
    let Node::Raw(r) = n else { return None };
    r.strip_prefix("<?")?
        .strip_suffix("?>")?
        .strip_prefix(OBJECT_PI)?
        .trim()
        .parse()
        .ok()
}

fn is_block(e: &Element) -> bool {
    match e.name.as_str() {
        "w:body" | "w:tc" | "w:txbxContent" | "w:hdr" | "w:ftr" | "w:footnote" | "w:endnote"
        | "w:comment" => true,
        // A content control holds paragraphs at block level and runs inside a paragraph.
        "w:sdtContent" => e.elements().any(|c| c.is("w:p") || c.is("w:tbl")),
        _ => false,
    }
}

/// Runs for an object placed inside a paragraph.
fn inline_nodes(obj: &RichObject, st: &mut RenderState<'_>, rels: &mut PartRels) -> Vec<Node> {
    let mut link = |url: &str| rels.hyperlink(url);
    match obj {
        RichObject::Text(t) => t.segments.iter().map(|s| s.to_node(&mut link)).collect(),
        RichObject::Paragraphs(p) => p
            .paragraphs
            .iter()
            .flat_map(|p| p.runs.iter())
            .map(|s| s.to_node(&mut link))
            .collect(),
        RichObject::Image(img) => {
            let rid = st.image_rel(img, rels);
            let (cx, cy) = img.extent_emu();
            let file = format!("image.{}", img.info.ext);
            vec![Node::Elem(drawing_run(cx, cy, &rid, 0, &file))]
        }
    }
}

fn expand(e: &mut Element, st: &mut RenderState<'_>, rels: &mut PartRels) {
    let in_para = e.is("w:p") || e.is("w:hyperlink");
    let block = is_block(e);
    let changes = e.children.iter().any(|n| match n {
        Node::Elem(c) => c.is("w:r") && run_has_object(c),
        Node::Text(_) => in_para || block,
        other => object_index(other).is_some(),
    });
    if !changes {
        for n in e.children.iter_mut() {
            if let Node::Elem(c) = n {
                expand(c, st, rels);
            }
        }
        return;
    }
    let old = std::mem::take(&mut e.children);
    let mut new = Vec::with_capacity(old.len());
    for n in old {
        if let Some(obj) = object_index(&n).and_then(|i| st.objects.get(i)) {
            match (block, obj) {
                (true, RichObject::Paragraphs(p)) => {
                    let mut link = |url: &str| rels.hyperlink(url);
                    for para in &p.paragraphs {
                        new.push(Node::Elem(para.to_element(&mut link)));
                    }
                }
                (true, _) => {
                    let mut p = Element::new("w:p");
                    p.children = inline_nodes(obj, st, rels);
                    new.push(Node::Elem(p));
                }
                (false, _) => new.extend(inline_nodes(obj, st, rels)),
            }
            continue;
        }
        match n {
            Node::Elem(c) if c.is("w:r") && run_has_object(&c) => {
                split_run(c, st, rels, &mut new);
            }
            Node::Elem(mut c) => {
                expand(&mut c, st, rels);
                new.push(Node::Elem(c));
            }
            // Text printed straight into a paragraph (`{{r plain_string }}`) needs a run, and
            // at block level (`{{p plain_string }}`) a paragraph too.
            Node::Text(mut t) if in_para || block => {
                if block && t.starts_with('\n') {
                    // The line mark written before a replaced paragraph, not data.
                    t.remove(0);
                }
                let mut r = Element::new("w:r");
                let mut wt = Element::new("w:t").with_attr("xml:space", "preserve");
                wt.children.push(Node::Text(t));
                r.children.push(Node::Elem(wt));
                if block {
                    let mut p = Element::new("w:p");
                    p.children.push(Node::Elem(r));
                    new.push(Node::Elem(p));
                } else {
                    new.push(Node::Elem(r));
                }
            }
            other => new.push(other),
        }
    }
    e.children = new;
}

fn run_has_object(r: &Element) -> bool {
    r.elements()
        .filter(|t| t.is("w:t"))
        .any(|t| t.children.iter().any(|n| object_index(n).is_some()))
}

/// A picture or rich text printed inside text: the run is cut there; text before keeps its
/// formatting, text after continues in a run without properties (as docxtpl does).
fn split_run(run: Element, st: &mut RenderState<'_>, rels: &mut PartRels, out: &mut Vec<Node>) {
    let mut cur = run.shell();
    for child in run.children {
        let Node::Elem(t) = child else {
            cur.children.push(child);
            continue;
        };
        if !t.is("w:t") {
            cur.children.push(Node::Elem(t));
            continue;
        }
        let mut piece = t.shell();
        for n in t.children {
            match object_index(&n).and_then(|i| st.objects.get(i)) {
                Some(obj) => {
                    cur.children.push(Node::Elem(piece));
                    out.push(Node::Elem(cur));
                    out.extend(inline_nodes(obj, st, rels));
                    cur = Element::new("w:r");
                    piece = Element::new("w:t").with_attr("xml:space", "preserve");
                }
                None => piece.children.push(n),
            }
        }
        cur.children.push(Node::Elem(piece));
    }
    out.push(Node::Elem(cur));
}

/// `{_{ }_} {_% %_}` print the Jinja delimiters literally.
fn literal_braces(e: &mut Element) {
    for n in e.children.iter_mut() {
        match n {
            Node::Text(t) if t.contains('_') => {
                *t = t
                    .replace("{_{", "{{")
                    .replace("}_}", "}}")
                    .replace("{_%", "{%")
                    .replace("%_}", "%}");
            }
            Node::Elem(c) => literal_braces(c),
            _ => {}
        }
    }
}

/// Word requires unique drawing ids; loops copy them, so every part is renumbered.
fn renumber_doc_pr(e: &mut Element, next: &mut usize) {
    for n in e.children.iter_mut() {
        if let Node::Elem(c) = n {
            if c.is("wp:docPr") {
                *next += 1;
                let id = next.to_string();
                c.set_attr("id", &id);
            }
            renumber_doc_pr(c, next);
        }
    }
}
