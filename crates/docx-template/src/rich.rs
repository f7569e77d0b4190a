//! Rich text values (docxtpl's `RichText` / `RichTextParagraph`): formatted runs built by the
//! caller and written as Word runs or paragraphs where the tag stands.

use crate::xml::{Element, Node};
use serde::Deserialize;

/// `true` (single) or a kind name (`double`, `wave`, …) for [`Segment::underline`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Underline {
    On(bool),
    Kind(String),
}

/// One formatted piece of text.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    pub text: String,
    /// Character style id.
    pub style: Option<String>,
    /// `RRGGBB` or `#RRGGBB`.
    pub color: Option<String>,
    /// Shading colour, `RRGGBB`.
    pub highlight: Option<String>,
    /// Size in half-points (24 = 12 pt).
    pub size: Option<u32>,
    #[serde(default)]
    pub subscript: bool,
    #[serde(default)]
    pub superscript: bool,
    #[serde(default)]
    pub bold: bool,
    #[serde(default)]
    pub italic: bool,
    pub underline: Option<Underline>,
    #[serde(default)]
    pub strike: bool,
    /// `Name` or `region:Name` (e.g. `eastAsia:SimSun`).
    pub font: Option<String>,
    /// Makes the run a hyperlink to this URL.
    pub url: Option<String>,
    #[serde(default)]
    pub rtl: bool,
    pub lang: Option<String>,
}

impl Segment {
    pub fn new(text: impl Into<String>) -> Self {
        Segment {
            text: text.into(),
            ..Segment::default()
        }
    }
    pub fn bold(mut self) -> Self {
        self.bold = true;
        self
    }
    pub fn italic(mut self) -> Self {
        self.italic = true;
        self
    }
    pub fn color(mut self, rgb: &str) -> Self {
        self.color = Some(rgb.to_string());
        self
    }
    pub fn size_pt(mut self, pt: f32) -> Self {
        self.size = Some((pt * 2.0).round().max(1.0) as u32);
        self
    }
    pub fn font(mut self, name: &str) -> Self {
        self.font = Some(name.to_string());
        self
    }
    pub fn url(mut self, url: &str) -> Self {
        self.url = Some(url.to_string());
        self
    }
    pub fn underline(mut self) -> Self {
        self.underline = Some(Underline::On(true));
        self
    }

    fn run_properties(&self) -> Option<Element> {
        let mut p = Element::new("w:rPr");
        let mut add = |name: &str, attrs: &[(&str, &str)]| {
            let mut e = Element::new(name);
            for (k, v) in attrs {
                e.set_attr(k, v);
            }
            p.children.push(Node::Elem(e));
        };
        if let Some(s) = &self.style {
            add("w:rStyle", &[("w:val", s)]);
        }
        if let Some(font) = &self.font {
            let (region, name) = match font.split_once(':') {
                Some((r, n)) => (Some(r), n),
                None => (None, font.as_str()),
            };
            let mut attrs = vec![("w:ascii", name), ("w:hAnsi", name), ("w:cs", name)];
            let region_attr = region.map(|r| format!("w:{r}"));
            if let Some(r) = &region_attr {
                if !attrs.iter().any(|(k, _)| k == r) {
                    attrs.push((r.as_str(), name));
                }
            }
            add("w:rFonts", &attrs);
        }
        if self.bold {
            add("w:b", &[]);
            if self.rtl {
                add("w:bCs", &[]);
            }
        }
        if self.italic {
            add("w:i", &[]);
            if self.rtl {
                add("w:iCs", &[]);
            }
        }
        if self.strike {
            add("w:strike", &[]);
        }
        if let Some(c) = &self.color {
            add("w:color", &[("w:val", c.trim_start_matches('#'))]);
        }
        if let Some(sz) = self.size {
            let v = sz.to_string();
            add("w:sz", &[("w:val", &v)]);
            add("w:szCs", &[("w:val", &v)]);
        }
        if let Some(h) = &self.highlight {
            add("w:shd", &[("w:fill", h.trim_start_matches('#'))]);
        }
        if let Some(u) = &self.underline {
            const KINDS: [&str; 8] = [
                "single",
                "double",
                "thick",
                "dotted",
                "dash",
                "dotDash",
                "dotDotDash",
                "wave",
            ];
            let kind = match u {
                Underline::On(false) => None,
                Underline::Kind(k) if KINDS.contains(&k.as_str()) => Some(k.as_str()),
                _ => Some("single"),
            };
            if let Some(k) = kind {
                add("w:u", &[("w:val", k)]);
            }
        }
        if self.subscript {
            add("w:vertAlign", &[("w:val", "subscript")]);
        } else if self.superscript {
            add("w:vertAlign", &[("w:val", "superscript")]);
        }
        if self.rtl {
            add("w:rtl", &[("w:val", "true")]);
        }
        if let Some(l) = &self.lang {
            add("w:lang", &[("w:val", l)]);
        }
        (!p.children.is_empty()).then_some(p)
    }

    /// The run for this segment; a hyperlink wrapper when it has a URL (the relationship id
    /// comes from `link_id`).
    pub(crate) fn to_node(&self, link_id: &mut dyn FnMut(&str) -> String) -> Node {
        let mut r = Element::new("w:r");
        if let Some(p) = self.run_properties() {
            r.children.push(Node::Elem(p));
        }
        let mut t = Element::new("w:t").with_attr("xml:space", "preserve");
        t.children.push(Node::Text(self.text.clone()));
        r.children.push(Node::Elem(t));
        match &self.url {
            Some(url) => {
                // Declared here too: not every header or footer declares the `r` prefix.
                let mut h = Element::new("w:hyperlink")
                    .with_attr("xmlns:r", crate::image::NS_R)
                    .with_attr("r:id", &link_id(url))
                    .with_attr("w:tgtFrame", "_blank");
                h.children.push(Node::Elem(r));
                Node::Elem(h)
            }
            None => Node::Elem(r),
        }
    }
}

/// Formatted runs, printed with `{{r name }}` (or a plain `{{ name }}` inside text).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RichText {
    pub segments: Vec<Segment>,
}

impl RichText {
    pub fn new() -> Self {
        RichText::default()
    }
    /// Append a segment (builder style).
    pub fn push(mut self, segment: Segment) -> Self {
        self.segments.push(segment);
        self
    }
}

/// One paragraph of a [`RichTextParagraph`].
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RichParagraph {
    /// Paragraph style id.
    pub parastyle: Option<String>,
    #[serde(default)]
    pub runs: Vec<Segment>,
}

/// Whole paragraphs, printed with `{{p name }}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RichTextParagraph {
    pub paragraphs: Vec<RichParagraph>,
}

impl RichParagraph {
    pub(crate) fn to_element(&self, link_id: &mut dyn FnMut(&str) -> String) -> Element {
        let mut p = Element::new("w:p");
        if let Some(style) = &self.parastyle {
            let mut ppr = Element::new("w:pPr");
            ppr.children.push(Node::Elem(
                Element::new("w:pStyle").with_attr("w:val", style),
            ));
            p.children.push(Node::Elem(ppr));
        }
        for s in &self.runs {
            p.children.push(s.to_node(link_id));
        }
        p
    }
}
