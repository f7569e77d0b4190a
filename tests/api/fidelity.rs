//! The PDF looks like what the school designed: the warm LibreOffice pool produces the same
//! pages as a plain `soffice --convert-to pdf`, with every word of the document, for the
//! shipped templates filled with a real analysis, for every one of the school's own drafts,
//! and for office-convert's stand-in report (its benchmark document).

use std::io::Read;
use std::time::Duration;

use docx_template::Template;
use office_convert::{Converter, SpawnConverter, SpawnOptions};
use webhook_service::report::{fill_template, ChartColors};
use webhook_service::rules::sample::sample_context;

use crate::converter::shared_pool;
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

/// Words of the body, headers and footers. The runs of a paragraph are joined before
/// splitting, since Word splits words across runs at formatting changes.
fn docx_words(docx: &[u8]) -> Vec<String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("docx is a zip");
    let mut parts: Vec<String> = archive
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .filter(|n| is_text_part(n))
        .collect();
    parts.sort();
    let mut words = Vec::new();
    for part in parts {
        let mut xml = String::new();
        archive
            .by_name(&part)
            .expect("listed part")
            .read_to_string(&mut xml)
            .expect("part is UTF-8 XML");
        for paragraph in xml.split("</w:p>") {
            words.extend(
                paragraph_text(paragraph)
                    .split_whitespace()
                    .map(str::to_string),
            );
        }
    }
    words
}

fn is_text_part(name: &str) -> bool {
    let Some(stem) = name
        .strip_prefix("word/")
        .and_then(|n| n.strip_suffix(".xml"))
    else {
        return false;
    };
    stem == "document"
        || ["header", "footer"].iter().any(|p| {
            stem.strip_prefix(p)
                .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
        })
}

/// Text of `<w:t>` elements (not deleted text or field instructions), with tabs and breaks as
/// spaces.
fn paragraph_text(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let tag = &rest[open + 1..open + close];
        rest = &rest[open + close + 1..];
        let name = tag.split([' ', '/']).next().unwrap_or("");
        match name {
            "w:t" if !tag.ends_with('/') => {
                let end = rest.find("</w:t>").unwrap_or(rest.len());
                out.push_str(&unescape(&rest[..end]));
                rest = &rest[end..];
            }
            "w:tab" | "w:br" | "w:cr" => out.push(' '),
            _ => {}
        }
    }
    out
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let Some(semi) = rest[amp..].find(';') else {
            out.push_str(&rest[amp..]);
            return out;
        };
        let entity = &rest[amp + 1..amp + semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => out.push(c),
            None => out.push_str(&rest[amp..amp + semi + 1]),
        }
        rest = &rest[amp + semi + 1..];
    }
    out.push_str(rest);
    out
}

/// Words of `words` that do not occur in `pdf_text` (whitespace-normalised).
fn missing_words<'a>(words: &'a [String], pdf_text: &str) -> Vec<&'a str> {
    let text = pdf_text.split_whitespace().collect::<Vec<_>>().join(" ");
    words
        .iter()
        .map(String::as_str)
        .filter(|w| !text.contains(w))
        .collect()
}

#[test]
fn paragraph_text_joins_runs_and_skips_instructions() {
    let xml = r#"<w:r><w:t>Hol</w:t></w:r><w:r><w:t xml:space="preserve">a &amp; </w:t></w:r>
        <w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:tab/><w:t>ad&#237;os</w:t></w:r>"#;
    assert_eq!(paragraph_text(xml), "Hola &  adíos");
}

#[test]
fn missing_words_detects_absent_text() {
    let words: Vec<String> = ["Reporte", "de", "Eje", "ausente"]
        .map(String::from)
        .to_vec();
    assert_eq!(missing_words(&words, "Reporte\nde   Eje"), vec!["ausente"]);
}

/// A shipped template filled with the sample report context (and its chart).
fn rendered(template: &str) -> Vec<u8> {
    let bytes = std::fs::read(repo_root().join("templates").join(template)).unwrap();
    let template = Template::from_bytes(&bytes).unwrap();
    let sample = sample_context().unwrap();
    let ctx = serde_json::to_value(&sample).unwrap();
    let filled =
        fill_template(&template, &ctx, &sample.groups, &ChartColors::default()).expect("renders");
    assert!(filled.unresolved.is_empty(), "{:?}", filled.unresolved);
    filled.docx
}

/// Every `.docx` of the shared fixtures' `templates/` folder: the school's drafts.
fn schools_drafts() -> Vec<(String, Vec<u8>)> {
    let dir = fixture("templates");
    let mut drafts: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "docx"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    drafts.sort();
    let names: Vec<&str> = drafts.iter().map(|(n, _)| n.as_str()).collect();
    for draft in ["template examen.docx", "template ensayos.docx"] {
        assert!(names.contains(&draft), "{draft} missing from {names:?}");
    }
    drafts
}

#[tokio::test]
async fn the_pool_matches_soffice_on_the_shipped_templates_and_the_schools_drafts() {
    let pool = shared_pool().await;
    let scratch = tempfile::tempdir().unwrap();
    let soffice = SpawnConverter::new(SpawnOptions {
        program: None,
        timeout: Duration::from_secs(120),
        scratch_dir: scratch.path().join("spawn"),
        ..SpawnOptions::default()
    });
    let mut documents = vec![
        (
            "default report".to_string(),
            rendered("plantilla_test_diagnostico.docx"),
        ),
        (
            "Jinja example report".to_string(),
            rendered("ejemplo_jinja.docx"),
        ),
        (
            "office-convert's stand-in report".to_string(),
            std::fs::read(repo_root().join("crates/office-convert/benches/fixtures/report.docx"))
                .unwrap(),
        ),
    ];
    documents.extend(schools_drafts());

    let mut problems = Vec::new();
    for (name, docx) in documents {
        let words = docx_words(&docx);
        assert!(words.len() > 10, "{name}: only {} words read", words.len());
        let reference = soffice
            .convert(docx.clone())
            .await
            .expect("soffice converts");
        let pooled = pool.convert(docx).await.expect("the pool converts");
        let (want, got) = (pages(&reference), pages(&pooled));
        if want != got {
            problems.push(format!("{name}: {got} pages, soffice made {want}"));
        }
        if name == "default report" && got != 2 {
            problems.push(format!("{name}: {got} pages, the default report is two"));
        }
        let missing = missing_words(&words, &pdf_text(&pooled));
        if !missing.is_empty() {
            problems.push(format!(
                "{name}: {} words missing from the PDF: {missing:?}",
                missing.len()
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
