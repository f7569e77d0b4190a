//! The gate for the native converter (feature `native`): it may become the
//! default only if, on every document, it matches LibreOffice's page count,
//! keeps every word, and its page renders are close to LibreOffice's.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use office_convert::{Converter, NativeConverter, SpawnConverter, SpawnOptions};

use crate::common::*;
use crate::docx_words::{docx_words, missing_words};
use crate::pool::report_docx;

/// Render resolution for the comparison, and the thresholds: a pixel
/// differs when its grey level is more than `PIXEL_TOLERANCE` apart, and a
/// page passes when at most `MAX_DIFFERING` of its pixels differ.
const DPI: u32 = 50;
const PIXEL_TOLERANCE: u8 = 64;
const MAX_DIFFERING: f64 = 0.02;

fn render_gray(pdf: &[u8], dir: &Path, prefix: &str) -> Vec<(usize, usize, Vec<u8>)> {
    let path = dir.join(format!("{prefix}.pdf"));
    std::fs::write(&path, pdf).unwrap();
    let status = Command::new("pdftoppm")
        .args(["-gray", "-r", &DPI.to_string()])
        .arg(&path)
        .arg(dir.join(prefix))
        .status()
        .expect("pdftoppm (poppler-utils)");
    assert!(status.success());
    let mut pages: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with(&format!("{prefix}-")) && name.ends_with(".pgm")
        })
        .collect();
    pages.sort();
    pages
        .iter()
        .map(|p| parse_pgm(&std::fs::read(p).unwrap()))
        .collect()
}

/// Binary PGM (P5, maxval 255) as written by pdftoppm -gray.
fn parse_pgm(data: &[u8]) -> (usize, usize, Vec<u8>) {
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while data[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !data[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&data[start..i]).into_owned());
    }
    assert_eq!(fields[0], "P5");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, data[i + 1..i + 1 + w * h].to_vec())
}

/// Share of differing pixels, comparing over the larger page size (pixels
/// outside the smaller page count as differing when not white).
fn differing_share(a: &(usize, usize, Vec<u8>), b: &(usize, usize, Vec<u8>)) -> f64 {
    let (w, h) = (a.0.max(b.0), a.1.max(b.1));
    let px = |img: &(usize, usize, Vec<u8>), x: usize, y: usize| {
        if x < img.0 && y < img.1 {
            img.2[y * img.0 + x]
        } else {
            255
        }
    };
    let mut differ = 0usize;
    for y in 0..h {
        for x in 0..w {
            if px(a, x, y).abs_diff(px(b, x, y)) > PIXEL_TOLERANCE {
                differ += 1;
            }
        }
    }
    differ as f64 / (w * h) as f64
}

// docxide-pdf 0.20.1 fails this gate (page counts differ on every document,
// 6-13% of pixels differ on first pages), so the native converter stays off
// by default; run with --ignored after upgrading it.
#[tokio::test]
#[ignore = "docxide-pdf 0.20.1 fails the fidelity gate; run with --ignored to re-check"]
async fn native_converter_passes_the_fidelity_check() {
    let reference = SpawnConverter::new(SpawnOptions {
        timeout: Duration::from_secs(120),
        scratch_dir: scratch("native-ref"),
        ..SpawnOptions::default()
    });
    let native = NativeConverter::new(Duration::from_secs(60), 2);
    let renders = scratch("native-renders");
    let mut docs = all_fixtures();
    docs.push(("report.docx".into(), report_docx()));
    let mut problems = Vec::new();
    for (i, (name, docx)) in docs.into_iter().enumerate() {
        let expected = reference
            .convert(docx.clone())
            .await
            .expect("soffice converts");
        let pdf = match native.convert(docx.clone()).await {
            Ok(pdf) => pdf,
            Err(e) => {
                problems.push(format!("{name}: native conversion failed: {e}"));
                continue;
            }
        };
        let (want, got) = (pdf_pages(&expected), pdf_pages(&pdf));
        if want != got {
            problems.push(format!("{name}: {got} pages, LibreOffice made {want}"));
        }
        let words = docx_words(&docx);
        let missing = missing_words(&words, &pdf_text(&pdf));
        if !missing.is_empty() {
            problems.push(format!(
                "{name}: {} words missing: {missing:.200?}",
                missing.len()
            ));
        }
        let lo = render_gray(&expected, &renders, &format!("lo{i}"));
        let rs = render_gray(&pdf, &renders, &format!("rs{i}"));
        for (page, (a, b)) in lo.iter().zip(&rs).enumerate() {
            let share = differing_share(a, b);
            if share > MAX_DIFFERING {
                problems.push(format!(
                    "{name} page {}: {:.1}% of pixels differ (limit {:.1}%)",
                    page + 1,
                    share * 100.0,
                    MAX_DIFFERING * 100.0
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
