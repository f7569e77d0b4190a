//! The whole path: webhook → queue → answers → analysis → template → PDF → storage → email.

use serde_json::Value;

use crate::expected::expected_for;
use crate::helpers::{
    automation_body, pdf_image_count, pdf_text, spawn_app, spawn_app_with, Setup,
};
use crate::mail;

const CAMILA_NEWEST: &str = "6650c1d2e3f4a5b6c7d8e9f0";
const REPORT_KEY: &str =
    "data/webhook_reports/diagnostico-m1/64f1a2b3c4d5e6f7a8b9c0d1_Test_de_diagnóstico_M1_20240529_162640.pdf";

/// Asserts the PDF shows the student's name, level, PD% and every area's status.
pub fn assert_report_shows(text: &str, name: &str, submission_id: &str) {
    let expected = expected_for(submission_id);
    assert!(text.contains(name), "name {name} missing from:\n{text}");
    assert!(
        text.contains(expected.level),
        "level {} missing from:\n{text}",
        expected.level
    );
    // pdftotext drops the narrow space of some bold percentages ("0 %" reads "0%").
    let squeezed = |s: &str| s.replace(" %", "%");
    assert!(
        squeezed(text).contains(&squeezed(&expected.pd_text)),
        "PD% {} missing from:\n{text}",
        expected.pd_text
    );
    for (area, status) in &expected.areas {
        assert!(
            text.lines()
                .any(|l| l.contains(area.as_str()) && l.contains(status)),
            "area {area} should read {status} in:\n{text}"
        );
    }
}

#[tokio::test]
async fn a_submission_is_emailed_once_as_a_pdf_showing_the_students_results() {
    let app = spawn_app().await;

    let response = app.post_signed(automation_body()).await;
    assert_eq!(response.status().as_u16(), 202);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "queued");
    assert!(body["job_id"].as_i64().is_some());

    assert_eq!(app.drain().await, 1);
    let received = app.smtp.received();
    assert_eq!(received.len(), 1, "exactly one email");
    assert_eq!(received[0].to, vec!["camila.rojas@example.com".to_string()]);
    let mail = mail::parse(&received[0].raw);
    assert_eq!(mail.subject, "Tu informe de resultados - Diagnóstico");
    assert!(mail.text.contains("Hola camila.rojas"), "{}", mail.text);
    assert!(
        mail.message_id.starts_with("<report-")
            && mail.message_id.ends_with("@academia.example.com>")
    );
    let pdf = mail.pdf();
    assert_eq!(
        pdf.filename,
        "Informe de resultados - Test de diagnóstico M1.pdf"
    );
    assert!(pdf.bytes.starts_with(b"%PDF"));
    assert_report_shows(&pdf_text(&pdf.bytes), "camila.rojas", CAMILA_NEWEST);
    assert_eq!(pdf_image_count(&pdf.bytes), 1, "the chart is in the report");

    let stored =
        std::fs::read(app.data(REPORT_KEY)).expect("the PDF is stored at the documented path");
    assert_eq!(stored, pdf.bytes);
    let processed =
        std::fs::read_to_string(app.data("data/webhook_reports/diagnostico-m1/processed.csv"))
            .unwrap();
    let lines: Vec<&str> = processed.lines().collect();
    assert_eq!(lines[0], "user_id,email,assessment,file,sent_at");
    assert_eq!(lines.len(), 2, "{processed}");
    assert!(lines[1].starts_with(&format!(
        "64f1a2b3c4d5e6f7a8b9c0d1,camila.rojas@example.com,Test de diagnóstico M1,{REPORT_KEY},"
    )));
    // Intermediate documents are not kept once the job is done.
    assert_eq!(app.count("artifacts").await, 0);

    // The report went through the warm pool, which readiness now describes.
    let ready: Value = app
        .http
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let converter = &ready["checks"]["pdf_converter"];
    assert_eq!(converter["ok"], true, "{ready}");
    let detail = converter["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("LibreOfficeKit pool:") && detail.contains("instances alive"),
        "{detail}"
    );
}

#[tokio::test]
async fn the_same_webhook_again_or_in_concurrent_copies_sends_one_email() {
    let app = spawn_app().await;
    let body = automation_body();

    // Copies spread over the parallel intake writers still meet at the unique key.
    let copies = (0..8).map(|_| app.post_signed(body.clone()));
    let mut statuses: Vec<u16> = futures::future::join_all(copies)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    statuses.sort();
    assert_eq!(
        statuses,
        vec![200, 200, 200, 200, 200, 200, 200, 202],
        "one copy queued, the others recognised"
    );
    let again = app.post_signed(body.clone()).await;
    assert_eq!(again.status().as_u16(), 200);
    assert_eq!(again.json::<Value>().await.unwrap()["status"], "duplicate");

    app.drain().await;
    let late = app.post_signed(body).await;
    assert_eq!(
        late.status().as_u16(),
        200,
        "a redelivery after the email is still a duplicate"
    );
    app.drain().await;

    assert_eq!(app.smtp.received().len(), 1);
    assert_eq!(app.count("events").await, 1);
    assert_eq!(app.count("jobs").await, 1);
    let status = app.ctx.store.status(5).await.unwrap();
    assert_eq!(status.jobs["done"], 1);
    assert_eq!(status.emails_sent, 1);
}

#[tokio::test]
async fn without_smtp_the_email_is_written_to_the_outbox() {
    let app = crate::helpers::spawn_app_with(crate::helpers::Setup {
        vars: vec![("SMTP_SERVER", String::new())],
        ..Default::default()
    })
    .await;
    assert_eq!(
        app.post_signed(automation_body()).await.status().as_u16(),
        202
    );
    app.drain().await;
    let outbox: Vec<_> = std::fs::read_dir(app.data("outbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(outbox.len(), 1);
    assert!(outbox[0].extension().is_some_and(|e| e == "eml"));
    let parsed = mail::parse(&std::fs::read(&outbox[0]).unwrap());
    assert_eq!(parsed.to, "camila.rojas <camila.rojas@example.com>");
    assert!(parsed.pdf().bytes.starts_with(b"%PDF"));
    assert!(app.smtp.received().is_empty());
}

#[tokio::test]
async fn an_invalid_recipient_address_from_the_api_kills_the_job_with_a_clear_error() {
    let app = spawn_app().await;
    // The webhook names no address (intake refuses a bad one), the API gives a bad one.
    let mut body: Value = serde_json::from_str(&automation_body()).unwrap();
    body["user"].as_object_mut().unwrap().remove("email");
    for submission in app.lw.state.submissions.lock().unwrap().iter_mut() {
        submission["email"] = Value::String("camila.rojas(at)example".into());
    }
    assert_eq!(
        app.post_signed(body.to_string()).await.status().as_u16(),
        202
    );
    assert_eq!(
        app.process_one().await,
        Some(webhook_service::jobs::Outcome::Dead)
    );
    let status = app.ctx.store.status(10).await.unwrap();
    assert_eq!(status.jobs["dead"], 1);
    assert_eq!(
        status.problems[0].error_code.as_deref(),
        Some("invalid_recipient")
    );
    assert!(status.problems[0]
        .error
        .as_deref()
        .unwrap()
        .contains("camila.rojas(at)example"));
    assert!(app.smtp.received().is_empty());
}

#[tokio::test]
async fn with_the_spawn_converter_the_report_is_still_a_real_pdf() {
    let app = crate::helpers::spawn_app_with(crate::helpers::Setup {
        vars: vec![("CONVERTER", "spawn".into())],
        ..Default::default()
    })
    .await;
    app.post_signed(automation_body()).await;
    assert_eq!(app.drain().await, 1);
    let mail = mail::parse(&app.smtp.received()[0].raw);
    assert_report_shows(&pdf_text(&mail.pdf().bytes), "camila.rojas", CAMILA_NEWEST);
}

#[tokio::test]
async fn a_jinja_template_repeats_a_table_row_per_area() {
    let app = spawn_app_with(Setup {
        vars: vec![("TEMPLATE_PATH", "templates/ejemplo_jinja.docx".into())],
        ..Default::default()
    })
    .await;
    app.post_signed(automation_body()).await;
    assert_eq!(app.drain().await, 1);
    let mail = mail::parse(&app.smtp.received()[0].raw);
    let text = pdf_text(&mail.pdf().bytes);
    assert_report_shows(&text, "camila.rojas", CAMILA_NEWEST);
    // "Funciones: 6 de 6" comes from the row loop, not from a fixed table.
    assert!(
        text.lines()
            .any(|l| l.contains("Funciones") && l.contains("6 de 6")),
        "{text}"
    );
    assert!(text.contains("Test de diagnóstico M1"));
}
