//! Paragraph text as Word stores it: spread over the `w:t` of many runs, each run with its
//! own formatting. Tags and placeholders are found in the concatenated text and then gathered
//! into the run where they start, so that the first run's formatting wins.

use crate::xml::{Element, Node};

/// One `w:t` of a paragraph: where it sits and which bytes of the paragraph text it holds.
#[derive(Debug, Clone)]
pub struct Slot {
    pub path: Vec<usize>,
    /// End (exclusive) of its bytes in the paragraph text; it starts where the previous ends.
    pub end: usize,
}

#[derive(Debug, Default)]
pub struct ParaText {
    pub text: String,
    pub slots: Vec<Slot>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SpanKind {
    /// A Jinja tag; the node gets this (already cleaned) source.
    Tag(String),
    /// A legacy `<<name>>` marker.
    Legacy(String),
}

/// A range of the paragraph text to gather into the slot where it starts.
#[derive(Debug, Clone)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub kind: SpanKind,
}

/// Collect the paragraph's text slots, skipping paragraphs nested in text boxes (they are
/// visited on their own).
pub fn collect(p: &Element) -> ParaText {
    let mut pt = ParaText::default();
    let mut path = Vec::new();
    collect_in(p, &mut path, &mut pt);
    pt
}

fn collect_in(e: &Element, path: &mut Vec<usize>, pt: &mut ParaText) {
    for (i, n) in e.children.iter().enumerate() {
        let Node::Elem(c) = n else { continue };
        if c.is("w:p") {
            continue;
        }
        path.push(i);
        if c.is("w:t") && e.is("w:r") {
            pt.text.push_str(&c.own_text());
            pt.slots.push(Slot {
                path: path.clone(),
                end: pt.text.len(),
            });
        } else {
            collect_in(c, path, pt);
        }
        path.pop();
    }
}

pub fn element_at<'a>(e: &'a mut Element, path: &[usize]) -> Option<&'a mut Element> {
    let mut cur = e;
    for &i in path {
        cur = match cur.children.get_mut(i) {
            Some(Node::Elem(c)) => c,
            _ => return None,
        };
    }
    Some(cur)
}

fn slot_of(pt: &ParaText, pos: usize) -> usize {
    // Slots are sorted and contiguous; an empty slot never owns a position.
    pt.slots
        .partition_point(|s| s.end <= pos)
        .min(pt.slots.len().saturating_sub(1))
}

/// Rewrite the paragraph so that every span sits in the slot holding its first character.
///
/// Tags (`absorb_tail`) also pull in the rest of the `w:t` where they end: Word users expect
/// `{{ name }} rest` to look like the run where they typed `{{`, the way docxtpl merges runs.
/// Legacy markers only move their own characters; text after `>>` keeps its run.
pub fn gather(p: &mut Element, pt: &ParaText, spans: &[Span], absorb_tail: bool) {
    if spans.is_empty() || pt.slots.is_empty() {
        return;
    }
    let n = pt.slots.len();
    let mut pieces: Vec<Vec<Node>> = vec![Vec::new(); n];
    let mut touched = vec![false; n];
    // redirect[j] = (from, target): text of slot j at or after `from` belongs to `target`.
    let mut redirect: Vec<Option<(usize, usize)>> = vec![None; n];
    let dest = |redirect: &[Option<(usize, usize)>], pos: usize| {
        let k = slot_of(pt, pos);
        match redirect[k] {
            Some((from, t)) if pos >= from => t,
            _ => k,
        }
    };
    let push_text = |pieces: &mut Vec<Vec<Node>>, slot: usize, s: &str| {
        if s.is_empty() {
            return;
        }
        if let Some(Node::Text(t)) = pieces[slot].last_mut() {
            t.push_str(s);
        } else {
            pieces[slot].push(Node::Text(s.to_string()));
        }
    };
    let mut cursor = 0;
    let text = pt.text.as_str();
    let copy_gap = |pieces: &mut Vec<Vec<Node>>,
                    touched: &mut Vec<bool>,
                    redirect: &[Option<(usize, usize)>],
                    from: usize,
                    to: usize| {
        let mut pos = from;
        while pos < to {
            let k = slot_of(pt, pos);
            let end = pt.slots[k].end.min(to);
            let mut split = end;
            if let Some((f, _)) = redirect[k] {
                if pos < f && f < end {
                    split = f;
                }
            }
            let d = dest(redirect, pos);
            if d != k {
                touched[d] = true;
                touched[k] = true;
            }
            push_text(pieces, d, &text[pos..split]);
            pos = split;
        }
    };
    for span in spans {
        copy_gap(&mut pieces, &mut touched, &redirect, cursor, span.start);
        let target = dest(&redirect, span.start);
        touched[target] = true;
        let last = slot_of(pt, span.end.saturating_sub(1).max(span.start));
        for t in touched
            .iter_mut()
            .take(last + 1)
            .skip(slot_of(pt, span.start))
        {
            *t = true;
        }
        pieces[target].push(match &span.kind {
            SpanKind::Tag(src) => Node::Jinja(src.clone()),
            SpanKind::Legacy(name) => Node::Legacy(name.clone()),
        });
        if absorb_tail && matches!(span.kind, SpanKind::Tag(_)) && last != target {
            redirect[last] = Some((span.end, target));
        }
        cursor = span.end;
    }
    copy_gap(&mut pieces, &mut touched, &redirect, cursor, text.len());

    for (k, slot) in pt.slots.iter().enumerate() {
        if !touched[k] {
            continue;
        }
        if let Some(t) = element_at(p, &slot.path) {
            t.children = std::mem::take(&mut pieces[k]);
            t.set_attr("xml:space", "preserve");
        }
    }
}

/// Find legacy markers: the regex `<<([^<>\s]+)>>` over the paragraph text.
pub fn find_legacy(text: &str) -> Vec<(usize, usize, String)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'<' && b[i + 1] == b'<' {
            let rest = &text[i + 2..];
            let name_len = rest
                .char_indices()
                .find(|&(_, c)| c == '<' || c == '>' || c.is_whitespace())
                .map_or(rest.len(), |(j, _)| j);
            if name_len > 0 && rest[name_len..].starts_with(">>") {
                let end = i + 2 + name_len + 2;
                out.push((i, end, rest[..name_len].to_string()));
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// docxtpl reads a tag as the text of its `w:t` elements and deletes the markup between
/// them, so whatever else Word keeps in the runs a tag spans (a tab typed inside a string
/// literal, a line break) disappears with it. Called after `gather`, which keeps run
/// structure, so slots are counted again rather than followed by path.
pub fn drop_inside_tags(p: &mut Element, pt: &ParaText, spans: &[Span]) {
    let crossed: Vec<bool> = pt
        .slots
        .iter()
        .map(|slot| {
            spans.iter().any(|s| {
                matches!(s.kind, SpanKind::Tag(_)) && s.start < slot.end && s.end > slot.end
            })
        })
        .collect();
    if crossed.contains(&true) {
        drop_in(p, &crossed, &mut 0);
    }
}

fn drop_in(e: &mut Element, crossed: &[bool], seen: &mut usize) {
    let in_run = e.is("w:r");
    let mut i = 0;
    while i < e.children.len() {
        let Node::Elem(c) = &mut e.children[i] else {
            i += 1;
            continue;
        };
        if c.is("w:p") {
        } else if in_run && c.is("w:t") {
            *seen += 1;
        } else if in_run && !c.is("w:rPr") && *seen > 0 && crossed[*seen - 1] {
            e.children.remove(i);
            continue;
        } else {
            drop_in(c, crossed, seen);
        }
        i += 1;
    }
}
