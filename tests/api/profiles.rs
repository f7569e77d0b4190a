//! Report types from configuration: a routing spreadsheet sends two assessments of one
//! student to two profiles, and the student gets two different reports.

use std::io::Write;

use serde_json::{json, Value};

use crate::helpers::{automation_body, fixture, pdf_text, spawn_app_with, Setup, TestApp};
use crate::mail;

const EJE_ID: &str = "69a20626a374a7e792002887";
const EXAMEN_ID: &str = "69a20626a374a7e792002888";
const REJECTED_ID: &str = "69a20626a374a7e792002889";

/// A minimal .xlsx with one sheet of text cells, as the school's routing spreadsheet.
fn xlsx(rows: &[[&str; 2]]) -> Vec<u8> {
    let cell = |r: usize, c: &str, text: &str| {
        format!(r#"<c r="{c}{r}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>"#)
    };
    let sheet_rows: String = rows
        .iter()
        .enumerate()
        .map(|(i, [a, b])| {
            format!(
                r#"<row r="{}">{}{}</row>"#,
                i + 1,
                cell(i + 1, "A", a),
                cell(i + 1, "B", b)
            )
        })
        .collect();
    let parts = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string()),
        ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Hoja 1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string()),
        ("xl/worksheets/sheet1.xml", format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_rows}</sheetData></worksheet>"#)),
    ];
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    for (name, body) in parts {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

pub(crate) const REPORTS_TOML: &str = r#"
[routing]
spreadsheet = "config/ids.xlsx"

[[profile]]
preset = "test_de_eje"

[[profile]]
preset = "examen_de_eje"
"#;

pub(crate) fn profile_files() -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        (
            "config/reports.toml".to_string(),
            REPORTS_TOML.as_bytes().to_vec(),
        ),
        (
            "config/ids.xlsx".to_string(),
            xlsx(&[
                ["M30M2-TEST DE EJE 1-DATA", EJE_ID],
                ["m30m2 - Examen de Eje 1 - DATA", EXAMEN_ID],
                ["M30M2-ENSAYO 1-DATA", REJECTED_ID],
            ]),
        ),
    ];
    for bank in [
        "M30M2-TEST DE EJE 1-DATA.xlsx",
        "M30M2-EXAMEN DE EJE 1-DATA.xlsx",
    ] {
        files.push((
            format!("data/banks/{bank}"),
            std::fs::read(fixture(&format!("banks/{bank}"))).unwrap(),
        ));
    }
    files
}

pub(crate) async fn spawn() -> TestApp {
    spawn_app_with(Setup {
        files: profile_files(),
        ..Default::default()
    })
    .await
}

/// The fixture student's webhook for another assessment (and submission).
fn webhook(unit: &str, title: &str, submission: &str) -> String {
    let mut event: Value = serde_json::from_str(&automation_body()).unwrap();
    event["assessment"]["title"] = json!(title);
    event["assessment"]["url"] = json!(format!(
        "https://academia.example.com/path-player?courseid=m30m2&unit={unit}"
    ));
    event["submission"]["id"] = json!(submission);
    event.to_string()
}

/// Serves, for `unit`, the fixture student's newest answers under another submission id.
fn serve(app: &TestApp, unit: &str, submission: &str) {
    let mut sub = crate::expected::responses()["data"][0].clone();
    sub["id"] = json!(submission);
    app.lw
        .state
        .by_unit
        .lock()
        .unwrap()
        .insert(unit.to_string(), vec![sub]);
}

#[tokio::test]
async fn two_assessments_routed_by_the_spreadsheet_give_the_student_two_different_reports() {
    let app = spawn().await;
    app.lw.serve_users();
    serve(&app, EJE_ID, "7750c1d2e3f4a5b6c7d8e9f1");
    serve(&app, EXAMEN_ID, "7750c1d2e3f4a5b6c7d8e9f2");
    for (unit, title, sub) in [
        (EJE_ID, "Test de Eje 1", "7750c1d2e3f4a5b6c7d8e9f1"),
        (EXAMEN_ID, "Examen de Eje 1", "7750c1d2e3f4a5b6c7d8e9f2"),
    ] {
        let r = app.post_signed(webhook(unit, title, sub)).await;
        assert_eq!(
            r.status().as_u16(),
            202,
            "{title}: {}",
            r.text().await.unwrap()
        );
    }
    assert_eq!(app.drain().await, 2);

    let received = app.smtp.received();
    assert_eq!(received.len(), 2, "one email per report type");
    let mut mails: Vec<mail::Mail> = received.iter().map(|m| mail::parse(&m.raw)).collect();
    mails.sort_by(|a, b| a.subject.cmp(&b.subject));
    // Named as LearnWorlds' user record names her, looked up once for both reports.
    for m in &mails {
        assert_eq!(m.to, "\"Camila Rojas\" <camila.rojas@example.com>");
    }
    assert!(mails.iter().all(|m| m.text.contains("Hola Camila Rojas")));
    assert_eq!(
        app.lw
            .state
            .user_requests
            .load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    let (plan, examen) = (&mails[0], &mails[1]);
    assert_eq!(plan.subject, "Tu plan de estudio personalizado");
    assert_eq!(examen.subject, "Tu reporte Examen de Eje");
    // Named as the student would call the assessment: no codes, no address.
    assert_eq!(
        plan.pdf().filename,
        "Informe Test de eje 1 - Matemática M2.pdf"
    );
    assert!(app
        .data("data/webhook_reports/test_de_eje/informe_test_de_eje_M30M2-TEST_DE_EJE_1-DATA_camila.rojas_example.com.pdf")
        .exists());
    assert!(plan.text.contains("14,5 horas"), "{}", plan.text);

    // The same figures as the hand-computed table test of the real bank.
    let plan_pdf = pdf_text(&plan.pdf().bytes);
    assert!(
        plan_pdf.contains("Tiempo estimado: 14,5 horas"),
        "{plan_pdf}"
    );
    assert!(
        plan_pdf
            .lines()
            .any(|l| l.contains("Logaritmos en contexto") && l.contains('✓')),
        "{plan_pdf}"
    );
    let examen_pdf = pdf_text(&examen.pdf().bytes);
    assert!(
        examen_pdf
            .lines()
            .any(|l| l.contains("Matemática financiera") && l.contains("Riesgo")),
        "{examen_pdf}"
    );
    assert!(
        examen_pdf
            .lines()
            .any(|l| l.contains("Logaritmos") && l.contains("En desarrollo")),
        "{examen_pdf}"
    );

    // Stored under the spreadsheet's own spelling of the name, made safe.
    let name = "informe_examen_de_eje_m30m2_-_Examen_de_Eje_1_-_DATA_camila.rojas_example.com.pdf";
    assert_eq!(
        examen.pdf().filename,
        "Informe Examen de eje 1 - Matemática M2.pdf"
    );
    let stored = app.data(&format!("data/webhook_reports/examen_de_eje/{name}"));
    assert_eq!(std::fs::read(stored).unwrap(), examen.pdf().bytes);
    let log = std::fs::read_to_string(app.data("data/webhook_reports/test_de_eje/processed.csv"))
        .unwrap();
    assert_eq!(log.lines().count(), 2, "{log}");
}

#[tokio::test]
async fn a_retake_of_the_same_assessment_gets_no_second_report() {
    let app = spawn().await;
    serve(&app, EJE_ID, "7750c1d2e3f4a5b6c7d8e9f1");
    let first = app
        .post_signed(webhook(EJE_ID, "Test de Eje 1", "7750c1d2e3f4a5b6c7d8e9f1"))
        .await;
    assert_eq!(first.status().as_u16(), 202);
    let retake = app
        .post_signed(webhook(EJE_ID, "Test de Eje 1", "7750c1d2e3f4a5b6c7d8e9ff"))
        .await;
    assert_eq!(retake.status().as_u16(), 200);
    assert_eq!(retake.json::<Value>().await.unwrap()["status"], "duplicate");
    app.drain().await;
    assert_eq!(app.smtp.received().len(), 1);
}

#[tokio::test]
async fn a_submission_that_routes_nowhere_is_recorded_and_answered_422() {
    let app = spawn().await;
    // No row, no title, no fallback profile.
    let r = app.post_signed(automation_body()).await;
    assert_eq!(r.status().as_u16(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "no_route");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Test de diagnóstico M1"),
        "{body}"
    );
    assert!(body["event_id"].as_i64().is_some());
    // A spreadsheet row that was refused at start-up says why.
    let r = app
        .post_signed(webhook(REJECTED_ID, "Ensayo 1", "7750c1d2e3f4a5b6c7d8e9f3"))
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "route_rejected");
    assert!(
        body["message"].as_str().unwrap().contains("row 3"),
        "{body}"
    );
    assert_eq!(app.count("events").await, 2, "both are recorded");
    assert_eq!(app.count("jobs").await, 0);
}

#[tokio::test]
async fn config_check_lists_every_problem_and_fails() {
    let app = spawn().await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_webhook-service"))
        .args(["config", "check"])
        .env("DATA_DIR", app.data(""))
        .env("ALLOW_UNSIGNED_WEBHOOKS", "true")
        .env("RUST_LOG", "off")
        .output()
        .expect("the service binary runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("routing spreadsheet config/ids.xlsx: 2 row(s) accepted, 1 rejected"),
        "{text}"
    );
    assert!(
        text.contains("row 3: 'M30M2-ENSAYO 1-DATA'")
            && text.contains("unknown report type 'ensayo'"),
        "{text}"
    );
    assert!(text.contains("bank data/banks/M30M2-TEST DE EJE 1-DATA.xlsx: 18 question(s); groups: unidades 3, lecciones 6"), "{text}");
    assert!(text.contains("1 error(s)"), "{text}");
}

#[tokio::test]
async fn analyse_prints_the_context_and_preview_renders_without_sending() {
    let app = spawn().await;
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_webhook-service"))
            .args(args)
            .env("DATA_DIR", app.data(""))
            .env("ALLOW_UNSIGNED_WEBHOOKS", "true")
            .env("RUST_LOG", "off")
            .output()
            .expect("the service binary runs")
    };
    let responses = fixture("api/assessment_responses.json");
    let responses = responses.to_str().unwrap();
    let common = [
        "--profile",
        "examen_de_eje",
        "--responses",
        responses,
        "--user",
        "camila.rojas@example.com",
        "--assessment",
        "M30M2-EXAMEN DE EJE 1-DATA",
    ];
    let out = run(&[&["analyse"][..], &common].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ctx: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ctx["report"]["type"], "examen_de_eje");
    assert_eq!(ctx["groupings"]["unidades"][0]["status"], "Riesgo");
    assert_eq!(
        ctx["groups"][0]["status"], "Riesgo",
        "the first grouping, for seed-style templates"
    );
    assert_eq!(ctx["score"]["total"], 25);

    let pdf = app.data("preview.pdf");
    let out = run(&[&["preview"][..], &common, &["--out", pdf.to_str().unwrap()]].concat());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("email subject: Tu reporte Examen de Eje"),
        "{text}"
    );
    let pdf_text = pdf_text(&std::fs::read(pdf).unwrap());
    assert!(
        pdf_text
            .lines()
            .any(|l| l.contains("Números reales") && l.contains("En desarrollo")),
        "{pdf_text}"
    );
    assert!(app.smtp.received().is_empty(), "nothing is sent");
    assert_eq!(app.count("events").await, 0);
}

#[tokio::test]
async fn once_the_routing_is_fixed_reroute_queues_the_refused_submissions_once() {
    let app = spawn().await;
    assert_eq!(
        app.post_signed(automation_body()).await.status().as_u16(),
        422
    );
    // The operator adds the seed diagnostic as the fallback…
    let fixed =
        format!("{REPORTS_TOML}\n[[profile]]\npreset = \"seed_diagnostic\"\nfallback = true\n");
    std::fs::write(app.data("config/reports.toml"), fixed).unwrap();
    // …and queues what was refused, twice by mistake.
    let reroute = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_webhook-service"))
            .arg("reroute")
            .env("DATA_DIR", app.data(""))
            .env("DATABASE_URL", &app.database.url)
            .env("ALLOW_UNSIGNED_WEBHOOKS", "true")
            .env("RUST_LOG", "off")
            .output()
            .expect("the service binary runs")
    };
    let first = reroute();
    let text = String::from_utf8_lossy(&first.stdout);
    assert!(first.status.success(), "{text}");
    assert!(
        text.contains("1 queued, 0 already queued before, 0 still routing nowhere"),
        "{text}"
    );
    let second = String::from_utf8_lossy(&reroute().stdout).into_owned();
    assert!(
        second.contains("0 queued, 1 already queued before"),
        "{second}"
    );
    // The running service reads the fixed file at its next reload.
    app.ctx.profiles.reload().await;
    assert_eq!(app.drain().await, 1);
    let received = app.smtp.received();
    assert_eq!(received.len(), 1);
    assert_eq!(
        mail::parse(&received[0].raw).subject,
        "Tu informe de resultados - Diagnóstico"
    );
}
