//! docxtpl's "ensure space preservation" step: a regex over the raw XML gives
//! `xml:space="preserve"` to every plain `<w:t>` (one without attributes) that a tag follows
//! before the next plain `<w:t>`, across runs, paragraphs and table cells. Word then shows the
//! leading and trailing spaces of that text (a cell's ` Nota`), so we mark the same elements.

use super::tags;
use crate::xml::{Element, Node};

/// Which `w:t` of the part, in document order, are plain in the template as typed (gathering
/// tags marks some `preserve` before `apply` runs, and never adds or removes a `w:t`).
pub fn plain_texts(root: &Element) -> Vec<bool> {
    let mut out = Vec::new();
    fn walk(e: &Element, out: &mut Vec<bool>) {
        if e.is("w:t") {
            out.push(e.attrs.is_empty());
        }
        e.elements().for_each(|c| walk(c, out));
    }
    walk(root, &mut out);
    out
}

/// Mark the plain `w:t` (per `plain`, from `plain_texts`) that a tag follows.
pub fn apply(root: &mut Element, plain: &[bool]) {
    let mut st = Scan {
        plain,
        seen: 0,
        open: None,
        marked: vec![false; plain.len()],
    };
    st.scan(root);
    if st.marked.contains(&true) {
        mark(root, &st.marked, &mut 0);
    }
}

struct Scan<'a> {
    plain: &'a [bool],
    /// `w:t` visited so far.
    seen: usize,
    /// The last plain `w:t` visited, while no tag has followed it.
    open: Option<usize>,
    marked: Vec<bool>,
}

/// `colspan` and `cellbg` have already become `{{ … }}` in the cell's `w:tcPr` when docxtpl
/// adds `preserve`, so they count at the start of their cell.
fn is_cell_prop(src: &str) -> bool {
    matches!(tags::statement(src), Some(("colspan" | "cellbg", _)))
}

fn has_cell_prop(e: &Element) -> bool {
    e.children.iter().any(|n| match n {
        Node::Jinja(src) => is_cell_prop(src),
        Node::Elem(c) => !c.is("w:tc") && has_cell_prop(c),
        _ => false,
    })
}

impl Scan<'_> {
    fn tag(&mut self) {
        if let Some(i) = self.open.take() {
            self.marked[i] = true;
        }
    }

    fn scan(&mut self, e: &Element) {
        if e.is("w:tc") && has_cell_prop(e) {
            self.tag();
        }
        if e.is("w:t") {
            if self.plain.get(self.seen) == Some(&true) {
                self.open = Some(self.seen);
            }
            self.seen += 1;
        }
        for n in &e.children {
            match n {
                Node::Elem(c) => self.scan(c),
                Node::Jinja(src)
                    if (src.starts_with("{{") || src.starts_with("{%")) && !is_cell_prop(src) =>
                {
                    self.tag()
                }
                _ => {}
            }
        }
    }
}

fn mark(e: &mut Element, marked: &[bool], seen: &mut usize) {
    if e.is("w:t") {
        if marked.get(*seen) == Some(&true) {
            e.set_attr("xml:space", "preserve");
        }
        *seen += 1;
    }
    for n in e.children.iter_mut() {
        if let Node::Elem(c) = n {
            mark(c, marked, seen);
        }
    }
}
