//! `MAIL_TRANSPORT=sendgrid`: the report goes to SendGrid's v3 `POST /v3/mail/send` (a local
//! fake that records the request) as the documented JSON with the key as a bearer token; 429
//! and 5xx answers are retried, a 400 fails the job with SendGrid's reason.

use base64::Engine;
use serde_json::json;
use webhook_service::jobs::Outcome;

use crate::fake_http::FakeHttp;
use crate::helpers::{automation_body, spawn_app_with, Setup, TestApp};

const KEY: &str = "SG.test-key-0123456789";

async fn app_for(fake: &FakeHttp) -> TestApp {
    spawn_app_with(Setup {
        vars: vec![
            ("MAIL_TRANSPORT", "sendgrid".into()),
            ("SENDGRID_API_KEY", KEY.into()),
            ("SENDGRID_API_URL", fake.url("")),
        ],
        ..Default::default()
    })
    .await
}

#[tokio::test]
async fn sendgrid_gets_the_report_as_its_documented_json_with_the_bearer_key() {
    let fake = FakeHttp::sendgrid().await;
    let app = app_for(&fake).await;
    app.post_signed(automation_body()).await;
    assert_eq!(app.process_one().await, Some(Outcome::Done));
    assert!(app.smtp.received().is_empty(), "SMTP is not used");
    let requests = fake.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 1);
    let (auth, body) = &requests[0];
    assert_eq!(auth, &format!("Bearer {KEY}"));
    let to = &body["personalizations"][0]["to"][0];
    assert_eq!(to["email"], "camila.rojas@example.com");
    assert_eq!(to["name"], "camila.rojas");
    assert_eq!(
        body["personalizations"][0]["to"].as_array().unwrap().len(),
        1
    );
    assert_eq!(body["from"]["email"], "informes@academia.example.com");
    assert_eq!(body["from"]["name"], "Informes");
    assert!(!body["subject"].as_str().unwrap().is_empty());
    assert_eq!(body["content"][0]["type"], "text/plain");
    assert!(
        body["content"][0]["value"]
            .as_str()
            .unwrap()
            .contains("camila.rojas"),
        "{}",
        body["content"][0]["value"]
    );
    let attachment = &body["attachments"][0];
    assert_eq!(attachment["type"], "application/pdf");
    assert_eq!(attachment["disposition"], "attachment");
    assert!(attachment["filename"].as_str().unwrap().ends_with(".pdf"));
    let pdf = base64::engine::general_purpose::STANDARD
        .decode(attachment["content"].as_str().unwrap())
        .expect("base64");
    assert!(pdf.starts_with(b"%PDF"));
    assert!(crate::helpers::pdf_text(&pdf).contains("camila.rojas"));
    assert!(body["headers"]["Message-ID"]
        .as_str()
        .unwrap()
        .starts_with("<report-"));
}

#[tokio::test]
async fn a_429_or_5xx_from_sendgrid_is_retried_and_the_report_goes_once() {
    let fake = FakeHttp::sendgrid().await;
    fake.answer(429, json!({"errors": [{"message": "too many requests"}]}));
    fake.answer(503, json!({}));
    let app = app_for(&fake).await;
    app.post_signed(automation_body()).await;
    assert_eq!(app.process_one().await, Some(Outcome::Retrying));
    let p = &app.ctx.store.status(5).await.unwrap().problems[0];
    assert_eq!(p.error_code.as_deref(), Some("smtp_unavailable"));
    assert!(p.error.as_deref().unwrap().contains("429"), "{:?}", p.error);
    app.retry_now().await;
    assert_eq!(app.process_one().await, Some(Outcome::Retrying));
    app.retry_now().await;
    assert_eq!(app.process_one().await, Some(Outcome::Done));
    app.retry_now().await;
    assert_eq!(app.drain().await, 0);
    assert_eq!(
        fake.requests.lock().unwrap().len(),
        3,
        "two refusals, one accepted send"
    );
}

#[tokio::test]
async fn a_400_from_sendgrid_fails_the_job_with_sendgrids_reason() {
    let fake = FakeHttp::sendgrid().await;
    fake.answer(
        400,
        json!({"errors": [{"message": "The from address does not match a verified Sender Identity.", "field": "from", "help": null}]}),
    );
    let app = app_for(&fake).await;
    app.post_signed(automation_body()).await;
    assert_eq!(app.process_one().await, Some(Outcome::Dead));
    let p = &app.ctx.store.status(5).await.unwrap().problems[0];
    assert_eq!(p.error_code.as_deref(), Some("smtp_rejected"));
    let error = p.error.clone().unwrap();
    assert!(
        error.contains("400")
            && error.contains("verified Sender Identity")
            && error.contains("field from"),
        "{error}"
    );
    assert!(!error.contains(KEY), "the key never shows");
}

#[tokio::test]
async fn a_sendgrid_request_without_an_answer_is_an_unknown_outcome_within_the_timeout() {
    // Accepts the connection, reads the request, never answers.
    let silent = crate::smtp_script::ScriptedSmtp::start(crate::smtp_script::Script {
        greeting: None,
        ..Default::default()
    })
    .await;
    let app = spawn_app_with(Setup {
        vars: vec![
            ("MAIL_TRANSPORT", "sendgrid".into()),
            ("SENDGRID_API_KEY", KEY.into()),
            (
                "SENDGRID_API_URL",
                format!("http://127.0.0.1:{}", silent.port),
            ),
            ("SMTP_TIMEOUT_SECONDS", "1".into()),
        ],
        ..Default::default()
    })
    .await;
    app.post_signed(automation_body()).await;
    let outcome = tokio::time::timeout(std::time::Duration::from_secs(60), app.process_one())
        .await
        .expect("the attempt ends instead of hanging");
    assert_eq!(outcome, Some(Outcome::Retrying));
    let p = &app.ctx.store.status(5).await.unwrap().problems[0];
    assert_eq!(
        p.error_code.as_deref(),
        Some("smtp_outcome_unknown"),
        "{:?}",
        p.error
    );
}
