//! Inline pictures: the extent Word shows (from the pixel size and resolution that `sniff`
//! reads in the file's header) and the `w:drawing` element.

mod sniff;

pub(crate) use sniff::sniff;

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
    /// A PNG, JPEG, GIF, BMP or TIFF picture from its bytes (the formats python-docx, and so
    /// docxtpl, accepts).
    pub fn from_bytes(bytes: impl Into<Arc<[u8]>>) -> Result<InlineImage, TemplateError> {
        let bytes = bytes.into();
        let info = sniff(&bytes).ok_or_else(|| TemplateError::Image {
            name: "(bytes)".into(),
            message: "not a PNG, JPEG, GIF, BMP or TIFF picture, or its header is damaged".into(),
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
