mod common;

use common::*;
use docx_template::{Context, RichText, Segment, Template};

fn render_body(body: &str, ctx: &Context) -> String {
    let tpl = Template::from_bytes(&docx(body, None, None)).expect("template opens");
    let out = tpl.render(ctx).expect("renders");
    part(&out, "word/document.xml")
}

#[test]
fn rich_text_object_is_truthy_and_printed_as_runs() {
    let ctx = Context::new().with_rich_text(
        "alerta",
        RichText::new().push(Segment::new("Crítico").bold().color("FF0000")),
    );
    let body = format!(
        "<w:p>{}</w:p>",
        run("<w:i/>", "{%r if alerta %}{{r alerta }}{%r endif %}")
    );
    let xml = render_body(&body, &ctx);
    assert!(
        xml.contains("<w:r><w:rPr><w:b/><w:color w:val=\"FF0000\"/></w:rPr><w:t xml:space=\"preserve\">Crítico</w:t></w:r>"),
        "{xml}"
    );
}

#[test]
fn json_markers_become_rich_values() {
    let json =
        serde_json::json!({"foobar": {"$richtext": [{"text": "Foobar!", "color": "ff0000"}]}});
    let ctx = Context::from_json(&json, std::path::Path::new(".")).expect("valid context");
    let body = format!(
        "<w:p>{}</w:p>",
        run("", "{%r if foobar %} {{r foobar }}COUCOU{%r endif %}")
    );
    let xml = render_body(&body, &ctx);
    assert_eq!(text_of(&xml), " Foobar!COUCOU\n", "{xml}");
}
