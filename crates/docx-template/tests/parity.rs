//! docxtpl behaviours that only show at the edges of Word's XML: what a `{%-` join keeps,
//! which plain `w:t` become `preserve`, what Word stores inside a tag, and Unicode spaces in
//! tags. The docxtpl-made cases in `docxtpl_extra/` check the same against docxtpl itself.

mod common;

use common::*;
use docx_template::{Context, Template};

fn render(body: &str, json: serde_json::Value) -> String {
    let tpl = Template::from_bytes(&docx(body, None, None)).expect("template opens");
    let ctx = Context::from_serialize(&json).expect("context");
    part(&tpl.render(&ctx).expect("renders"), "word/document.xml")
}

fn plain(text: &str) -> String {
    format!("<w:r><w:t>{text}</w:t></w:r>")
}

#[test]
fn a_join_removes_its_dash_so_the_joined_text_keeps_every_space() {
    let body = format!(
        "<w:p>{}</w:p><w:p>{}</w:p><w:p>{}</w:p><w:p>{}</w:p>",
        run("", "Texto\u{a0}\u{3000} "),
        run("", "{%- if x %}\u{2003}dentro"),
        run("", "{%- endif -%}"),
        run("", "\u{205f} fin")
    );
    let xml = render(&body, serde_json::json!({"x": true}));
    assert_eq!(
        text_of(&xml),
        "Texto\u{a0}\u{3000} \u{2003}dentro\u{205f} fin\n",
        "{xml}"
    );
}

#[test]
fn a_dash_that_joins_nothing_strips_unicode_spaces_as_python_does() {
    let body = format!(
        "<w:p>{}</w:p>",
        run("", "a\u{a0}\u{2009} {{- y -}}\u{3000}\u{202f}b")
    );
    let xml = render(&body, serde_json::json!({"y": "Y"}));
    assert_eq!(text_of(&xml), "aYb\n", "{xml}");
}

#[test]
fn a_plain_text_that_a_tag_follows_keeps_its_leading_space() {
    // A `w:t` without xml:space, as some generators write; the tag is in the next cell.
    let cells = format!(
        "<w:tc><w:p>{}</w:p></w:tc><w:tc><w:p>{}</w:p></w:tc><w:tc><w:p>{}</w:p></w:tc>",
        plain(" uno"),
        run("", "{{ a }} "),
        plain(" tres")
    );
    let xml = render(
        &format!("<w:tbl><w:tr>{cells}</w:tr></w:tbl>"),
        serde_json::json!({"a": "A"}),
    );
    assert!(
        xml.contains(r#"<w:t xml:space="preserve"> uno</w:t>"#),
        "{xml}"
    );
    assert!(xml.contains("<w:t> tres</w:t>"), "no tag follows it: {xml}");
}

#[test]
fn a_tab_word_keeps_inside_a_tag_goes_with_the_tag_markup() {
    let body =
        r#"<w:p><w:r><w:t>{{ "g</w:t><w:tab/><w:t>h" }}</w:t><w:tab/><w:t>fin</w:t></w:r></w:p>"#;
    let xml = render(body, serde_json::json!({}));
    assert_eq!(text_of(&xml), "gh→fin\n", "{xml}");
}

#[test]
fn no_break_spaces_between_the_words_of_a_tag_read_as_spaces() {
    let body = format!(
        "<w:p>{}</w:p>",
        run(
            "",
            "{%\u{a0}if\u{a0}x\u{a0}%}sí{%\u{a0}endif\u{a0}%}|{{\u{3000}\"n\u{a0}b\"\u{2003}}}"
        )
    );
    let xml = render(&body, serde_json::json!({"x": true}));
    assert_eq!(text_of(&xml), "sí|n\u{a0}b\n", "{xml}");
}
