//! `PDF_FORMAT=pdfa` and `PDF_TAGGED`: the report the student receives is PDF/A-2b and
//! tagged, read from the attachment's own metadata (XMP `pdfaid:part`, pdfinfo's "Tagged").

use crate::helpers::{automation_body, pdf_text, spawn_app_with, Setup};
use crate::mail;

fn pdfinfo(pdf: &[u8], meta: bool) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let mut cmd = std::process::Command::new("pdfinfo");
    if meta {
        cmd.arg("-meta");
    }
    let out = cmd
        .arg(&path)
        .output()
        .expect("pdfinfo is installed (poppler-utils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn with_pdf_format_pdfa_the_emailed_report_is_tagged_pdfa_2b() {
    let app = spawn_app_with(Setup {
        vars: vec![("PDF_FORMAT", "pdfa".into())],
        ..Default::default()
    })
    .await;
    assert_eq!(
        app.post_signed(automation_body()).await.status().as_u16(),
        202
    );
    assert_eq!(app.drain().await, 1);
    let received = app.smtp.received();
    let mail = mail::parse(&received[0].raw);
    let pdf = &mail.pdf().bytes;
    let meta = pdfinfo(pdf, true);
    assert!(meta.contains("<pdfaid:part>2</pdfaid:part>"), "{meta}");
    assert!(
        meta.contains("<pdfaid:conformance>B</pdfaid:conformance>"),
        "{meta}"
    );
    let info = pdfinfo(pdf, false);
    assert!(
        info.contains("Tagged:          yes"),
        "PDF_TAGGED defaults to true: {info}"
    );
    assert!(pdf_text(pdf).contains("camila.rojas"));
}

#[tokio::test]
async fn without_tagging_or_pdfa_the_report_is_a_plain_pdf() {
    let app = spawn_app_with(Setup {
        vars: vec![("PDF_FORMAT", "pdf".into()), ("PDF_TAGGED", "false".into())],
        ..Default::default()
    })
    .await;
    assert_eq!(
        app.post_signed(automation_body()).await.status().as_u16(),
        202
    );
    assert_eq!(app.drain().await, 1);
    let received = app.smtp.received();
    let mail = mail::parse(&received[0].raw);
    let pdf = &mail.pdf().bytes;
    assert!(!pdfinfo(pdf, true).contains("pdfaid:part"));
    assert!(pdfinfo(pdf, false).contains("Tagged:          no"));
}
