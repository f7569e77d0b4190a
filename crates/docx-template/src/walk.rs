//! Visiting every paragraph of a part (body, table cells, text boxes) while keeping track of
//! where it is, so messages can say "table 2, row 3, cell 1".

use crate::xml::{Element, Node};

#[derive(Debug, Clone, Default)]
pub struct Place {
    pub paragraph: usize,
    /// (table number, row, cell), all 1-based, for paragraphs inside tables.
    pub cell: Option<(usize, usize, usize)>,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.cell {
            Some((t, r, c)) => write!(
                f,
                "table {t}, row {r}, cell {c} (paragraph {})",
                self.paragraph
            ),
            None => write!(f, "paragraph {}", self.paragraph),
        }
    }
}

#[derive(Default)]
struct State {
    paragraphs: usize,
    tables: usize,
    stack: Vec<(usize, usize, usize)>,
}

/// Call `f` on every `w:p` below `root`, in document order (an outer paragraph before the
/// paragraphs of a text box it anchors).
pub fn paragraphs_mut(root: &mut Element, f: &mut dyn FnMut(&mut Element, &Place)) {
    let mut st = State::default();
    walk(root, &mut st, f);
}

fn walk(e: &mut Element, st: &mut State, f: &mut dyn FnMut(&mut Element, &Place)) {
    for n in e.children.iter_mut() {
        let Node::Elem(c) = n else { continue };
        match c.name.as_str() {
            "w:tbl" => {
                st.tables += 1;
                st.stack.push((st.tables, 0, 0));
                walk(c, st, f);
                st.stack.pop();
                continue;
            }
            "w:tr" => {
                if let Some(top) = st.stack.last_mut() {
                    top.1 += 1;
                    top.2 = 0;
                }
            }
            "w:tc" => {
                if let Some(top) = st.stack.last_mut() {
                    top.2 += 1;
                }
            }
            "w:p" => {
                st.paragraphs += 1;
                let place = Place {
                    paragraph: st.paragraphs,
                    cell: st.stack.last().copied(),
                };
                f(c, &place);
            }
            _ => {}
        }
        walk(c, st, f);
    }
}

/// Shorten text for an error message, keeping it on one line.
pub fn snippet(text: &str, around: usize, width: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let center = text
        .get(..around.min(text.len()))
        .map_or(0, |s| s.chars().count());
    let from = center.saturating_sub(width / 2);
    let to = (from + width).min(chars.len());
    let mut s: String = chars[from..to]
        .iter()
        .map(|&c| if c.is_control() { ' ' } else { c })
        .collect();
    if from > 0 {
        s.insert(0, '…');
    }
    if to < chars.len() {
        s.push('…');
    }
    s
}
