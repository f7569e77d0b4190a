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

fn ctx(json: serde_json::Value) -> Context {
    Context::from_json(&json, std::path::Path::new(".")).expect("valid context")
}

#[test]
fn tag_split_across_runs_takes_first_run_formatting() {
    let body = format!(
        "<w:p>{}{}{}</w:p>",
        run("<w:b/>", "Hola {{ nom"),
        run("<w:i/>", "bre }"),
        run("<w:color w:val=\"00FF00\"/>", "}, bienvenida")
    );
    let xml = render_body(&body, &ctx(serde_json::json!({"nombre": "Ana"})));
    assert!(
        xml.contains("<w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">Hola Ana, bienvenida</w:t>"),
        "{xml}"
    );
}

#[test]
fn data_with_xml_characters_is_escaped_once() {
    let body = format!("<w:p>{}</w:p>", run("", "{{ a }}|{{ b|e }}|{{ c }}"));
    let xml = render_body(
        &body,
        &ctx(
            serde_json::json!({"a": "Física & <Química>", "b": "x < y & \"z\"", "c": "a &amp; b"}),
        ),
    );
    assert_eq!(
        text_of(&xml),
        "Física & <Química>|x < y & \"z\"|a &amp; b\n",
        "{xml}"
    );
}

#[test]
fn undefined_variables_print_empty_and_default_applies() {
    let body = format!(
        "<w:p>{}</w:p>",
        run(
            "",
            "[{{ missing }}][{{ missing|default('n/a') }}][{% if missing %}x{% endif %}]"
        )
    );
    let xml = render_body(&body, &Context::new());
    assert_eq!(text_of(&xml), "[][n/a][]\n");
}

fn table(rows: &str) -> String {
    format!("<w:tbl><w:tblGrid><w:gridCol w:w=\"3000\"/><w:gridCol w:w=\"3000\"/></w:tblGrid>{rows}</w:tbl>")
}

fn row(cells: &[&str]) -> String {
    let cells: String = cells
        .iter()
        .map(|c| format!("<w:tc><w:p>{}</w:p></w:tc>", run("", c)))
        .collect();
    format!("<w:tr>{cells}</w:tr>")
}

#[test]
fn row_loops_handle_empty_and_very_long_lists() {
    let body = table(&format!(
        "{}{}{}{}",
        row(&["Lección", "Estado"]),
        row(&["{%tr for l in lecciones %}", ""]),
        row(&["{{ l.nombre }}", "{{ l.estado }}"]),
        row(&["{%tr endfor %}", ""]),
    ));
    let tpl = Template::from_bytes(&docx(&body, None, None)).expect("opens");

    let empty = tpl
        .render(&ctx(serde_json::json!({"lecciones": []})))
        .expect("renders");
    let xml = part(&empty, "word/document.xml");
    assert_eq!(xml.matches("<w:tr>").count(), 1, "{xml}");

    let many: Vec<_> = (0..5000)
        .map(|i| serde_json::json!({"nombre": format!("L{i}"), "estado": "Reprobado"}))
        .collect();
    let out = tpl
        .render(&ctx(serde_json::json!({"lecciones": many})))
        .expect("renders");
    let xml = part(&out, "word/document.xml");
    assert_eq!(xml.matches("<w:tr>").count(), 5001);
    assert!(xml.contains("L4999"));
}

#[test]
fn tags_inside_text_boxes_are_rendered() {
    let body = format!(
        "<w:p><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wps:txbx><w:txbxContent><w:p>{}</w:p><w:p>{}</w:p><w:p>{}</w:p><w:p>{}</w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice></mc:AlternateContent></w:r></w:p>",
        run("", "Nivel {{ nivel }}"),
        run("", "{%p for a in areas %}"),
        run("", "{{ a }}"),
        run("", "{%p endfor %}"),
    );
    let xml = render_body(
        &body,
        &ctx(serde_json::json!({"nivel": 3, "areas": ["Álgebra", "Geometría"]})),
    );
    assert_eq!(text_of(&xml), "Nivel 3\nÁlgebra\nGeometría\n\n", "{xml}");
}

#[test]
fn control_characters_become_breaks_tabs_and_paragraphs() {
    let body = format!(
        "<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>{}</w:p>",
        run("<w:b/>", "{{ v }}")
    );
    let xml = render_body(&body, &ctx(serde_json::json!({"v": "a\nb\tc\u{7}d\u{c}e"})));
    assert_eq!(text_of(&xml), "a⏎b→c\nd\n⏎\ne\n", "{xml}");
    assert!(xml.contains("<w:br w:type=\"page\"/>"));
    // The new paragraphs keep the paragraph and run properties.
    assert_eq!(xml.matches("<w:jc w:val=\"center\"/>").count(), 3, "{xml}");
    assert!(xml.contains("<w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">e</w:t>"));
}

#[test]
fn syntax_errors_name_part_place_and_snippet() {
    let body = format!(
        "<w:p>{}</w:p><w:tbl><w:tr><w:tc><w:p>{}</w:p></w:tc></w:tr></w:tbl>",
        run("", "Bien {{ a }}"),
        run("", "Nota: {% if x %} sin cerrar")
    );
    let tpl = Template::from_bytes(&docx(&body, None, None)).expect("opens");
    let err = tpl.render(&Context::new()).expect_err("syntax error");
    let msg = err.to_string();
    assert!(msg.contains("part document"), "{msg}");
    assert!(msg.contains("table 1, row 1, cell 1"), "{msg}");
    assert!(msg.contains("Nota: {% if x %} sin cerrar"), "{msg}");
    assert!(matches!(err, docx_template::TemplateError::Syntax { .. }));

    let foot = format!("<w:p>{}</w:p>", run("", "Página {{ n + }}"));
    let tpl = Template::from_bytes(&docx("<w:p/>", None, Some(&foot))).expect("opens");
    let msg = tpl.check_syntax().expect_err("syntax error").to_string();
    assert!(
        msg.contains("part footer1") && msg.contains("paragraph 1"),
        "{msg}"
    );
}

#[test]
fn legacy_markers_and_jinja_in_the_same_document() {
    let body = format!(
        "<w:p>{}{}</w:p>",
        run("<w:b/>", "&lt;&lt;Nom"),
        run(
            "",
            "bre&gt;&gt; tiene {{ nota }} y &lt;&lt;Falta&gt;&gt; y &lt;&lt;Lista&gt;&gt;"
        )
    );
    let tpl = Template::from_bytes(&docx(&body, None, None)).expect("opens");
    let out = tpl
        .render_report(&ctx(
            serde_json::json!({"Nombre": "Ana & Bea", "nota": 6.5, "Lista": [1]}),
        ))
        .expect("renders");
    let xml = part(&out.docx, "word/document.xml");
    assert_eq!(
        text_of(&xml),
        "Ana & Bea tiene 6.5 y <<Falta>> y <<Lista>>\n"
    );
    assert!(
        xml.contains("<w:b/></w:rPr><w:t xml:space=\"preserve\">Ana &amp; Bea</w:t>"),
        "{xml}"
    );
    assert_eq!(
        out.unresolved,
        vec!["Falta".to_string(), "Lista".to_string()]
    );
}

#[test]
fn whitespace_control_joins_paragraphs() {
    let body = format!(
        "<w:p>{}</w:p><w:p>{}</w:p><w:p>{}</w:p>",
        run("", "Hola"),
        run("", "{%- if si %} mundo{% endif -%}"),
        run("", "!")
    );
    let xml = render_body(&body, &ctx(serde_json::json!({"si": true})));
    assert_eq!(text_of(&xml), "Hola mundo!\n", "{xml}");
}

#[test]
fn images_in_headers_get_their_own_relationship() {
    let png: &[u8] = include_bytes!("../benches/fixtures/chart.png");
    let head = format!("<w:p>{}</w:p>", run("", "Logo {{ chart }} fin"));
    let body = format!("<w:p>{}</w:p>", run("", "{{ chart }}"));
    let tpl = Template::from_bytes(&docx(&body, Some(&head), None)).expect("opens");
    let image = docx_template::InlineImage::png(png.to_vec())
        .expect("png")
        .width_mm(160.0);
    let out = tpl
        .render(&Context::new().with_image("chart", image))
        .expect("renders");
    let header = part(&out, "word/header1.xml");
    assert!(
        header.contains("<wp:extent cx=\"5760000\" cy=\"2880000\"/>"),
        "{header}"
    );
    let rels = part(&out, "word/_rels/header1.xml.rels");
    assert!(rels.contains("media/docx_tpl_image1.png"), "{rels}");
    let doc_rels = part(&out, "word/_rels/document.xml.rels");
    assert!(doc_rels.contains("media/docx_tpl_image1.png"), "{doc_rels}");
    assert_eq!(raw_entry(&out, "word/media/docx_tpl_image1.png"), png);
    let types = part(&out, "[Content_Types].xml");
    assert!(types.contains("Extension=\"png\""), "{types}");
    assert_eq!(text_of(&header), "Logo  fin\n");
}

#[test]
fn renders_concurrently_from_one_template() {
    let body = format!("<w:p>{}</w:p>", run("", "{{ n }}"));
    let tpl = std::sync::Arc::new(Template::from_bytes(&docx(&body, None, None)).expect("opens"));
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let tpl = tpl.clone();
            std::thread::spawn(move || {
                let out = tpl
                    .render(&Context::new().with_value("n", &i))
                    .expect("renders");
                text_of(&part(&out, "word/document.xml"))
            })
        })
        .collect();
    for (i, h) in handles.into_iter().enumerate() {
        assert_eq!(h.join().expect("thread"), format!("{i}\n"));
    }
}

#[test]
fn comment_tags_remove_their_paragraph_row_or_cell() {
    let body = format!(
        "<w:p>{}</w:p><w:p>{}</w:p>{}",
        run("", "antes {#p nota interna #} después"),
        run("", "visible {# comentario #}fin"),
        table(&format!(
            "{}{}",
            row(&["{#tr fila oculta #}", "x"]),
            row(&["a", "{#tc celda oculta #}"])
        ))
    );
    let xml = render_body(&body, &Context::new());
    assert_eq!(text_of(&xml), "visible fin\na\n", "{xml}");
    // The removed cell shrinks the grid to one column holding the whole width.
    assert!(
        xml.contains("<w:tblGrid><w:gridCol w:w=\"6000\"/></w:tblGrid>"),
        "{xml}"
    );
}

#[test]
fn error_snippets_are_centred_on_the_faulty_tag() {
    let long = format!(
        "{} {{{{ nota|round(\"x\") }}}} fin",
        "texto largo ".repeat(20)
    );
    let body = format!("<w:p>{}</w:p>", run("", &long));
    let tpl = Template::from_bytes(&docx(&body, None, None)).expect("opens");
    let err = tpl
        .render(&ctx(serde_json::json!({"nota": 5.5})))
        .expect_err("round needs a number");
    let docx_template::TemplateError::Render { location, .. } = &err else {
        panic!("render error expected: {err:?}");
    };
    assert!(location.snippet.contains("round"), "{err}");
    assert!(location.snippet.chars().count() <= 62, "{err}");
}

#[test]
fn escaped_delimiters_print_literally_even_without_tags() {
    let body = format!(
        "<w:p>{}</w:p>",
        run("", "Escriba {_{ nombre }_} o {_% if %_}")
    );
    let xml = render_body(&body, &Context::new());
    assert_eq!(text_of(&xml), "Escriba {{ nombre }} o {% if %}\n", "{xml}");
}

#[test]
fn plain_strings_given_to_rich_tags_still_land_in_runs_and_paragraphs() {
    let body = format!(
        "<w:p>{}</w:p><w:p>{}</w:p>",
        run("", "a {{r s }} b"),
        run("", "{{p s }}")
    );
    let xml = render_body(&body, &ctx(serde_json::json!({"s": "texto & más"})));
    assert_eq!(text_of(&xml), "a texto & más b\ntexto & más\n", "{xml}");
    assert!(!xml.contains("<w:body>texto"), "{xml}");
    assert!(
        xml.contains("<w:p><w:r><w:t xml:space=\"preserve\">texto &amp; más</w:t></w:r></w:p>"),
        "{xml}"
    );
}
