//! Relationships and media added while rendering: hyperlinks of rich text and pictures.

use crate::context::RichObject;
use crate::image::InlineImage;
use crate::xml::{keep_legacy, Document, Element, Node, Writer};
use std::collections::HashSet;
use std::sync::Arc;

const REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const IMAGE: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image";
const HYPERLINK: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink";

/// The `_rels/….rels` name of a part.
pub fn rels_name(part: &str) -> String {
    match part.rfind('/') {
        Some(i) => format!("{}/_rels/{}.rels", &part[..i], &part[i + 1..]),
        None => format!("_rels/{part}.rels"),
    }
}

/// Relationship ids already used by a part, so new ones never collide.
pub fn ids_of(doc: Option<&Document>) -> HashSet<String> {
    doc.map(|d| {
        d.root
            .elements()
            .filter_map(|r| r.attr("Id").map(str::to_string))
            .collect()
    })
    .unwrap_or_default()
}

pub struct Media {
    pub name: String,
    pub bytes: Arc<[u8]>,
    pub ext: &'static str,
    pub content_type: &'static str,
}

/// State shared by all parts of one render.
pub struct RenderState<'a> {
    pub objects: &'a [RichObject],
    pub doc_pr: usize,
    pub media: Vec<Media>,
    media_dir: String,
    taken: &'a dyn Fn(&str) -> bool,
}

impl<'a> RenderState<'a> {
    pub fn new(
        objects: &'a [RichObject],
        media_dir: String,
        taken: &'a dyn Fn(&str) -> bool,
    ) -> Self {
        RenderState {
            objects,
            doc_pr: 0,
            media: Vec::new(),
            media_dir,
            taken,
        }
    }

    /// Relationship id of the picture in this part; one media part per distinct picture.
    pub fn image_rel(&mut self, img: &InlineImage, rels: &mut PartRels) -> String {
        let name = match self
            .media
            .iter()
            .find(|m| Arc::ptr_eq(&m.bytes, &img.bytes))
        {
            Some(m) => m.name.clone(),
            None => {
                let mut n = self.media.len() + 1;
                let mut name;
                loop {
                    name = format!("{}docx_tpl_image{n}.{}", self.media_dir, img.info.ext);
                    if !(self.taken)(&name) {
                        break;
                    }
                    n += 1;
                }
                self.media.push(Media {
                    name: name.clone(),
                    bytes: img.bytes.clone(),
                    ext: img.info.ext,
                    content_type: img.info.content_type,
                });
                name
            }
        };
        rels.internal(IMAGE, &name)
    }
}

/// Relationships added to one part during a render.
pub struct PartRels {
    part_dir: String,
    existing: HashSet<String>,
    pub added: Vec<(String, &'static str, String, bool)>,
    next: usize,
}

impl PartRels {
    pub fn new(part_name: &str, existing: HashSet<String>) -> Self {
        let part_dir = part_name
            .rfind('/')
            .map_or(String::new(), |i| part_name[..=i].to_string());
        PartRels {
            part_dir,
            existing,
            added: Vec::new(),
            next: 0,
        }
    }

    fn add(&mut self, kind: &'static str, target: String, external: bool) -> String {
        if let Some((id, ..)) = self
            .added
            .iter()
            .find(|(_, k, t, e)| *k == kind && *t == target && *e == external)
        {
            return id.clone();
        }
        let id = loop {
            self.next += 1;
            let id = format!("rIdTpl{}", self.next);
            if !self.existing.contains(&id) {
                break id;
            }
        };
        self.added.push((id.clone(), kind, target, external));
        id
    }

    pub fn hyperlink(&mut self, url: &str) -> String {
        self.add(HYPERLINK, url.to_string(), true)
    }

    fn internal(&mut self, kind: &'static str, zip_name: &str) -> String {
        let target = match zip_name.strip_prefix(&self.part_dir) {
            Some(rel) => rel.to_string(),
            None => format!("/{zip_name}"),
        };
        self.add(kind, target, false)
    }

    /// The part's relationships file with the additions, or `None` when nothing was added.
    pub fn xml(&self, original: Option<&Document>) -> Option<String> {
        if self.added.is_empty() {
            return None;
        }
        let mut doc = original.cloned().unwrap_or_else(|| Document {
            prologue: vec![Node::Raw(
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>".into(),
            )],
            root: Element::new("Relationships").with_attr("xmlns", REL_NS),
        });
        for (id, kind, target, external) in &self.added {
            let mut r = Element::new("Relationship")
                .with_attr("Id", id)
                .with_attr("Type", kind)
                .with_attr("Target", target);
            if *external {
                r.set_attr("TargetMode", "External");
            }
            doc.root.children.push(Node::Elem(r));
        }
        Some(
            Writer {
                legacy: &keep_legacy,
            }
            .document(&doc),
        )
    }
}

/// `[Content_Types].xml` with a `Default` for every media extension it lacks.
pub fn content_types(original: &Document, media: &[Media]) -> Option<String> {
    let mut doc = original.clone();
    let mut changed = false;
    for m in media {
        let known = doc.root.elements().any(|d| {
            d.is("Default")
                && d.attr("Extension")
                    .is_some_and(|e| e.eq_ignore_ascii_case(m.ext))
        });
        if !known {
            doc.root.children.insert(
                0,
                Node::Elem(
                    Element::new("Default")
                        .with_attr("Extension", m.ext)
                        .with_attr("ContentType", m.content_type),
                ),
            );
            changed = true;
        }
    }
    changed.then(|| {
        Writer {
            legacy: &keep_legacy,
        }
        .document(&doc)
    })
}
