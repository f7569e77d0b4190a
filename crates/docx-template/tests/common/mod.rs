//! Builds small .docx packages in memory and reads parts back, so tests state their input
//! XML explicitly instead of depending on binary fixtures.
#![allow(dead_code)]

use std::io::{Cursor, Read, Write};

pub const W_NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape""#;

pub fn document(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W_NS}><w:body>{body}<w:sectPr/></w:body></w:document>"#
    )
}

pub fn header(tag: &str, content: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{tag} {W_NS}>{content}</w:{tag}>"#
    )
}

/// A package with the given body and optional header1/footer1 content.
pub fn docx(body: &str, head: Option<&str>, foot: Option<&str>) -> Vec<u8> {
    let mut files: Vec<(String, String)> = vec![
        (
            "[Content_Types].xml".into(),
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#.into(),
        ),
        (
            "_rels/.rels".into(),
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#.into(),
        ),
        ("word/document.xml".into(), document(body)),
        ("word/styles.xml".into(), "<w:styles/>".into()),
    ];
    if let Some(h) = head {
        files.push(("word/header1.xml".into(), header("hdr", h)));
    }
    if let Some(f) = foot {
        files.push(("word/footer1.xml".into(), header("ftr", f)));
    }
    zip_files(&files)
}

pub fn zip_files(files: &[(String, String)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, content) in files {
        w.start_file(name.as_str(), opts).expect("zip entry");
        w.write_all(content.as_bytes()).expect("zip write");
    }
    w.finish().expect("zip finish").into_inner()
}

pub fn part(docx: &[u8], name: &str) -> String {
    let mut a = zip::ZipArchive::new(Cursor::new(docx)).expect("output is a zip");
    let mut f = a.by_name(name).expect("part present");
    let mut s = String::new();
    f.read_to_string(&mut s).expect("utf-8 part");
    s
}

pub fn raw_entry(docx: &[u8], name: &str) -> Vec<u8> {
    let mut a = zip::ZipArchive::new(Cursor::new(docx)).expect("zip");
    let mut f = a.by_name(name).expect("part present");
    let mut v = Vec::new();
    f.read_to_end(&mut v).expect("read");
    v
}

pub fn run(rpr: &str, text: &str) -> String {
    format!("<w:r><w:rPr>{rpr}</w:rPr><w:t xml:space=\"preserve\">{text}</w:t></w:r>")
}

/// Visible text of a part, paragraphs separated by newlines.
pub fn text_of(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(i) = rest.find('<') {
        let j = match rest[i..].find('>') {
            Some(j) => i + j,
            None => break,
        };
        let tag = &rest[i + 1..j];
        let name = tag.split([' ', '/']).next().unwrap_or("");
        if tag == "/w:p" {
            out.push('\n');
        } else if name == "w:br" {
            out.push('⏎');
        } else if name == "w:tab" {
            out.push('→');
        }
        rest = &rest[j + 1..];
        if name == "w:t" && !tag.ends_with('/') {
            if let Some(k) = rest.find("</w:t>") {
                out.push_str(&unescape(&rest[..k]));
                rest = &rest[k..];
            }
        }
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}
