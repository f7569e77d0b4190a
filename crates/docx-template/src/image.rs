//! Inline pictures: reading pixel size and resolution from PNG/JPEG/GIF headers, computing
//! the extent Word shows, and writing the `w:drawing` element.

use crate::error::TemplateError;
use crate::xml::{Element, Node};
use std::sync::Arc;

const EMU_PER_INCH: f64 = 914_400.0;
const EMU_PER_MM: f64 = 36_000.0;

/// A picture for `{{ name }}`: bytes plus an optional size in millimetres. With one
/// dimension the other keeps the aspect ratio; with none the native size is used.
#[derive(Debug, Clone)]
pub struct InlineImage {
    pub(crate) bytes: Arc<[u8]>,
    pub(crate) info: ImageInfo,
    pub(crate) width_mm: Option<f64>,
    pub(crate) height_mm: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ImageInfo {
    pub ext: &'static str,
    pub content_type: &'static str,
    pub px_w: u32,
    pub px_h: u32,
    pub dpi_x: u32,
    pub dpi_y: u32,
}

impl InlineImage {
    /// A PNG, JPEG or GIF picture from its bytes.
    pub fn from_bytes(bytes: impl Into<Arc<[u8]>>) -> Result<InlineImage, TemplateError> {
        let bytes = bytes.into();
        let info = sniff(&bytes).ok_or_else(|| TemplateError::Image {
            name: "(bytes)".into(),
            message: "not a PNG, JPEG or GIF picture, or its header is damaged".into(),
        })?;
        Ok(InlineImage {
            bytes,
            info,
            width_mm: None,
            height_mm: None,
        })
    }

    /// Shorthand for [`InlineImage::from_bytes`] when the caller knows it has a PNG.
    pub fn png(bytes: impl Into<Arc<[u8]>>) -> Result<InlineImage, TemplateError> {
        Self::from_bytes(bytes)
    }

    pub fn width_mm(mut self, mm: f64) -> Self {
        self.width_mm = Some(mm);
        self
    }

    pub fn height_mm(mut self, mm: f64) -> Self {
        self.height_mm = Some(mm);
        self
    }

    /// The extent in EMU (what Word stores): native size from pixels and dpi, scaled the
    /// way python-docx does so documents match docxtpl's exactly.
    pub fn extent_emu(&self) -> (i64, i64) {
        let i = &self.info;
        let native_w = (i.px_w as f64 / i.dpi_x as f64 * EMU_PER_INCH) as i64;
        let native_h = (i.px_h as f64 / i.dpi_y as f64 * EMU_PER_INCH) as i64;
        let w = self.width_mm.map(|mm| (mm * EMU_PER_MM) as i64);
        let h = self.height_mm.map(|mm| (mm * EMU_PER_MM) as i64);
        match (w, h) {
            (Some(w), Some(h)) => (w, h),
            (None, None) => (native_w, native_h),
            (None, Some(h)) => {
                let w = (native_w as f64 * (h as f64 / native_h.max(1) as f64)).round_ties_even();
                (w as i64, h)
            }
            (Some(w), None) => {
                let h = (native_h as f64 * (w as f64 / native_w.max(1) as f64)).round_ties_even();
                (w, h as i64)
            }
        }
    }
}

fn be16(b: &[u8], at: usize) -> Option<u32> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?) as u32)
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

pub(crate) fn sniff(b: &[u8]) -> Option<ImageInfo> {
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        png(b)
    } else if b.starts_with(&[0xFF, 0xD8]) {
        jpeg(b)
    } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        let w = u16::from_le_bytes(b.get(6..8)?.try_into().ok()?) as u32;
        let h = u16::from_le_bytes(b.get(8..10)?.try_into().ok()?) as u32;
        valid(ImageInfo {
            ext: "gif",
            content_type: "image/gif",
            px_w: w,
            px_h: h,
            dpi_x: 72,
            dpi_y: 72,
        })
    } else {
        None
    }
}

fn valid(i: ImageInfo) -> Option<ImageInfo> {
    (i.px_w > 0 && i.px_h > 0).then_some(i)
}

fn png(b: &[u8]) -> Option<ImageInfo> {
    if b.get(12..16)? != b"IHDR" {
        return None;
    }
    let mut info = ImageInfo {
        ext: "png",
        content_type: "image/png",
        px_w: be32(b, 16)?,
        px_h: be32(b, 20)?,
        dpi_x: 72,
        dpi_y: 72,
    };
    let mut at = 8;
    while let (Some(len), Some(kind)) = (be32(b, at), b.get(at + 4..at + 8)) {
        if kind == b"pHYs" {
            if b.get(at + 16) == Some(&1) {
                let dpi = |ppm: u32| ((ppm as f64 * 0.0254).round() as u32).max(1);
                info.dpi_x = dpi(be32(b, at + 8)?);
                info.dpi_y = dpi(be32(b, at + 12)?);
            }
            break;
        }
        if kind == b"IDAT" || kind == b"IEND" {
            break;
        }
        at = at.checked_add(12)?.checked_add(len as usize)?;
    }
    valid(info)
}

fn jpeg(b: &[u8]) -> Option<ImageInfo> {
    let mut info = ImageInfo {
        ext: "jpg",
        content_type: "image/jpeg",
        px_w: 0,
        px_h: 0,
        dpi_x: 72,
        dpi_y: 72,
    };
    let mut at = 2;
    while at + 4 <= b.len() {
        if b[at] != 0xFF {
            at += 1;
            continue;
        }
        let marker = b[at + 1];
        if marker == 0xFF || marker == 0x01 || (0xD0..=0xD8).contains(&marker) {
            at += if marker == 0xFF { 1 } else { 2 };
            continue;
        }
        let len = be16(b, at + 2)? as usize;
        let seg = at + 4;
        match marker {
            0xE0 if b.get(seg..seg + 5) == Some(b"JFIF\0") => {
                let units = *b.get(seg + 7)?;
                let (dx, dy) = (be16(b, seg + 8)?, be16(b, seg + 10)?);
                let conv = |d: u32| match units {
                    1 => d,
                    2 => (d as f64 * 2.54).round() as u32,
                    _ => 72,
                };
                if units == 1 || units == 2 {
                    info.dpi_x = conv(dx).max(1);
                    info.dpi_y = conv(dy).max(1);
                }
            }
            0xC0..=0xCF if marker != 0xC4 && marker != 0xC8 && marker != 0xCC => {
                info.px_h = be16(b, seg + 1)?;
                info.px_w = be16(b, seg + 3)?;
                return valid(info);
            }
            0xD9 | 0xDA => return None,
            _ => {}
        }
        at = seg + len.checked_sub(2)?;
    }
    None
}

fn el(name: &str, attrs: &[(&str, &str)], children: Vec<Element>) -> Element {
    let mut e = Element::new(name);
    for (k, v) in attrs {
        e.set_attr(k, v);
    }
    e.children = children.into_iter().map(Node::Elem).collect();
    e
}

/// `<w:r><w:drawing><wp:inline>…` for a picture whose relationship id is `rid`. Namespaces
/// are declared on `wp:inline` because headers do not always declare them.
pub(crate) fn drawing_run(cx: i64, cy: i64, rid: &str, doc_pr_id: usize, file: &str) -> Element {
    let (cx, cy) = (cx.to_string(), cy.to_string());
    let id = doc_pr_id.to_string();
    let pic = el(
        "pic:pic",
        &[],
        vec![
            el(
                "pic:nvPicPr",
                &[],
                vec![
                    el("pic:cNvPr", &[("id", "0"), ("name", file)], vec![]),
                    el("pic:cNvPicPr", &[], vec![]),
                ],
            ),
            el(
                "pic:blipFill",
                &[],
                vec![
                    el("a:blip", &[("r:embed", rid)], vec![]),
                    el("a:stretch", &[], vec![el("a:fillRect", &[], vec![])]),
                ],
            ),
            el(
                "pic:spPr",
                &[],
                vec![
                    el(
                        "a:xfrm",
                        &[],
                        vec![
                            el("a:off", &[("x", "0"), ("y", "0")], vec![]),
                            el("a:ext", &[("cx", &cx), ("cy", &cy)], vec![]),
                        ],
                    ),
                    el("a:prstGeom", &[("prst", "rect")], vec![]),
                ],
            ),
        ],
    );
    let inline = el(
        "wp:inline",
        &[
            ("xmlns:wp", NS_WP),
            ("xmlns:a", NS_A),
            ("xmlns:pic", NS_PIC),
            ("xmlns:r", NS_R),
        ],
        vec![
            el("wp:extent", &[("cx", &cx), ("cy", &cy)], vec![]),
            el(
                "wp:docPr",
                &[("id", &id), ("name", &format!("Picture {id}"))],
                vec![],
            ),
            el(
                "wp:cNvGraphicFramePr",
                &[],
                vec![el(
                    "a:graphicFrameLocks",
                    &[("noChangeAspect", "1")],
                    vec![],
                )],
            ),
            el(
                "a:graphic",
                &[],
                vec![el(
                    "a:graphicData",
                    &[(
                        "uri",
                        "http://schemas.openxmlformats.org/drawingml/2006/picture",
                    )],
                    vec![pic],
                )],
            ),
        ],
    );
    el("w:r", &[], vec![el("w:drawing", &[], vec![inline])])
}

const NS_WP: &str = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing";
const NS_A: &str = "http://schemas.openxmlformats.org/drawingml/2006/main";
const NS_PIC: &str = "http://schemas.openxmlformats.org/drawingml/2006/picture";
pub(crate) const NS_R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
