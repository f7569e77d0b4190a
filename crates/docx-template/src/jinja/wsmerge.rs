//! docxtpl's whitespace control across paragraphs: `{%-` joins the tag to the text before
//! it (deleting the markup since the previous `w:t`), `-%}` to the text after it (deleting up
//! to the next `w:t`). Done on a flat token list, so paragraphs can be fused without regexes.

use crate::xml::{Attr, Element, Node};

enum Tok {
    Open(String, Vec<Attr>),
    Close(String),
    Leaf(Node),
}

fn flatten(e: Element, out: &mut Vec<Tok>) {
    out.push(Tok::Open(e.name.clone(), e.attrs));
    for n in e.children {
        match n {
            Node::Elem(c) => flatten(c, out),
            other => out.push(Tok::Leaf(other)),
        }
    }
    out.push(Tok::Close(e.name));
}

fn has_controls(e: &Element) -> bool {
    e.children.iter().any(|n| match n {
        Node::Jinja(s) => s.starts_with("{%-") || s.ends_with("-%}"),
        Node::Elem(c) => has_controls(c),
        _ => false,
    })
}

/// Apply the joins; `Err` when they would leave the part's elements unbalanced.
pub fn apply(root: &mut Element) -> Result<(), String> {
    if !has_controls(root) {
        return Ok(());
    }
    let mut toks = Vec::new();
    flatten(std::mem::take(root), &mut toks);
    let mut dead = vec![false; toks.len()];
    // docxtpl does this with two regexes over the XML, in this order: every `{%-` first
    // (each `</w:t>` can be eaten by one join only), then every `-%}` over what is left.
    // A join removes the dash, so Jinja does not also strip the joined text.
    let mut eaten_upto = 0;
    for j in 0..toks.len() {
        let Tok::Leaf(Node::Jinja(src)) = &toks[j] else {
            continue;
        };
        if !src.starts_with("{%-") {
            continue;
        }
        let prev = (eaten_upto..j)
            .rev()
            .find(|&k| matches!(&toks[k], Tok::Close(n) if n == "w:t"));
        if let Some(k) = prev {
            dead[k..j].iter_mut().for_each(|d| *d = true);
            eaten_upto = j;
            if let Tok::Leaf(Node::Jinja(src)) = &mut toks[j] {
                src.replace_range(..3, "{%");
            }
        }
    }
    for j in 0..toks.len() {
        let Tok::Leaf(Node::Jinja(src)) = &toks[j] else {
            continue;
        };
        if !src.ends_with("-%}") || dead[j] {
            continue;
        }
        let mut m = j + 1;
        while m < toks.len() {
            match &toks[m] {
                _ if dead[m] => m += 1,
                Tok::Open(n, _) if n == "w:t" => break,
                Tok::Leaf(Node::Jinja(s)) if s.starts_with("{%") || s.starts_with("{{") => {
                    m = toks.len();
                }
                _ => m += 1,
            }
        }
        if m < toks.len() {
            dead[j + 1..=m].iter_mut().for_each(|d| *d = true);
            if let Tok::Leaf(Node::Jinja(src)) = &mut toks[j] {
                let at = src.len() - 3;
                src.replace_range(at.., "%}");
            }
        }
    }
    let mut stack: Vec<Element> = Vec::new();
    let mut done: Option<Element> = None;
    for (t, d) in toks.into_iter().zip(dead) {
        if d {
            continue;
        }
        match t {
            Tok::Open(name, attrs) => stack.push(Element {
                name,
                attrs,
                children: Vec::new(),
            }),
            Tok::Close(_) => {
                let e = stack
                    .pop()
                    .ok_or("a join closes more elements than it opens")?;
                match stack.last_mut() {
                    Some(p) => p.children.push(Node::Elem(e)),
                    None => done = Some(e),
                }
            }
            Tok::Leaf(n) => stack
                .last_mut()
                .ok_or("a join leaves content outside the document")?
                .children
                .push(n),
        }
    }
    match (done, stack.is_empty()) {
        (Some(e), true) => {
            *root = e;
            Ok(())
        }
        _ => Err("a join leaves elements unclosed".into()),
    }
}
