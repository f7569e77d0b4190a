//! A small owned XML tree built from quick-xml tokens. Word parts are a few hundred KB at
//! most, and the transformations (run merging, structural tags, post-render fix-ups) need to
//! move whole subtrees, which is far simpler and safer on a tree than on a token stream.

mod parse;
mod write;

pub use parse::{parse, Limits};
pub use write::{escape_attr, escape_text, keep_legacy, xml_char, Writer};

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Elem(Element),
    /// Decoded character data.
    Text(String),
    /// Markup copied verbatim (declaration, comment, processing instruction, CDATA).
    Raw(String),
    /// Jinja source emitted unescaped when the tree is turned into a Jinja template.
    Jinja(String),
    /// A legacy `<<name>>` marker, resolved when the tree is written.
    Legacy(String),
    /// Start of a new line in the Jinja source, tied to entry N of the part's location table
    /// (so Jinja's line numbers map back to paragraphs). Writes nothing in XML.
    Mark(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attr {
    pub name: String,
    /// Decoded value; when `jinja` is set it is Jinja source written unescaped.
    pub value: String,
    pub jinja: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<Attr>,
    pub children: Vec<Node>,
}

impl Element {
    /// The same element without its children: the start of a copy that gets other content.
    pub fn shell(&self) -> Element {
        Element {
            name: self.name.clone(),
            attrs: self.attrs.clone(),
            children: Vec::new(),
        }
    }

    pub fn new(name: &str) -> Self {
        Element {
            name: name.to_string(),
            attrs: Vec::new(),
            children: Vec::new(),
        }
    }

    pub fn is(&self, name: &str) -> bool {
        self.name == name
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.value.as_str())
    }

    pub fn set_attr(&mut self, name: &str, value: &str) {
        self.set_attr_kind(name, value, false);
    }

    pub fn set_attr_kind(&mut self, name: &str, value: &str, jinja: bool) {
        if let Some(a) = self.attrs.iter_mut().find(|a| a.name == name) {
            a.value = value.to_string();
            a.jinja = jinja;
        } else {
            self.attrs.push(Attr {
                name: name.to_string(),
                value: value.to_string(),
                jinja,
            });
        }
    }

    pub fn with_attr(mut self, name: &str, value: &str) -> Self {
        self.set_attr(name, value);
        self
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find_map(|n| match n {
            Node::Elem(e) if e.name == name => Some(e),
            _ => None,
        })
    }

    pub fn child_mut(&mut self, name: &str) -> Option<&mut Element> {
        self.children.iter_mut().find_map(|n| match n {
            Node::Elem(e) if e.name == name => Some(e),
            _ => None,
        })
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Elem(e) => Some(e),
            _ => None,
        })
    }

    /// Concatenated decoded text of the direct `Text` children.
    pub fn own_text(&self) -> String {
        let mut s = String::new();
        for n in &self.children {
            if let Node::Text(t) = n {
                s.push_str(t);
            }
        }
        s
    }
}

/// A parsed part: the prologue (declaration, comments before the root) and the root element.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub prologue: Vec<Node>,
    pub root: Element,
}
