//! Endnotes and comments are rendered like the body. The shared docxtpl checker does not
//! compare those parts, so this reads them from the `docxtpl_extra/endnotes_comments` case.

mod common;

use common::{part, text_of};
use docx_template::{Context, Template};
use std::path::Path;

fn render_case(name: &str) -> (Vec<u8>, Vec<u8>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/docxtpl_extra")
        .join(name);
    let template =
        Template::from_bytes(&std::fs::read(dir.join("template.docx")).expect("template"))
            .expect("template opens");
    let ctx = Context::from_json_file(&dir.join("context.json")).expect("context");
    let expected = std::fs::read(dir.join("expected.docx")).expect("expected");
    (template.render(&ctx).expect("renders"), expected)
}

#[test]
fn endnotes_and_comments_print_their_tags_as_docxtpl_would_in_footnotes() {
    let (out, expected) = render_case("endnotes_comments");
    for name in ["word/endnotes.xml", "word/comments.xml"] {
        let got = text_of(&part(&out, name));
        assert_eq!(got, text_of(&part(&expected, name)), "{name}");
        assert!(!got.contains('{'), "{name} still holds a tag: {got}");
    }
    assert!(text_of(&part(&out, "word/comments.xml")).contains("Revisar ANA & BEA (aprobado)"));
    assert!(text_of(&part(&out, "word/endnotes.xml")).contains("62.5 %"));
}

#[test]
fn an_error_in_an_endnote_names_the_endnotes_part() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/docxtpl_extra/endnote_error");
    let template =
        Template::from_bytes(&std::fs::read(dir.join("template.docx")).expect("template"))
            .expect("template opens");
    let err = template
        .render(&Context::new())
        .expect_err("x.y.z is undefined");
    assert!(err.to_string().contains("endnotes"), "{err}");
}
