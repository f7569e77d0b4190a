//! Pixel size and resolution from the header of each picture format python-docx accepts,
//! with python-docx's defaults, so extents match docxtpl's to the EMU.

use super::ImageInfo;

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
    } else if b.starts_with(b"BM") {
        bmp(b)
    } else if b.starts_with(b"II*\0") || b.starts_with(b"MM\0*") {
        tiff(b)
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
                let dpi = |ppm: u32| ((ppm as f64 * 0.0254).round_ties_even() as u32).max(1);
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
                    2 => (d as f64 * 2.54).round_ties_even() as u32,
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

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// BMP: BITMAPINFOHEADER size at 0x12/0x16 (negative height = top-down rows), pixels per
/// metre at 0x26/0x2A; python-docx takes 96 dpi when they are 0.
fn bmp(b: &[u8]) -> Option<ImageInfo> {
    let dpi = |ppm: u32| {
        if ppm == 0 {
            96
        } else {
            ((ppm as f64 * 0.0254).round_ties_even() as u32).max(1)
        }
    };
    valid(ImageInfo {
        ext: "bmp",
        content_type: "image/bmp",
        px_w: (le32(b, 0x12)? as i32).unsigned_abs(),
        px_h: (le32(b, 0x16)? as i32).unsigned_abs(),
        dpi_x: dpi(le32(b, 0x26)?),
        dpi_y: dpi(le32(b, 0x2A)?),
    })
}

/// TIFF: the first image directory's ImageWidth (256), ImageLength (257), XResolution (282),
/// YResolution (283) and ResolutionUnit (296: 1 none, 2 inch, else cm; python-docx gives 72 dpi
/// without a resolution or with unit 1).
fn tiff(b: &[u8]) -> Option<ImageInfo> {
    let big = b.starts_with(b"MM");
    let u16_at = |at: usize| -> Option<u32> {
        let x: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
        Some(if big {
            u16::from_be_bytes(x)
        } else {
            u16::from_le_bytes(x)
        } as u32)
    };
    let u32_at = |at: usize| -> Option<u32> {
        let x: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
        Some(if big {
            u32::from_be_bytes(x)
        } else {
            u32::from_le_bytes(x)
        })
    };
    let ifd = u32_at(4)? as usize;
    let count = u16_at(ifd)? as usize;
    let (mut w, mut h, mut unit) = (None, None, 2);
    let (mut xres, mut yres) = (None, None);
    for i in 0..count.min(4096) {
        let entry = ifd.checked_add(2 + i * 12)?;
        let (tag, kind) = (u16_at(entry)?, u16_at(entry + 2)?);
        // SHORT (3) values sit in the entry, LONG (4) too; RATIONAL (5) is at an offset.
        let int = || match kind {
            3 => u16_at(entry + 8),
            4 => u32_at(entry + 8),
            _ => None,
        };
        let rational = || -> Option<f64> {
            let at = u32_at(entry + 8)? as usize;
            let (num, den) = (u32_at(at)?, u32_at(at.checked_add(4)?)?);
            (kind == 5 && den != 0).then(|| num as f64 / den as f64)
        };
        match tag {
            256 => w = int(),
            257 => h = int(),
            282 => xres = rational(),
            283 => yres = rational(),
            296 => unit = int().unwrap_or(2),
            _ => {}
        }
    }
    let dpi = |res: Option<f64>| match (res, unit) {
        (None, _) | (_, 1) => 72,
        (Some(r), 2) => (r.round_ties_even() as u32).max(1),
        (Some(r), _) => ((r * 2.54).round_ties_even() as u32).max(1),
    };
    valid(ImageInfo {
        ext: "tiff",
        content_type: "image/tiff",
        px_w: w?,
        px_h: h?,
        dpi_x: dpi(xres),
        dpi_y: dpi(yres),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bmp_header(w: i32, h: i32, ppm: u32) -> Vec<u8> {
        let mut b = vec![0u8; 54];
        b[..2].copy_from_slice(b"BM");
        b[0x12..0x16].copy_from_slice(&w.to_le_bytes());
        b[0x16..0x1A].copy_from_slice(&h.to_le_bytes());
        b[0x26..0x2A].copy_from_slice(&ppm.to_le_bytes());
        b[0x2A..0x2E].copy_from_slice(&ppm.to_le_bytes());
        b
    }

    #[test]
    fn bmp_size_and_resolution_default_to_96_dpi() {
        let i = sniff(&bmp_header(40, -20, 3780)).expect("bmp");
        assert_eq!((i.ext, i.content_type), ("bmp", "image/bmp"));
        assert_eq!((i.px_w, i.px_h, i.dpi_x, i.dpi_y), (40, 20, 96, 96));
        let i = sniff(&bmp_header(40, 20, 0)).expect("bmp");
        assert_eq!(i.dpi_x, 96);
        assert_eq!(sniff(&bmp_header(40, 20, 0)[..30]), None);
    }

    /// A big-endian TIFF whose directory gives 30×10 pixels at 120 pixels per centimetre.
    fn tiff_cm() -> Vec<u8> {
        let mut b = b"MM\0*\0\0\0\x08".to_vec();
        let entries: [(u16, u16, u32); 5] = [
            (256, 3, 30 << 16),
            (257, 4, 10),
            (282, 5, 74),
            (283, 5, 74),
            (296, 3, 3 << 16),
        ];
        b.extend_from_slice(&(entries.len() as u16).to_be_bytes());
        for (tag, kind, value) in entries {
            b.extend_from_slice(&tag.to_be_bytes());
            b.extend_from_slice(&kind.to_be_bytes());
            b.extend_from_slice(&1u32.to_be_bytes());
            b.extend_from_slice(&value.to_be_bytes());
        }
        b.extend_from_slice(&[0; 4]);
        b.extend_from_slice(&120u32.to_be_bytes());
        b.extend_from_slice(&1u32.to_be_bytes());
        b
    }

    #[test]
    fn tiff_directory_gives_size_and_resolution() {
        let i = sniff(&tiff_cm()).expect("tiff");
        assert_eq!((i.ext, i.content_type), ("tiff", "image/tiff"));
        assert_eq!((i.px_w, i.px_h, i.dpi_x, i.dpi_y), (30, 10, 305, 305));
        let mut truncated = tiff_cm();
        truncated.truncate(20);
        assert_eq!(sniff(&truncated), None);
    }
}
