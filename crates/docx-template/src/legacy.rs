//! Legacy `<<Name>>` placeholders of the school's older templates.

use crate::runs::{self, Span, SpanKind};
use crate::walk;
use crate::xml::Document;

/// Turn every legacy marker of the part into a `Node::Legacy` placed in the run holding its
/// first `<`; returns the names in document order (with repetitions).
pub fn prepare(doc: &mut Document) -> Vec<String> {
    let mut names = Vec::new();
    walk::paragraphs_mut(&mut doc.root, &mut |p, _| {
        let pt = runs::collect(p);
        if !pt.text.contains("<<") {
            return;
        }
        let spans: Vec<Span> = runs::find_legacy(&pt.text)
            .into_iter()
            .map(|(start, end, name)| {
                names.push(name.clone());
                Span {
                    start,
                    end,
                    kind: SpanKind::Legacy(name),
                }
            })
            .collect();
        runs::gather(p, &pt, &spans, false);
    });
    names
}

/// Mark jinja-free spans: the legacy markers of a paragraph that are not inside a tag.
pub fn spans_outside(text: &str, tags: &[Span]) -> Vec<Span> {
    runs::find_legacy(text)
        .into_iter()
        .filter(|(s, e, _)| !tags.iter().any(|t| *s < t.end && t.start < *e))
        .map(|(start, end, name)| Span {
            start,
            end,
            kind: SpanKind::Legacy(name),
        })
        .collect()
}
