mod common;

use common::*;
use docx_template::cli::validate_file;

fn write_tmp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("docx-template-validate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

#[test]
fn reports_variables_undefined_names_and_legacy_markers() {
    let body = format!(
        "<w:p>{}</w:p><w:p>{}</w:p><w:p>{}</w:p><w:p>{}</w:p>",
        run("", "{{ alumno.nombre }} {{ nivel }}"),
        run("", "{%p for l in lecciones %}"),
        run("", "{{ l }} {{ extra }}"),
        run("", "{%p endfor %} &lt;&lt;Curso&gt;&gt;")
    );
    let path = write_tmp("ok.docx", &docx(&body, None, None));
    let ctx = serde_json::json!({"alumno": {"nombre": "Ana"}, "lecciones": ["L1"]});
    let report = validate_file(&path, Some(&ctx));
    assert!(report.is_ok(), "{report}");
    assert_eq!(
        report.variables,
        vec!["alumno", "extra", "lecciones", "nivel"]
    );
    assert_eq!(report.undefined, vec!["extra", "nivel"]);
    assert_eq!(report.unresolved_legacy, vec!["Curso"]);
    let text = report.to_string();
    assert!(
        text.contains("<<Curso>> (document)") && text.contains("result: ok"),
        "{text}"
    );
}

#[test]
fn reports_syntax_errors_with_their_place() {
    let body = format!(
        "<w:p>{}</w:p><w:p>{}</w:p>",
        run("", "Hola"),
        run("", "{% endif %}")
    );
    let path = write_tmp("bad.docx", &docx(&body, None, None));
    let report = validate_file(&path, None);
    assert!(!report.is_ok());
    let text = report.to_string();
    assert!(text.contains("part document, paragraph 2"), "{text}");
    assert!(text.contains("endif"), "{text}");

    let missing = validate_file(std::path::Path::new("/nonexistent/t.docx"), None);
    assert!(!missing.is_ok());
}
