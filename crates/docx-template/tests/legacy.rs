mod common;

use common::*;
use docx_template::{Template, TemplateError};
use std::collections::BTreeMap;

fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn split_placeholder_takes_first_run_formatting() {
    let body = format!(
        "<w:p>{}{}{}</w:p>",
        run("<w:b/>", "Hola &lt;&lt;Nom"),
        run("<w:i/>", "bre&gt;"),
        run("<w:color w:val=\"FF0000\"/>", "&gt;, bienvenida")
    );
    let tpl = Template::from_bytes(&docx(&body, None, None)).expect("template opens");
    let out = tpl
        .render_legacy(&values(&[("Nombre", "Ana")]))
        .expect("renders");
    let xml = part(&out.docx, "word/document.xml");
    // The value sits in the bold run, right after the text before the marker.
    assert!(
        xml.contains("<w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">Hola Ana</w:t>"),
        "{xml}"
    );
    // The italic run lost its characters; the red run keeps the text after `>>`.
    assert!(
        xml.contains("<w:rPr><w:i/></w:rPr><w:t xml:space=\"preserve\"/>"),
        "{xml}"
    );
    assert!(
        xml.contains(
            "<w:color w:val=\"FF0000\"/></w:rPr><w:t xml:space=\"preserve\">, bienvenida</w:t>"
        ),
        "{xml}"
    );
    assert_eq!(text_of(&xml), "Hola Ana, bienvenida\n");
    assert!(out.unresolved.is_empty());
}

#[test]
fn placeholders_in_tables_headers_and_footers_are_listed_and_replaced() {
    let body = format!(
        "<w:p>{}</w:p><w:tbl><w:tr><w:tc><w:p>{}{}</w:p></w:tc><w:tc><w:p>{}</w:p></w:tc></w:tr></w:tbl>",
        run("", "Alumno: &lt;&lt;Nombre&gt;&gt;"),
        run("", "&lt;&lt;T"),
        run("<w:b/>", "1&gt;&gt;"),
        run("", "&lt;&lt;PD%&gt;&gt; y &lt;&lt;Nombre&gt;&gt;"),
    );
    let head = format!("<w:p>{}</w:p>", run("", "Informe &lt;&lt;Prueba&gt;&gt;"));
    let foot = format!("<w:p>{}</w:p>", run("", "Nivel &lt;&lt;Nivel&gt;&gt;"));
    let tpl = Template::from_bytes(&docx(&body, Some(&head), Some(&foot))).expect("opens");
    let found: Vec<(String, String)> = tpl
        .legacy_placeholders()
        .into_iter()
        .map(|p| (p.name, p.part))
        .collect();
    let expect = |n: &str, p: &str| (n.to_string(), p.to_string());
    assert_eq!(
        found,
        vec![
            expect("Nombre", "document"),
            expect("T1", "document"),
            expect("PD%", "document"),
            expect("Prueba", "header1"),
            expect("Nivel", "footer1"),
        ]
    );
    let out = tpl
        .render_legacy(&values(&[
            ("Nombre", "Ana"),
            ("T1", "Aprobado"),
            ("PD%", "87,50%"),
            ("Prueba", "Diagnóstico"),
            ("Nivel", "Nivel 3"),
        ]))
        .expect("renders");
    assert_eq!(
        text_of(&part(&out.docx, "word/document.xml")),
        "Alumno: Ana\nAprobado\n87,50% y Ana\n"
    );
    assert_eq!(
        text_of(&part(&out.docx, "word/header1.xml")),
        "Informe Diagnóstico\n"
    );
    assert_eq!(
        text_of(&part(&out.docx, "word/footer1.xml")),
        "Nivel Nivel 3\n"
    );
}

#[test]
fn values_are_escaped() {
    let body = format!("<w:p>{}</w:p>", run("", "&lt;&lt;Curso&gt;&gt;"));
    let tpl = Template::from_bytes(&docx(&body, None, None)).expect("opens");
    let out = tpl
        .render_legacy(&values(&[("Curso", "Física & <Química> \"A\"")]))
        .expect("renders");
    let xml = part(&out.docx, "word/document.xml");
    assert!(xml.contains("Física &amp; &lt;Química&gt; \"A\""), "{xml}");
    assert_eq!(text_of(&xml), "Física & <Química> \"A\"\n");
}

#[test]
fn unresolved_names_stay_and_are_reported_once_in_order() {
    let body = format!(
        "<w:p>{}</w:p><w:p>{}</w:p>",
        run(
            "",
            "&lt;&lt;Zeta&gt;&gt; &lt;&lt;Nombre&gt;&gt; &lt;&lt;Alfa&gt;&gt;"
        ),
        run(
            "",
            "&lt;&lt;Zeta&gt;&gt; &lt;&lt; y &gt;&gt; 3 &lt; 4, 5 &gt; 2"
        ),
    );
    let tpl = Template::from_bytes(&docx(&body, None, None)).expect("opens");
    let out = tpl
        .render_legacy(&values(&[("Nombre", "Ana")]))
        .expect("renders");
    assert_eq!(out.unresolved, vec!["Zeta".to_string(), "Alfa".to_string()]);
    assert_eq!(
        text_of(&part(&out.docx, "word/document.xml")),
        "<<Zeta>> Ana <<Alfa>>\n<<Zeta>> << y >> 3 < 4, 5 > 2\n"
    );
}

#[test]
fn parts_without_placeholders_are_copied_byte_for_byte() {
    let body = format!("<w:p>{}</w:p>", run("", "&lt;&lt;A&gt;&gt;"));
    let head = format!("<w:p>{}</w:p>", run("", "sin marcas"));
    let input = docx(&body, Some(&head), None);
    let tpl = Template::from_bytes(&input).expect("opens");
    let out = tpl.render_legacy(&values(&[("A", "x")])).expect("renders");
    for name in ["word/header1.xml", "word/styles.xml", "_rels/.rels"] {
        assert_eq!(
            raw_entry(&out.docx, name),
            raw_entry(&input, name),
            "{name}"
        );
    }
}

#[test]
fn placeholders_inside_text_boxes_are_found() {
    let body = format!(
        "<w:p><w:r><w:drawing><wps:txbx><w:txbxContent><w:p>{}</w:p></w:txbxContent></wps:txbx></w:drawing></w:r>{}</w:p>",
        run("", "Caja &lt;&lt;Nivel&gt;&gt;"),
        run("", "fuera &lt;&lt;Nombre&gt;&gt;")
    );
    let tpl = Template::from_bytes(&docx(&body, None, None)).expect("opens");
    let names: Vec<String> = tpl
        .legacy_placeholders()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, vec!["Nombre".to_string(), "Nivel".to_string()]);
    let out = tpl
        .render_legacy(&values(&[("Nombre", "Ana"), ("Nivel", "3")]))
        .expect("renders");
    let xml = part(&out.docx, "word/document.xml");
    assert!(xml.contains("Caja 3") && xml.contains("fuera Ana"), "{xml}");
}

#[test]
fn corrupt_input_gives_clear_errors() {
    let err = Template::from_bytes(b"this is not a zip").expect_err("must fail");
    assert!(matches!(err, TemplateError::NotZip(_)), "{err:?}");
    assert!(err.to_string().contains("not a .docx"), "{err}");

    let mut truncated = docx("<w:p/>", None, None);
    truncated.truncate(truncated.len() / 2);
    assert!(Template::from_bytes(&truncated).is_err());

    let no_doc = zip_files(&[("hello.txt".into(), "hi".into())]);
    let err = Template::from_bytes(&no_doc).expect_err("must fail");
    assert!(matches!(err, TemplateError::NotDocx(_)), "{err:?}");

    let broken = zip_files(&[("word/document.xml".into(), "<w:document><w:body>".into())]);
    let err = Template::from_bytes(&broken).expect_err("must fail");
    assert!(
        matches!(err, TemplateError::Xml { ref part, .. } if part == "document"),
        "{err:?}"
    );
}

#[test]
fn parts_with_a_byte_order_mark_are_read() {
    let body = format!(
        "\u{feff}{}",
        document(&format!("<w:p>{}</w:p>", run("", "&lt;&lt;A&gt;&gt;")))
    );
    let files = vec![("word/document.xml".to_string(), body)];
    let tpl = Template::from_bytes(&zip_files(&files)).expect("opens");
    assert_eq!(tpl.legacy_placeholders().len(), 1);
}
