//! docxtpl's structural tags: `{%p %}`, `{%tr %}`, `{%tc %}` and `{%r %}` stand for the
//! whole paragraph, row, cell or run around them, and the cell tags `colspan`, `cellbg`, `vm`
//! and `hm` become cell properties computed by Jinja.

use super::tags::{self, Level};
use crate::xml::{Element, Node};

/// Rewrite the tree bottom-up so each structural tag replaces its innermost container.
pub fn apply(e: &mut Element) {
    for n in e.children.iter_mut() {
        if let Node::Elem(c) = n {
            apply(c);
        }
    }
    let old = std::mem::take(&mut e.children);
    let mut new = Vec::with_capacity(old.len());
    for node in old {
        let Node::Elem(mut c) = node else {
            new.push(node);
            continue;
        };
        let lvl = match c.name.as_str() {
            "w:p" => Some(Level::Paragraph),
            "w:tc" => Some(Level::Cell),
            "w:tr" => Some(Level::Row),
            "w:r" => Some(Level::Run),
            _ => None,
        };
        let mut srcs = Vec::new();
        if let Some(lvl) = lvl {
            collect_level(&c, lvl, &mut srcs);
        }
        if lvl == Some(Level::Run) && !srcs.is_empty() {
            split_run(c, &mut new);
        } else if !srcs.is_empty() {
            // The container disappears; its first line marker keeps error locations exact.
            if let Some(mark) = first_mark(&c) {
                new.push(mark);
            }
            new.extend(srcs.into_iter().map(Node::Jinja));
        } else if c.is("w:tc") && cell_tags(&mut c) {
            new.push(Node::Jinja("{% if loop.first %}".into()));
            new.push(Node::Elem(c));
            new.push(Node::Jinja("{% endif %}".into()));
        } else {
            new.push(Node::Elem(c));
        }
    }
    e.children = new;
}

fn collect_level(e: &Element, lvl: Level, out: &mut Vec<String>) {
    for n in &e.children {
        match n {
            Node::Jinja(src) => {
                if let Some((l, bare)) = tags::level(src) {
                    if l == lvl {
                        out.push(bare);
                    }
                }
            }
            Node::Elem(c) => collect_level(c, lvl, out),
            _ => {}
        }
    }
}

fn first_mark(e: &Element) -> Option<Node> {
    e.children.iter().find_map(|n| match n {
        Node::Mark(_) => Some(n.clone()),
        Node::Elem(c) => first_mark(c),
        _ => None,
    })
}

/// Split a run at each `{%r %}`/`{{r }}` tag: text before keeps the run's formatting, the
/// tag stands alone between runs, and text after goes to a run without properties.
fn split_run(run: Element, out: &mut Vec<Node>) {
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
            let bare = match &n {
                Node::Jinja(src) => match tags::level(src) {
                    Some((Level::Run, bare)) => Some(bare),
                    _ => None,
                },
                _ => None,
            };
            match bare {
                Some(bare) => {
                    cur.children.push(Node::Elem(piece));
                    out.push(Node::Elem(cur));
                    out.push(Node::Jinja(bare));
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

const TC_PR_ORDER: [&str; 13] = [
    "w:cnfStyle",
    "w:tcW",
    "w:gridSpan",
    "w:hMerge",
    "w:vMerge",
    "w:tcBorders",
    "w:shd",
    "w:noWrap",
    "w:tcMar",
    "w:textDirection",
    "w:tcFitText",
    "w:vAlign",
    "w:hideMark",
];

fn order(name: &str) -> usize {
    TC_PR_ORDER
        .iter()
        .position(|n| *n == name)
        .unwrap_or(TC_PR_ORDER.len())
}

/// Put `prop` into the cell's `w:tcPr`, replacing one of the same name, in schema order.
fn set_cell_prop(cell: &mut Element, prop: Element) {
    if cell.child("w:tcPr").is_none() {
        cell.children.insert(0, Node::Elem(Element::new("w:tcPr")));
    }
    let Some(pr) = cell.child_mut("w:tcPr") else {
        return;
    };
    pr.children
        .retain(|n| !matches!(n, Node::Elem(e) if e.name == prop.name));
    let at = pr
        .children
        .iter()
        .position(|n| matches!(n, Node::Elem(e) if order(&e.name) > order(&prop.name)))
        .unwrap_or(pr.children.len());
    pr.children.insert(at, Node::Elem(prop));
}

fn jinja_attr(name: &str, attrs: &[(&str, &str, bool)]) -> Element {
    let mut e = Element::new(name);
    for (k, v, j) in attrs {
        e.set_attr_kind(k, v, *j);
    }
    e
}

/// Apply `colspan`, `cellbg`, `vm` and `hm` found in the cell; true when the cell must be
/// kept for the first loop iteration only (`hm`).
fn cell_tags(cell: &mut Element) -> bool {
    let mut found = Vec::new();
    take_cell_tags(cell, &mut found);
    let mut hm = false;
    if found.iter().any(|(kw, _)| kw == "vm") {
        // Continuation cells of a vertical merge must be empty: everything from the cell's
        // first text up to the tag prints on the first iteration only.
        if let Some(t) = first_text(cell) {
            t.children
                .insert(0, Node::Jinja("{% if loop.first %}".into()));
        }
    }
    for (kw, args) in found {
        match kw.as_str() {
            "colspan" => set_cell_prop(
                cell,
                jinja_attr(
                    "w:gridSpan",
                    &[("w:val", &format!("{{{{ {args} }}}}"), true)],
                ),
            ),
            "cellbg" => set_cell_prop(
                cell,
                jinja_attr(
                    "w:shd",
                    &[
                        ("w:val", "clear", false),
                        ("w:color", "auto", false),
                        ("w:fill", &format!("{{{{ {args} }}}}"), true),
                    ],
                ),
            ),
            "vm" => set_cell_prop(
                cell,
                jinja_attr(
                    "w:vMerge",
                    &[(
                        "w:val",
                        "{% if loop.first %}restart{% else %}continue{% endif %}",
                        true,
                    )],
                ),
            ),
            _ => hm = true,
        }
    }
    if hm {
        let span = cell
            .child("w:tcPr")
            .and_then(|p| p.child("w:gridSpan"))
            .and_then(|g| g.attrs.iter().find(|a| a.name == "w:val").cloned());
        let val = match span {
            Some(a) if a.jinja => {
                let inner = a.value.trim_start_matches("{{").trim_end_matches("}}");
                format!("{{{{ ({inner}) * loop.length }}}}")
            }
            Some(a) => format!("{{{{ {} * loop.length }}}}", a.value.trim()),
            None => "{{ loop.length }}".to_string(),
        };
        set_cell_prop(cell, jinja_attr("w:gridSpan", &[("w:val", &val, true)]));
    }
    hm
}

fn first_text(e: &mut Element) -> Option<&mut Element> {
    for n in e.children.iter_mut() {
        if let Node::Elem(c) = n {
            if c.is("w:t") {
                return Some(c);
            }
            if let Some(t) = first_text(c) {
                return Some(t);
            }
        }
    }
    None
}

fn take_cell_tags(e: &mut Element, found: &mut Vec<(String, String)>) {
    let mut vm_here = false;
    e.children.retain(|n| {
        let Node::Jinja(src) = n else { return true };
        match tags::statement(src) {
            Some((kw @ ("colspan" | "cellbg" | "vm" | "hm"), args)) => {
                vm_here |= kw == "vm";
                found.push((kw.to_string(), args.to_string()));
                false
            }
            _ => true,
        }
    });
    if vm_here && e.is("w:t") {
        // Closes the condition opened in the cell's first `w:t` (see `cell_tags`).
        e.children.push(Node::Jinja("{% endif %}".into()));
    }
    for n in e.children.iter_mut() {
        if let Node::Elem(c) = n {
            take_cell_tags(c, found);
        }
    }
}
