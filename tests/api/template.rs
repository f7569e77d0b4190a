//! The seed placeholders in a Word document, including one Word split across three runs.

use std::io::{Read, Write};

use std::time::Duration;

use webhook_service::catalog::{ProfileRegistry, ProfilesSettings};
use webhook_service::files::{LocalDisk, Storage};
use webhook_service::report::ChartColors;
use webhook_service::rules::sample::sample_context;
use webhook_service::rules::ProfileError;

const DOCUMENT: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">Nivel: &lt;&lt;Ni</w:t></w:r><w:r><w:rPr><w:i/></w:rPr><w:t>ve</w:t></w:r><w:r><w:rPr><w:color w:val="FF0000"/></w:rPr><w:t xml:space="preserve">l&gt;&gt; final</w:t></w:r></w:p>
<w:p><w:r><w:t>&lt;&lt;Extra&gt;&gt;</w:t></w:r></w:p>
</w:body></w:document>"#;

pub(crate) fn docx(document: &str) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let opts = zip::write::SimpleFileOptions::default();
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#,
        ),
        ("word/document.xml", document),
    ];
    for (name, body) in parts {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

pub(crate) fn document_xml(docx: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

/// The sample report context with exactly these legacy values.
fn context(values: &[(&str, &str)]) -> serde_json::Value {
    let mut ctx = sample_context().unwrap();
    ctx.placeholders = values
        .iter()
        .map(|(k, v)| (k.to_string(), (*v).into()))
        .collect();
    serde_json::to_value(ctx).unwrap()
}

/// What the job's render stage does: the seed profile's template, read from storage.
struct Renderer {
    _dir: tempfile::TempDir,
    registry: ProfileRegistry,
}

impl Renderer {
    async fn render(&self, ctx: &serde_json::Value) -> Result<Vec<u8>, ProfileError> {
        let profile = self.registry.current().profile("seed_diagnostic").unwrap();
        self.registry.render(&profile, ctx).await
    }
}

async fn reports_with(template: Vec<u8>) -> Renderer {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(LocalDisk::new(dir.path()).unwrap());
    storage.put("t.docx", template.into()).await.unwrap();
    let settings = ProfilesSettings {
        path: "config/reports.toml".into(),
        default_template: "t.docx".into(),
        reload_every: Duration::ZERO,
        chart_colors: ChartColors::default(),
    };
    Renderer {
        _dir: dir,
        registry: ProfileRegistry::load(storage, settings).await.unwrap(),
    }
}

#[tokio::test]
async fn a_placeholder_split_across_three_formatted_runs_takes_the_first_runs_formatting() {
    let reports = reports_with(docx(DOCUMENT)).await;
    let xml = document_xml(
        &reports
            .render(&context(&[("Nivel", "Nivel 3"), ("Extra", "x")]))
            .await
            .unwrap(),
    );

    let first_paragraph = xml.split("</w:p>").next().unwrap();
    let runs: Vec<&str> = first_paragraph.split("<w:r>").skip(1).collect();
    let holder = runs
        .iter()
        .find(|r| r.contains("Nivel 3"))
        .expect("the value is in a run");
    assert!(holder.contains("<w:b/>"), "bold kept: {holder}");
    assert!(
        !holder.contains("<w:i/>") && !holder.contains("FF0000"),
        "later runs' formatting not applied: {holder}"
    );
    assert!(
        holder.contains("Nivel: Nivel 3"),
        "text before the marker stays in the run: {holder}"
    );
    assert!(
        !xml.contains("&lt;&lt;") && !xml.contains("&gt;&gt;"),
        "{xml}"
    );
    let tail = runs
        .iter()
        .find(|r| r.contains(" final"))
        .expect("text after the marker kept");
    assert!(
        tail.contains("FF0000"),
        "text after the marker keeps its own run's formatting: {tail}"
    );
}

#[tokio::test]
async fn an_unknown_placeholder_is_reported_not_left_in_the_document() {
    let reports = reports_with(docx(DOCUMENT)).await;
    match reports.render(&context(&[("Nivel", "Nivel 3")])).await {
        Err(ProfileError::UnknownPlaceholders { names, path, .. }) => {
            assert_eq!(names, vec!["Extra".to_string()]);
            assert_eq!(path, "t.docx");
        }
        other => panic!("expected UnknownPlaceholders, got {:?}", other.map(|_| ())),
    }
}

#[tokio::test]
async fn values_with_markup_characters_are_escaped() {
    let reports = reports_with(docx(DOCUMENT)).await;
    let xml = document_xml(
        &reports
            .render(&context(&[("Nivel", "<b>A & B</b>"), ("Extra", "")]))
            .await
            .unwrap(),
    );
    assert!(xml.contains("&lt;b&gt;A &amp; B&lt;/b&gt;"), "{xml}");
}
