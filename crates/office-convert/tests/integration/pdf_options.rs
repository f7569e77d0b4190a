//! PDF/A-2b and tagged PDF, checked in the output's own metadata: the XMP stream's
//! `pdfaid:part`/`pdfaid:conformance`, pdfinfo's "Tagged" (the catalog's `/MarkInfo`) and the
//! `/StructTreeRoot` screen readers walk.

use std::time::Duration;

use office_convert::{Converter, PdfFormat, PdfOptions, Pool, SpawnConverter, SpawnOptions};

use crate::common::*;
use crate::pool::{pool_options, report_docx};

const ARCHIVE: PdfOptions = PdfOptions {
    format: PdfFormat::PdfA2b,
    tagged: true,
};

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

fn assert_archival(pdf: &[u8]) {
    let meta = pdf_info(pdf, true);
    assert!(meta.contains("<pdfaid:part>2</pdfaid:part>"), "{meta}");
    assert!(
        meta.contains("<pdfaid:conformance>B</pdfaid:conformance>"),
        "{meta}"
    );
    let info = pdf_info(pdf, false);
    assert!(info.contains("Tagged:          yes"), "{info}");
    assert!(contains(pdf, "/StructTreeRoot"), "no structure tree");
    assert!(contains(pdf, "/MarkInfo"), "no MarkInfo");
    // PDF/A needs every font in the file, so the report looks the same on any reader.
    let fonts = pdf_fonts(pdf);
    assert!(
        !fonts.is_empty() && fonts.iter().all(|(_, embedded)| *embedded),
        "{fonts:?}"
    );
}

fn assert_plain(pdf: &[u8]) {
    assert!(!pdf_info(pdf, true).contains("pdfaid:part"));
    assert!(pdf_info(pdf, false).contains("Tagged:          no"));
    assert!(!contains(pdf, "/StructTreeRoot"));
}

#[tokio::test]
async fn spawn_writes_tagged_pdfa_2b_when_asked_and_plain_pdf_by_default() {
    let dir = scratch("pdf-spawn");
    let opts = |pdf| SpawnOptions {
        timeout: Duration::from_secs(90),
        scratch_dir: dir.clone(),
        pdf,
        ..SpawnOptions::default()
    };
    let archive = SpawnConverter::new(opts(ARCHIVE));
    assert_archival(&archive.convert(report_docx()).await.expect("converts"));
    let plain = SpawnConverter::new(opts(PdfOptions::default()));
    assert_plain(&plain.convert(report_docx()).await.expect("converts"));
}

#[tokio::test]
async fn pool_workers_write_tagged_pdfa_2b_when_asked() {
    let pool = Pool::start(office_convert::PoolOptions {
        pdf: ARCHIVE,
        ..pool_options("pdf-pool", 1)
    })
    .await
    .expect("pool starts");
    let pdf = pool.convert(report_docx()).await.expect("converts");
    assert_archival(&pdf);
    assert!(pdf_text(&pdf).contains("Reporte de Resultados"));
}

#[tokio::test]
async fn pool_tagging_alone_keeps_a_plain_pdf_version() {
    let pool = Pool::start(office_convert::PoolOptions {
        pdf: PdfOptions {
            format: PdfFormat::Pdf,
            tagged: true,
        },
        ..pool_options("pdf-pool-tagged", 1)
    })
    .await
    .expect("pool starts");
    let pdf = pool.convert(report_docx()).await.expect("converts");
    assert!(pdf_info(&pdf, false).contains("Tagged:          yes"));
    assert!(!pdf_info(&pdf, true).contains("pdfaid:part"));
}
