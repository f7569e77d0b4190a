//! The words a Word document shows, read from its XML, to check that every
//! one of them reaches the PDF.

use std::io::Read;

/// Words of the body, headers and footers, in document order. Runs of a
/// paragraph are joined before splitting, since Word splits words across
/// runs at formatting changes.
pub fn docx_words(docx: &[u8]) -> Vec<String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("docx is a zip");
    let mut parts: Vec<String> = archive
        .file_names()
        .map(|n| n.expect("entry name").into_owned())
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

/// Text of `<w:t>` elements (not deleted text or field instructions), with
/// tabs and breaks as spaces.
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
pub fn missing_words<'a>(words: &'a [String], pdf_text: &str) -> Vec<&'a str> {
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
