//! Operator alerts: a dead job, a mail park, no delivery while jobs fail — one summary to
//! ADMIN_EMAIL (through the mail transport, here the SMTP sink) and to a Slack webhook (a
//! local fake), at most one per ALERT_MIN_INTERVAL_SECONDS, without answers or secrets.

use std::sync::atomic::Ordering;

use serde_json::Value;
use webhook_service::db::now_ms;
use webhook_service::jobs::Outcome;

use crate::fake_http::FakeHttp;
use crate::helpers::{eventually, spawn_app_with, Setup, TestApp, SECRET};
use crate::smtp_script::{Script, ScriptedSmtp};
use crate::students::student;

const SLACK_PATH: &str = "/services/T000/B000/hook-secret-part";
const ADMIN: &str = "ops@academia.example.com";

async fn app_alerting(slack: &FakeHttp, mut vars: Vec<(&'static str, String)>) -> TestApp {
    vars.extend([
        ("ADMIN_EMAIL", ADMIN.to_string()),
        ("SLACK_WEBHOOK_URL", slack.url(SLACK_PATH)),
    ]);
    spawn_app_with(Setup {
        vars,
        ..Default::default()
    })
    .await
}

/// Student `n`, whose only address (the API's) is malformed: the job dies at the email stage.
fn doomed_student(app: &TestApp, n: u32) -> String {
    let mut body: Value = serde_json::from_str(&student(app, n)).unwrap();
    body["user"].as_object_mut().unwrap().remove("email");
    for s in app.lw.state.submissions.lock().unwrap().iter_mut() {
        if s["email"] == format!("student{n}@example.com").as_str() {
            s["email"] = Value::String(format!("student{n}(at)example"));
        }
    }
    body.to_string()
}

fn admin_mails(app: &TestApp) -> Vec<String> {
    app.smtp
        .received()
        .iter()
        .filter(|m| m.to == [ADMIN])
        .map(|m| crate::mail::parse(&m.raw).text)
        .collect()
}

#[tokio::test]
async fn a_dead_job_sends_one_summary_to_slack_and_the_admin_and_the_next_waits_for_the_interval() {
    let slack = FakeHttp::slack().await;
    let app = app_alerting(&slack, vec![]).await;
    app.post_signed(doomed_student(&app, 1)).await;
    assert_eq!(app.process_one().await, Some(Outcome::Dead));
    eventually("Slack and the admin have the summary", || {
        slack.texts().len() == 1 && admin_mails(&app).len() == 1
    })
    .await;
    let text = slack.texts()[0].clone();
    assert!(
        text.contains("job 1 is dead at stage email") && text.contains("invalid_recipient"),
        "{text}"
    );
    assert_eq!(
        admin_mails(&app)[0].replace("\r\n", "\n").trim(),
        text.trim(),
        "the same summary"
    );
    for leaked in [
        "student1",
        "(at)example",
        "Pregunta",
        SECRET,
        crate::fake_learnworlds::TOKEN,
        "hook-secret-part",
    ] {
        assert!(!text.contains(leaked), "the summary shows {leaked}: {text}");
    }

    // A second dead job within the interval waits for the next summary.
    app.post_signed(doomed_student(&app, 2)).await;
    assert_eq!(app.process_one().await, Some(Outcome::Dead));
    let alerts = app.ctx.queue.deps().alerts.clone();
    assert!(
        !alerts.flush(now_ms()).await.unwrap(),
        "one summary per interval"
    );
    assert_eq!(app.ctx.store.pending_alerts().await.unwrap(), 1);
    assert_eq!(slack.texts().len(), 1);
    let later = now_ms() + 15 * 60_000 + 1_000;
    assert!(alerts.flush(later).await.unwrap());
    assert_eq!(slack.texts().len(), 2);
    assert!(
        slack.texts()[1].contains("job 2 is dead"),
        "{}",
        slack.texts()[1]
    );
    assert!(!slack.texts()[1].contains("job 1 "), "a line is sent once");
    assert_eq!(admin_mails(&app).len(), 2);
}

#[tokio::test]
async fn a_mail_park_is_announced_once_on_slack_with_the_providers_reply() {
    let server = ScriptedSmtp::start(Script {
        end_of_data: Some("550 5.4.5 Daily user sending limit exceeded. - gsmtp".into()),
        ..Default::default()
    })
    .await;
    let slack = FakeHttp::slack().await;
    let app = app_alerting(&slack, vec![("SMTP_PORT", server.port.to_string())]).await;
    for n in 1..=2 {
        app.post_signed(student(&app, n)).await;
    }
    assert_eq!(app.process_one().await, Some(Outcome::Waiting));
    assert_eq!(app.process_one().await, Some(Outcome::Waiting));
    eventually("Slack has the park", || slack.texts().len() == 1).await;
    let text = slack.texts()[0].clone();
    assert!(
        text.contains("all mail is parked until")
            && text.contains("550 5.4.5 Daily user sending limit exceeded"),
        "{text}"
    );
    assert_eq!(
        app.ctx.store.pending_alerts().await.unwrap(),
        0,
        "the second job raised nothing"
    );
}

#[tokio::test]
async fn jobs_failing_with_no_delivery_for_the_configured_minutes_raise_an_alert() {
    let slack = FakeHttp::slack().await;
    let app = app_alerting(
        &slack,
        vec![
            ("ALERT_NO_DELIVERY_MINUTES", "1".into()),
            ("LW_VISIBILITY_RETRIES", "1".into()),
        ],
    )
    .await;
    app.post_signed(student(&app, 1)).await;
    assert_eq!(app.process_one().await, Some(Outcome::Done));
    // The next student's submission never shows in the API: the job keeps failing.
    app.lw.state.hide_for.store(1000, Ordering::SeqCst);
    app.post_signed(student(&app, 2)).await;
    assert_eq!(app.process_one().await, Some(Outcome::Retrying));
    let alerts = app.ctx.queue.deps().alerts.clone();
    let now = now_ms();
    assert!(
        !alerts.check_deliveries(now + 30_000).await.unwrap(),
        "a delivery 30 s ago"
    );
    assert!(alerts.check_deliveries(now + 61_000).await.unwrap());
    eventually("Slack has the stall", || slack.texts().len() == 1).await;
    let text = slack.texts()[0].clone();
    assert!(
        text.contains("no report was delivered in the last 1 minute(s) while 1 job(s) failed"),
        "{text}"
    );
}

#[tokio::test]
async fn the_sweep_reports_missed_students_in_the_next_summary() {
    let slack = FakeHttp::slack().await;
    let app = app_alerting(&slack, vec![]).await;
    let alerts = app.ctx.queue.deps().alerts.clone();
    alerts.missed_students(0, &[]).await;
    alerts
        .missed_students(
            3,
            &[
                "65a1f0c2b3d4e5f6a7b8c9d0".into(),
                "65a1f0c2b3d4e5f6a7b8c9d0".into(),
            ],
        )
        .await;
    eventually("Slack has the sweep's finding", || slack.texts().len() == 1).await;
    let text = slack.texts()[0].clone();
    assert!(
        text.contains("found 3 student(s) without a report")
            && text.matches("65a1f0c2b3d4e5f6a7b8c9d0").count() == 1,
        "{text}"
    );
}

#[tokio::test]
async fn two_instances_flushing_together_send_one_summary() {
    let slack = FakeHttp::slack().await;
    let app = app_alerting(&slack, vec![]).await;
    let other = app_alerting(&slack, vec![("DATABASE_URL", app.database.url.clone())]).await;
    app.ctx
        .store
        .raise_alert(
            webhook_service::domain::alert::AlertKind::NoDelivery,
            "no_delivery",
            "a line",
        )
        .await
        .unwrap();
    let now = now_ms();
    let (a, b) = (
        app.ctx.queue.deps().alerts.clone(),
        other.ctx.queue.deps().alerts.clone(),
    );
    let flushes = (0..8).map(|i| {
        let alerter = if i % 2 == 0 { a.clone() } else { b.clone() };
        tokio::spawn(async move { alerter.flush(now).await })
    });
    let sent = futures::future::join_all(flushes)
        .await
        .into_iter()
        .filter(|r| *r.as_ref().unwrap().as_ref().unwrap())
        .count();
    assert_eq!(sent, 1);
    assert_eq!(slack.texts().len(), 1);
}

#[tokio::test]
async fn a_summary_nobody_received_is_kept_for_the_next_one() {
    let slack = FakeHttp::slack().await;
    slack.answer(500, Value::Null);
    let app = spawn_app_with(Setup {
        vars: vec![("SLACK_WEBHOOK_URL", slack.url(SLACK_PATH))],
        ..Default::default()
    })
    .await;
    let alerts = app.ctx.queue.deps().alerts.clone();
    app.ctx
        .store
        .raise_alert(
            webhook_service::domain::alert::AlertKind::NoDelivery,
            "no_delivery",
            "a line",
        )
        .await
        .unwrap();
    let now = now_ms();
    let failed = alerts.flush(now).await.unwrap_err();
    assert_eq!(failed.code(), "alert_slack");
    assert!(!failed.to_string().contains("hook-secret-part"), "{failed}");
    assert_eq!(app.ctx.store.pending_alerts().await.unwrap(), 1);
    assert!(alerts.flush(now + 15 * 60_000 + 1_000).await.unwrap());
    assert_eq!(slack.texts().len(), 2);
    assert!(slack.texts()[1].contains("a line"));
    assert_eq!(app.ctx.store.pending_alerts().await.unwrap(), 0);
}
