use super::{Document, Element, Node};

/// Escape character data. `>` is escaped too so that `]]>` can never appear.
pub fn escape_text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if !xml_char(c) => {}
            _ => out.push(c),
        }
    }
}

/// Characters XML 1.0 allows; anything else would make Word refuse the file, so data
/// carrying them (stray control characters from a form) is dropped when written.
pub fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escape an attribute value delimited by double quotes; whitespace characters are kept
/// as character references because parsers normalise literal ones to spaces.
pub fn escape_attr(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if !xml_char(c) => {}
            _ => out.push(c),
        }
    }
}

/// Serialises a tree. `legacy` decides what a `<<name>>` marker becomes; it returns the
/// already-escaped replacement text.
pub struct Writer<'a> {
    pub legacy: &'a dyn Fn(&str, &mut String),
}

impl Writer<'_> {
    pub fn document(&self, doc: &Document) -> String {
        let mut out = String::with_capacity(64 * 1024);
        for n in &doc.prologue {
            self.node(n, &mut out);
        }
        self.element(&doc.root, &mut out);
        out
    }

    pub fn element(&self, e: &Element, out: &mut String) {
        out.push('<');
        out.push_str(&e.name);
        for a in &e.attrs {
            out.push(' ');
            out.push_str(&a.name);
            out.push_str("=\"");
            if a.jinja {
                out.push_str(&a.value);
            } else {
                escape_attr(&a.value, out);
            }
            out.push('"');
        }
        if e.children.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        for c in &e.children {
            self.node(c, out);
        }
        out.push_str("</");
        out.push_str(&e.name);
        out.push('>');
    }

    pub fn node(&self, n: &Node, out: &mut String) {
        match n {
            Node::Elem(e) => self.element(e, out),
            Node::Text(t) => escape_text(t, out),
            Node::Raw(r) | Node::Jinja(r) => out.push_str(r),
            Node::Legacy(name) => (self.legacy)(name, out),
            Node::Mark(_) => {}
        }
    }
}

/// Writer that leaves legacy markers as they were typed.
pub fn keep_legacy(name: &str, out: &mut String) {
    out.push_str("&lt;&lt;");
    escape_text(name, out);
    out.push_str("&gt;&gt;");
}
