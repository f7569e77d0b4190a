//! The `\n \t \a \f` rules for printed text: line break, tab, new paragraph and page break,
//! each continuing with the paragraph's and run's properties (docxtpl's behaviour).

use crate::xml::{self, Element, Node};

/// `\n` → `w:br` and `\t` → `w:tab` inside runs; `\a` → new paragraph and `\f` → page break
/// paragraph, both continuing with the same paragraph and run properties.
pub fn listing(e: &mut Element) {
    let mut split = false;
    for n in e.children.iter_mut() {
        if let Node::Elem(c) = n {
            listing(c);
            if c.is("w:r") {
                breaks_in_run(c);
            }
            split |= c.is("w:p") && para_has(c, &['\u{7}', '\u{c}']);
        }
    }
    // Rebuilding the child list is only worth it where a paragraph actually splits.
    if !split {
        return;
    }
    let old = std::mem::take(&mut e.children);
    for n in old {
        match n {
            Node::Elem(c) if c.is("w:p") && para_has(&c, &['\u{7}', '\u{c}']) => {
                e.children
                    .extend(split_paragraph(c).into_iter().map(Node::Elem));
            }
            other => e.children.push(other),
        }
    }
}

fn text_has(t: &Element, chars: &[char]) -> bool {
    t.children
        .iter()
        .any(|n| matches!(n, Node::Text(s) if s.contains(chars)))
}

fn para_has(p: &Element, chars: &[char]) -> bool {
    p.elements()
        .any(|r| r.is("w:r") && r.elements().any(|t| t.is("w:t") && text_has(t, chars)))
}

fn text_el(attrs: &[xml::Attr], s: &str) -> Element {
    let mut t = Element {
        name: "w:t".into(),
        attrs: attrs.to_vec(),
        children: vec![Node::Text(s.to_string())],
    };
    t.set_attr("xml:space", "preserve");
    t
}

fn breaks_in_run(r: &mut Element) {
    if !r
        .elements()
        .any(|t| t.is("w:t") && text_has(t, &['\n', '\t']))
    {
        return;
    }
    let old = std::mem::take(&mut r.children);
    for n in old {
        match n {
            Node::Elem(t) if t.is("w:t") && text_has(&t, &['\n', '\t']) => {
                let text = t.own_text();
                let mut start = 0;
                for (i, c) in text.char_indices() {
                    if c == '\n' || c == '\t' {
                        r.children
                            .push(Node::Elem(text_el(&t.attrs, &text[start..i])));
                        let name = if c == '\n' { "w:br" } else { "w:tab" };
                        r.children.push(Node::Elem(Element::new(name)));
                        start = i + 1;
                    }
                }
                r.children
                    .push(Node::Elem(text_el(&t.attrs, &text[start..])));
            }
            other => r.children.push(other),
        }
    }
}

fn split_paragraph(p: Element) -> Vec<Element> {
    let ppr = p.child("w:pPr").cloned();
    let fresh = |ppr: &Option<Element>| {
        let mut np = Element::new("w:p");
        if let Some(pp) = ppr {
            np.children.push(Node::Elem(pp.clone()));
        }
        np
    };
    let mut out = Vec::new();
    let mut cur = p.shell();
    for child in p.children {
        let Node::Elem(run) = child else {
            cur.children.push(child);
            continue;
        };
        if !(run.is("w:r")
            && run
                .elements()
                .any(|t| t.is("w:t") && text_has(t, &['\u{7}', '\u{c}'])))
        {
            cur.children.push(Node::Elem(run));
            continue;
        }
        let rpr = run.child("w:rPr").cloned();
        let new_run = |rpr: &Option<Element>| {
            let mut r = Element::new("w:r");
            if let Some(rp) = rpr {
                r.children.push(Node::Elem(rp.clone()));
            }
            r
        };
        let mut cur_run = run.shell();
        for rc in run.children {
            match rc {
                Node::Elem(t) if t.is("w:t") && text_has(&t, &['\u{7}', '\u{c}']) => {
                    let text = t.own_text();
                    let mut start = 0;
                    for (i, c) in text.char_indices() {
                        if c != '\u{7}' && c != '\u{c}' {
                            continue;
                        }
                        cur_run
                            .children
                            .push(Node::Elem(text_el(&t.attrs, &text[start..i])));
                        cur.children.push(Node::Elem(cur_run));
                        out.push(cur);
                        if c == '\u{c}' {
                            let mut br = Element::new("w:r");
                            br.children
                                .push(Node::Elem(Element::new("w:br").with_attr("w:type", "page")));
                            let mut pb = Element::new("w:p");
                            pb.children.push(Node::Elem(br));
                            out.push(pb);
                        }
                        cur = fresh(&ppr);
                        cur_run = new_run(&rpr);
                        start = i + 1;
                    }
                    cur_run
                        .children
                        .push(Node::Elem(text_el(&t.attrs, &text[start..])));
                }
                other => cur_run.children.push(other),
            }
        }
        cur.children.push(Node::Elem(cur_run));
    }
    out.push(cur);
    out
}
