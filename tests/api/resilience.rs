//! Failures outside our control: rate limits, late submissions, pagination, a mail server that
//! is down. The student still gets exactly one email.

use std::sync::atomic::Ordering;

use serde_json::Value;
use webhook_service::jobs::Outcome;

use crate::delivery::assert_report_shows;
use crate::helpers::{automation_body, pdf_text, spawn_app, spawn_app_with, Setup};
use crate::mail;

#[tokio::test]
async fn two_429_answers_then_success_still_delivers() {
    let app = spawn_app().await;
    app.lw.state.fail_with_429.store(2, Ordering::SeqCst);
    assert_eq!(
        app.post_signed(automation_body()).await.status().as_u16(),
        202
    );
    assert_eq!(app.process_one().await, Some(Outcome::Done));
    assert_eq!(
        app.lw.requests(),
        3,
        "two refused calls and one that succeeded"
    );
    assert_eq!(app.smtp.received().len(), 1);
}

#[tokio::test]
async fn a_submission_not_yet_visible_in_the_api_is_waited_for() {
    let app = spawn_app().await;
    app.lw.state.hide_for.store(2, Ordering::SeqCst);
    app.post_signed(automation_body()).await;
    assert_eq!(app.process_one().await, Some(Outcome::Done));
    assert_eq!(app.lw.requests(), 3);
    assert_eq!(app.smtp.received().len(), 1);
}

#[tokio::test]
async fn a_submission_that_never_appears_is_retried_later_not_lost() {
    let app = spawn_app_with(Setup {
        vars: vec![("LW_VISIBILITY_RETRIES", "1".into())],
        ..Default::default()
    })
    .await;
    app.lw.state.hide_for.store(2, Ordering::SeqCst);
    app.post_signed(automation_body()).await;
    assert_eq!(app.process_one().await, Some(Outcome::Retrying));
    let status = app.ctx.store.status(5).await.unwrap();
    assert_eq!(
        status.problems[0].error_code.as_deref(),
        Some("submission_not_visible")
    );
    app.retry_now().await;
    assert_eq!(app.process_one().await, Some(Outcome::Done));
    assert_eq!(app.smtp.received().len(), 1);
}

#[tokio::test]
async fn every_page_of_responses_is_read() {
    let app = spawn_app().await;
    // One submission per page: Camila's first attempt is on page 2.
    app.lw.state.page_size.store(1, Ordering::SeqCst);
    let first_attempt = "664fa0a1b2c3d4e5f6a7b8c1";
    let body = automation_body().replace("6650c1d2e3f4a5b6c7d8e9f0", first_attempt);
    app.post_signed(body).await;
    assert_eq!(app.process_one().await, Some(Outcome::Done));
    assert_eq!(app.lw.requests(), 2);
    let mail = mail::parse(&app.smtp.received()[0].raw);
    assert_report_shows(&pdf_text(&mail.pdf().bytes), "camila.rojas", first_attempt);
}

#[tokio::test]
async fn without_a_submission_id_the_newest_submission_is_reported() {
    let app = spawn_app().await;
    app.lw.state.page_size.store(1, Ordering::SeqCst);
    let mut event: Value = serde_json::from_str(&automation_body()).unwrap();
    event["submission"]["id"] = Value::String("{{submission.id}}".into());
    app.post_signed(event.to_string()).await;
    assert_eq!(app.process_one().await, Some(Outcome::Done));
    let mail = mail::parse(&app.smtp.received()[0].raw);
    assert_report_shows(
        &pdf_text(&mail.pdf().bytes),
        "camila.rojas",
        "6650c1d2e3f4a5b6c7d8e9f0",
    );
}

#[tokio::test]
async fn tokens_are_minted_with_client_credentials_when_no_access_token_is_set() {
    let app = spawn_app_with(Setup {
        vars: vec![
            ("ACCESS_TOKEN", String::new()),
            ("CLIENT_SECRET", "test-client-secret".into()),
        ],
        ..Default::default()
    })
    .await;
    let mut second: Value = serde_json::from_str(&automation_body()).unwrap();
    second["user"]["id"] = Value::String("64f1a2b3c4d5e6f7a8b9c0d2".into());
    second["user"]["email"] = Value::String("diego.munoz@example.com".into());
    second["submission"]["id"] = Value::String("6650b0a1b2c3d4e5f6a7b8c9".into());
    app.post_signed(automation_body()).await;
    app.post_signed(second.to_string()).await;
    assert_eq!(app.drain().await, 2);
    assert_eq!(app.smtp.received().len(), 2);
    assert_eq!(
        app.lw.state.token_requests.load(Ordering::SeqCst),
        1,
        "the minted token is reused until it nears expiry"
    );
}

#[tokio::test]
async fn a_mail_server_that_is_down_then_up_gets_the_report_once() {
    let app = spawn_app_with(Setup {
        smtp_down: true,
        ..Default::default()
    })
    .await;
    app.post_signed(automation_body()).await;
    assert_eq!(app.process_one().await, Some(Outcome::Retrying));
    let status = app.ctx.store.status(5).await.unwrap();
    assert_eq!(status.problems[0].stage, "email");
    assert_eq!(
        status.problems[0].error_code.as_deref(),
        Some("smtp_unavailable")
    );
    assert_eq!(app.drain().await, 0, "the retry waits for its back-off");

    app.smtp.start_on_port();
    app.retry_now().await;
    assert_eq!(app.process_one().await, Some(Outcome::Done));
    app.retry_now().await;
    assert_eq!(app.drain().await, 0);
    assert_eq!(app.smtp.received().len(), 1);
    // Stages that had succeeded were not repeated: one API call in all.
    assert_eq!(app.lw.requests(), 1);
    let status = app.ctx.store.status(5).await.unwrap();
    assert_eq!(status.jobs["done"], 1);
    assert_eq!(status.emails_sent, 1);
}

#[tokio::test]
async fn a_job_that_keeps_failing_ends_dead_after_the_configured_attempts() {
    let app = spawn_app_with(Setup {
        smtp_down: true,
        vars: vec![("JOB_MAX_ATTEMPTS", "2".into())],
        ..Default::default()
    })
    .await;
    app.post_signed(automation_body()).await;
    assert_eq!(app.process_one().await, Some(Outcome::Retrying));
    app.retry_now().await;
    assert_eq!(app.process_one().await, Some(Outcome::Dead));
    let status = app.ctx.store.status(5).await.unwrap();
    assert_eq!(status.jobs["dead"], 1);
    assert_eq!(status.problems[0].attempts, 2);

    // The operator fixes the mail server and requeues: delivered, once.
    app.smtp.start_on_port();
    assert_eq!(app.ctx.store.requeue_dead(None).await.unwrap(), 1);
    assert_eq!(app.process_one().await, Some(Outcome::Done));
    assert_eq!(app.smtp.received().len(), 1);
}
