//! The operator's tools catch what a person would: the school's Word drafts given as
//! templates (no tag, spec text such as `NOMBRE UNIDAD 1`) and the placeholder rows of the
//! ensayo bank are reported by `template validate`, `config check` and `preview`, while the
//! shipped templates and filled banks pass without a warning.

use crate::helpers::{fixture, repo_root, spawn_app_with, Setup, TestApp};

const DRAFTS_TOML: &str = r#"
[[profile]]
preset = "examen_de_eje"
template = "templates/template examen.docx"
route = { titles = ["M30M2-EXAMEN DE EJE 1-DATA"] }

[[profile]]
preset = "ensayo"
template = "templates/template ensayos.docx"
route = { titles = ["M30M2-ENSAYO 1-DATA"] }
"#;

const SHIPPED_TOML: &str = r#"
[[profile]]
preset = "examen_de_eje"
route = { titles = ["M30M2-EXAMEN DE EJE 1-DATA"] }

[[profile]]
preset = "test_de_eje"
route = { titles = ["M30M2-TEST DE EJE 1-DATA"] }
"#;

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(fixture(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

async fn app_with(reports: &str) -> TestApp {
    let mut files = vec![(
        "config/reports.toml".to_string(),
        reports.as_bytes().to_vec(),
    )];
    for bank in [
        "M30M2-EXAMEN DE EJE 1-DATA.xlsx",
        "M30M2-ENSAYO 1-DATA.xlsx",
        "M30M2-TEST DE EJE 1-DATA.xlsx",
    ] {
        files.push((format!("data/banks/{bank}"), read(&format!("banks/{bank}"))));
    }
    for draft in ["template examen.docx", "template ensayos.docx"] {
        files.push((
            format!("templates/{draft}"),
            read(&format!("templates/{draft}")),
        ));
    }
    spawn_app_with(Setup {
        files,
        ..Default::default()
    })
    .await
}

fn run(app: &TestApp, args: &[&str]) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_webhook-service"))
        .args(args)
        .env("DATA_DIR", app.data(""))
        .env("ALLOW_UNSIGNED_WEBHOOKS", "true")
        .env("RUST_LOG", "off")
        .output()
        .expect("the service binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

fn warnings(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.contains("WARNING") || l.starts_with("warning:"))
        .collect()
}

#[tokio::test]
async fn template_validate_warns_about_the_school_drafts_and_not_about_the_shipped_templates() {
    let app = app_with(SHIPPED_TOML).await;
    let examen = fixture("templates/template examen.docx");
    let (code, text) = run(&app, &["template", "validate", examen.to_str().unwrap()]);
    assert_eq!(code, Some(0), "warnings are not errors: {text}");
    for expected in [
        "has no tag",
        "\"NOMBRE UNIDAD 1\"",
        "\"{Sólido, En desarrollo, Riesgo}\" (4 times)",
        "\"{RS,RD,RR}\"",
        "parentheses and capitals, not filled by a tag: \"(PORCENTAJE DOMINIO POR UNIDAD)\"",
        "table 1, row 2, cell 1",
        "result: ok, 8 warning(s)",
    ] {
        assert!(text.contains(expected), "{expected}\n{text}");
    }
    let ensayos = fixture("templates/template ensayos.docx");
    let (_, text) = run(&app, &["template", "validate", ensayos.to_str().unwrap()]);
    assert!(
        text.contains("has no tag") && text.contains("\"X/NT\""),
        "{text}"
    );

    let shipped = repo_root().join("templates");
    for entry in std::fs::read_dir(&shipped).unwrap().flatten() {
        let path = entry.path();
        let (_, text) = run(&app, &["template", "validate", path.to_str().unwrap()]);
        assert!(warnings(&text).is_empty(), "{}: {text}", path.display());
    }
}

#[tokio::test]
async fn config_check_warns_about_draft_templates_and_bank_cells_that_repeat_their_header() {
    let app = app_with(DRAFTS_TOML).await;
    let (_, text) = run(&app, &["config", "check"]);
    let found = warnings(&text);
    for expected in [
        "WARNING   template templates/template examen.docx: the template has no tag",
        "\"NOMBRE UNIDAD 1\"",
        "\"(PORCENTAJE DOMINIO POR UNIDAD)\"",
        "WARNING   template templates/template ensayos.docx: the template has no tag",
        "column unidad holds its own name 'UNIDAD' in rows 2–56",
        "column habilidad holds its own name 'HABILIDAD'",
    ] {
        assert!(
            found.iter().any(|l| l.contains(expected)),
            "{expected}\n{text}"
        );
    }
    let summary = text.lines().last().unwrap_or_default();
    assert!(
        summary.ends_with(&format!(", {} warning(s)", found.len())),
        "the summary counts the warnings it printed: {text}"
    );

    let shipped = app_with(SHIPPED_TOML).await;
    let (code, text) = run(&shipped, &["config", "check"]);
    assert!(warnings(&text).is_empty(), "{text}");
    assert_eq!(code, Some(0), "{text}");
}

#[tokio::test]
async fn preview_prints_the_warnings_before_the_report() {
    let app = app_with(DRAFTS_TOML).await;
    let responses = fixture("api/assessment_responses.json");
    let out = app.data("preview.docx");
    let (code, text) = run(
        &app,
        &[
            "preview",
            "--profile",
            "examen_de_eje",
            "--responses",
            responses.to_str().unwrap(),
            "--user",
            "camila.rojas@example.com",
            "--assessment",
            "M30M2-EXAMEN DE EJE 1-DATA",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(0), "{text}");
    let found = warnings(&text);
    assert!(
        found.iter().any(|l| l.contains("has no tag"))
            && found.iter().any(|l| l.contains("\"NOMBRE UNIDAD 4\"")),
        "{text}"
    );
    let written = text.find("report written").expect("the report is written");
    assert!(text.find("warning:").is_some_and(|w| w < written), "{text}");
}

#[tokio::test]
async fn config_check_reports_a_profile_nothing_routes_to_as_unreachable_and_counts_what_it_reports(
) {
    // ensayo routes spreadsheet rows of type ENSAYO, and there is no spreadsheet: it must not
    // be tried against the test-de-eje banks of the shared folder. examen_de_eje has an error.
    let app = app_with(
        r#"
[[profile]]
preset = "test_de_eje"
route = { titles = ["M30M2-TEST DE EJE 1-DATA"] }

[[profile]]
preset = "ensayo"

[[profile]]
preset = "examen_de_eje"
template = "templates/no such template.docx"
route = { titles = ["M30M2-EXAMEN DE EJE 1-DATA"] }
"#,
    )
    .await;
    let (code, text) = run(&app, &["config", "check"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("WARNING") && l.contains("profile ensayo is unreachable")),
        "{text}"
    );
    assert!(
        !text.contains("conversion table"),
        "ensayo was checked against banks no route names: {text}"
    );
    let errors = text.lines().filter(|l| l.starts_with("ERROR")).count();
    assert!(
        errors >= 1 && text.contains("no such template.docx"),
        "{text}"
    );
    let first = text.lines().next().unwrap_or_default();
    assert!(
        first.contains("2 usable, 1 with errors, 0 broken, 1 unreachable"),
        "the summary agrees with the errors below it: {text}"
    );
    assert!(
        text.lines()
            .last()
            .unwrap_or_default()
            .starts_with(&format!("{errors} error(s)")),
        "{text}"
    );
}
