//! Hostile templates must give errors, never panics or unbounded memory.
//!
//! The first byte picks the mode: odd → the rest is the whole .docx (corrupt zips, zip
//! bombs, odd entries); even → the rest is `word/document.xml` of an otherwise valid package
//! (deep nesting, broken tags, Jinja that loops or errors), which random zips rarely reach.
#![no_main]

use docx_template::{Context, JinjaOptions, Template, TemplateOptions};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::io::{Cursor, Write};

fn package(document: &[u8]) -> Option<Vec<u8>> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    w.start_file("word/document.xml", opts).ok()?;
    w.write_all(document).ok()?;
    w.start_file("word/header1.xml", opts).ok()?;
    w.write_all(document).ok()?;
    Some(w.finish().ok()?.into_inner())
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let bytes = if mode % 2 == 1 {
        rest.to_vec()
    } else {
        match package(rest) {
            Some(b) => b,
            None => return,
        }
    };
    let options = TemplateOptions {
        jinja: JinjaOptions {
            test_helpers: true,
            // Small budget: a template that loops for long is an error here, not a hang.
            fuel: 200_000,
        },
        ..TemplateOptions::default()
    };
    let Ok(tpl) = Template::from_bytes_with(&bytes, options) else {
        return;
    };
    let mut values = BTreeMap::new();
    for p in tpl.legacy_placeholders() {
        values.insert(p.name.clone(), format!("<{}> & \u{7}", p.name));
    }
    let _ = tpl.render_legacy(&values);
    let _ = tpl.variables();
    let ctx = Context::new()
        .with_value("name", &"Ana & <Bea>\n\t\u{7}\u{c}")
        .with_value("items", &vec![1, 2, 3])
        .with_value("flag", &true);
    let _ = tpl.render(&ctx);
});
