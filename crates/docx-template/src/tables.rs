//! Keeping `w:tblGrid` consistent after loops changed the number of cells in rows, with the
//! same arithmetic as docxtpl so column widths match its documents.

use crate::xml::{Element, Node};

pub fn fix_all(e: &mut Element) {
    for n in e.children.iter_mut() {
        if let Node::Elem(c) = n {
            fix_all(c);
            if c.is("w:tbl") {
                fix_grid(c);
            }
        }
    }
}

fn width(col: &Element) -> f64 {
    col.attr("w:w").and_then(|w| w.parse().ok()).unwrap_or(0.0)
}

fn span(cell: &Element) -> usize {
    cell.child("w:tcPr")
        .and_then(|p| p.child("w:gridSpan"))
        .and_then(|g| g.attr("w:val"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(1)
}

/// Every row below the table, nested tables' rows included: docxtpl counts them too, and
/// matching its column widths matters more than the oddity.
fn rows<'a>(e: &'a Element, out: &mut Vec<&'a Element>) {
    for c in e.elements() {
        if c.is("w:tr") {
            out.push(c);
        }
        rows(c, out);
    }
}

fn fix_grid(tbl: &mut Element) {
    let mut rows_found = Vec::new();
    rows(tbl, &mut rows_found);
    let rows = rows_found;
    let max_cells = rows
        .iter()
        .map(|r| r.elements().filter(|c| c.is("w:tc")).count())
        .max()
        .unwrap_or(0);
    let max_span = rows
        .iter()
        .map(|r| {
            r.elements()
                .filter(|c| c.is("w:tc"))
                .map(span)
                .sum::<usize>()
        })
        .max()
        .unwrap_or(0);
    let Some(grid) = tbl.child_mut("w:tblGrid") else {
        return;
    };
    let is_col = |n: &Node| matches!(n, Node::Elem(e) if e.is("w:gridCol"));
    let ncols = grid.children.iter().filter(|n| is_col(n)).count();
    if max_cells > ncols && ncols > 0 {
        let total: f64 = grid
            .elements()
            .filter(|c| c.is("w:gridCol"))
            .map(width)
            .sum();
        if total > 0.0 {
            let old_avg = total / ncols as f64;
            let new_avg = total / max_cells as f64;
            for n in grid.children.iter_mut() {
                if let Node::Elem(c) = n {
                    if c.is("w:gridCol") {
                        let w = (width(c) * new_avg / old_avg) as i64;
                        c.set_attr("w:w", &w.to_string());
                    }
                }
            }
            for _ in ncols..max_cells {
                grid.children.push(Node::Elem(
                    Element::new("w:gridCol").with_attr("w:w", &(new_avg as i64).to_string()),
                ));
            }
        }
    }
    let ncols = grid.children.iter().filter(|n| is_col(n)).count();
    if max_span >= ncols {
        return;
    }
    let mut remove = ncols - max_span;
    let mut removed = 0.0;
    let mut i = grid.children.len();
    while remove > 0 && i > 0 {
        i -= 1;
        if let Node::Elem(c) = &grid.children[i] {
            if c.is("w:gridCol") {
                removed += width(c);
                grid.children.remove(i);
                remove -= 1;
            }
        }
    }
    if max_span == 0 {
        return;
    }
    let extra = (removed / max_span as f64) as i64 as f64;
    for n in grid.children.iter_mut() {
        if let Node::Elem(c) = n {
            if c.is("w:gridCol") {
                let w = (width(c) + extra) as i64;
                c.set_attr("w:w", &w.to_string());
            }
        }
    }
}
