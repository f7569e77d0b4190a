//! The PDF looks like what the school designed: the warm LibreOffice pool produces the same
//! pages as a plain `soffice --convert-to pdf`, with every word of the document, for the
//! shipped templates filled with a real analysis and for the school's own drafts.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

use docx_template::Template;
use office_convert::{Converter, Pool, PoolOptions, SpawnConverter, SpawnOptions, WorkerCommand};
use webhook_service::profiles::sample::sample_context;
use webhook_service::report::{fill_template, ChartColors};

use crate::helpers::{fixture, pdf_text, repo_root};

fn pages(pdf: &[u8]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdfinfo")
        .arg(&path)
        .output()
        .expect("pdfinfo (poppler-utils)");
    let info = String::from_utf8_lossy(&out.stdout);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("page count")
}

/// The words of the document's text (every `w:t` of body, headers and footers).
fn docx_words(docx: &[u8]) -> BTreeSet<String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut words = BTreeSet::new();
    let text_runs = regex::Regex::new(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>").unwrap();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().into_owned();
        if !(name == "word/document.xml"
            || name.starts_with("word/header")
            || name.starts_with("word/footer"))
        {
            continue;
        }
        let mut xml = String::new();
        file.read_to_string(&mut xml).unwrap();
        for m in text_runs.captures_iter(&xml) {
            let text = m[1]
                .replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">");
            words.extend(text.split_whitespace().map(str::to_string));
        }
    }
    words
}

fn normalized(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn check(name: &str, docx: Vec<u8>, pool: &Pool, spawn: &SpawnConverter) {
    let pooled = pool.convert(docx.clone()).await.expect("pool converts");
    let reference = spawn.convert(docx.clone()).await.expect("soffice converts");
    assert_eq!(
        pages(&pooled),
        pages(&reference),
        "{name}: page count differs from soffice"
    );
    let text = normalized(&pdf_text(&pooled));
    let missing: Vec<String> = docx_words(&docx)
        .into_iter()
        .filter(|w| !text.contains(w.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "{name}: words missing from the PDF: {missing:?}"
    );
}

/// A shipped template filled with the sample report context (and its chart).
fn rendered(template: &str) -> Vec<u8> {
    let bytes = std::fs::read(repo_root().join("templates").join(template)).unwrap();
    let template = Template::from_bytes(&bytes).unwrap();
    let ctx = serde_json::to_value(sample_context().unwrap()).unwrap();
    let filled = fill_template(&template, &ctx, &ChartColors::default()).expect("renders");
    assert!(filled.unresolved.is_empty(), "{:?}", filled.unresolved);
    filled.docx
}

#[tokio::test]
async fn the_pool_matches_soffice_on_the_shipped_templates_and_the_schools_drafts() {
    let scratch = tempfile::tempdir().unwrap();
    let pool = Pool::start(PoolOptions {
        instances: 1,
        timeout: Duration::from_secs(90),
        worker: WorkerCommand::new(env!("CARGO_BIN_EXE_webhook-service")),
        scratch_dir: scratch.path().join("pool"),
        ..PoolOptions::default()
    })
    .await
    .expect("the pool starts");
    let spawn = SpawnConverter::new(SpawnOptions {
        program: None,
        timeout: Duration::from_secs(90),
        scratch_dir: scratch.path().join("spawn"),
    });
    let default_report = rendered("plantilla_test_diagnostico.docx");
    assert_eq!(
        pages(&pool.convert(default_report.clone()).await.unwrap()),
        2,
        "the default report is two pages"
    );
    check("default report", default_report, &pool, &spawn).await;
    check(
        "Jinja example report",
        rendered("ejemplo_jinja.docx"),
        &pool,
        &spawn,
    )
    .await;
    for draft in ["template examen.docx", "template ensayos.docx"] {
        let bytes = std::fs::read(fixture(
            Path::new("templates").join(draft).to_str().unwrap(),
        ))
        .unwrap();
        check(draft, bytes, &pool, &spawn).await;
    }
}
