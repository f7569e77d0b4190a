//! Fidelity of the pool against plain `soffice --convert-to pdf`: same page
//! count, and every word of the document in the PDF text. Covers the school's
//! real drafts and the stand-in default report.

use std::time::Duration;

use office_convert::{Converter, Pool, SpawnConverter, SpawnOptions};

use crate::common::*;
use crate::docx_words::{docx_words, missing_words};
use crate::pool::{pool_options, report_docx};

fn documents() -> Vec<(String, Vec<u8>)> {
    let mut docs = all_fixtures();
    docs.push(("benches/fixtures/report.docx".into(), report_docx()));
    docs
}

#[tokio::test]
async fn pool_pdfs_match_soffice_page_counts_and_keep_every_word() {
    let reference = SpawnConverter::new(SpawnOptions {
        program: None,
        timeout: Duration::from_secs(120),
        scratch_dir: scratch("fidelity-spawn"),
    });
    let pool = Pool::start(pool_options("fidelity-pool", 2))
        .await
        .expect("pool starts");
    let mut problems = Vec::new();
    for (name, docx) in documents() {
        let words = docx_words(&docx);
        assert!(words.len() > 10, "{name}: only {} words read", words.len());
        let expected = reference
            .convert(docx.clone())
            .await
            .expect("soffice converts");
        let pdf = pool.convert(docx).await.expect("pool converts");
        let (want, got) = (pdf_pages(&expected), pdf_pages(&pdf));
        if want != got {
            problems.push(format!("{name}: {got} pages, soffice made {want}"));
        }
        let missing = missing_words(&words, &pdf_text(&pdf));
        if !missing.is_empty() {
            problems.push(format!(
                "{name}: {} words missing: {missing:?}",
                missing.len()
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
