use super::{Attr, Document, Element, Node};
use crate::error::TemplateError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// Bounds that keep hostile input from exhausting the stack or memory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_depth: usize,
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 256,
            max_nodes: 4_000_000,
        }
    }
}

/// Parse a whole part. `part` only names the part in error messages.
pub fn parse(xml: &str, part: &str, limits: Limits) -> Result<Document, TemplateError> {
    let mut reader = Reader::from_str(xml);
    let cfg = reader.config_mut();
    cfg.trim_text(false);
    cfg.check_end_names = true;
    cfg.expand_empty_elements = false;

    let mut prologue = Vec::new();
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut nodes = 0usize;
    let err = |reader: &Reader<&[u8]>, e: &dyn std::fmt::Display| {
        TemplateError::xml(part, format!("{e} (at byte {})", reader.buffer_position()))
    };

    loop {
        let ev = reader.read_event().map_err(|e| err(&reader, &e))?;
        nodes += 1;
        if nodes > limits.max_nodes {
            return Err(TemplateError::limit(
                format!("number of XML nodes in part {part}"),
                limits.max_nodes as u64,
            ));
        }
        let node = match ev {
            Event::Start(s) => {
                if stack.len() >= limits.max_depth {
                    return Err(TemplateError::limit(
                        format!("XML nesting depth in part {part}"),
                        limits.max_depth as u64,
                    ));
                }
                stack.push(start_element(&s).map_err(|e| err(&reader, &e))?);
                continue;
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err(err(&reader, &"unexpected closing tag"));
                };
                Node::Elem(done)
            }
            Event::Empty(s) => Node::Elem(start_element(&s).map_err(|e| err(&reader, &e))?),
            // The reader hands text over in pieces: plain text, and each entity or character
            // reference (`&amp;`, `&#10;`) on its own; adjacent pieces make one text node.
            Event::Text(_) | Event::GeneralRef(_) => {
                let text = match &ev {
                    Event::Text(t) => t.to_string(),
                    _ => quick_xml::escape::unescape(&format!("&{};", &*ev))
                        .map_err(|e| err(&reader, &e))?
                        .into_owned(),
                };
                if stack.is_empty() {
                    if text.trim().is_empty() {
                        continue;
                    }
                    return Err(err(&reader, &"text outside the root element"));
                }
                if let Some(Node::Text(prev)) = stack.last_mut().and_then(|p| p.children.last_mut())
                {
                    prev.push_str(&text);
                    continue;
                }
                Node::Text(text)
            }
            Event::CData(c) => Node::Raw(format!("<![CDATA[{}]]>", &*c)),
            Event::Comment(c) => Node::Raw(format!("<!--{}-->", &*c)),
            Event::Decl(d) => Node::Raw(format!("<?{}?>", &*d)),
            Event::PI(p) => Node::Raw(format!("<?{}?>", &*p)),
            // A DTD could declare entities; Word never writes one, so refuse it outright.
            Event::DocType(_) => return Err(err(&reader, &"DOCTYPE declarations are not allowed")),
            Event::Eof => break,
        };
        match stack.last_mut() {
            Some(parent) => parent.children.push(node),
            None => match node {
                Node::Elem(e) => {
                    if root.is_some() {
                        return Err(err(&reader, &"more than one root element"));
                    }
                    root = Some(e);
                }
                other => prologue.push(other),
            },
        }
    }
    if let Some(open) = stack.last() {
        return Err(TemplateError::xml(
            part,
            format!("unexpected end of part: <{}> is not closed", open.name),
        ));
    }
    let root = root.ok_or_else(|| TemplateError::xml(part, "no root element"))?;
    Ok(Document { prologue, root })
}

fn start_element(s: &BytesStart<'_>) -> Result<Element, String> {
    let name = s.name().as_ref().to_string();
    let mut attrs = Vec::new();
    for a in s.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        let key = a.key.as_ref().to_string();
        // Entities and character references resolved, whitespace kept as written.
        let value = quick_xml::escape::unescape(&a.value)
            .map_err(|e| e.to_string())?
            .into_owned();
        attrs.push(Attr {
            name: key,
            value,
            jinja: false,
        });
    }
    Ok(Element {
        name,
        attrs,
        children: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_resolved_into_one_text_node() {
        let xml =
            "<?xml version=\"1.0\"?>\n<w:t a=\"x &amp; &#10;y\">A &amp; B&#x41;&lt;<!--c--></w:t>";
        let doc = parse(xml, "test.xml", Limits::default()).expect("parses");
        assert_eq!(
            doc.prologue,
            vec![Node::Raw("<?xml version=\"1.0\"?>".into())]
        );
        assert_eq!(doc.root.attr("a"), Some("x & \ny"));
        assert_eq!(
            doc.root.children,
            vec![Node::Text("A & BA<".into()), Node::Raw("<!--c-->".into())]
        );
        assert!(parse("<a>&nope;</a>", "test.xml", Limits::default()).is_err());
    }
}
