//! Mail under a provider's real limits, over real SMTP sessions with a scripted server: a
//! daily-quota or throttle reply parks all mail (every instance on the database) without
//! using attempts; a refused recipient or an oversized message fails only its job, saying why;
//! MAIL_MAX_PER_HOUR / MAIL_MAX_PER_DAY hold jobs for later across instances.

use std::sync::atomic::Ordering;
use std::time::Duration;

use webhook_service::jobs::Outcome;

use crate::helpers::{spawn_app_with, Setup, TestApp};
use crate::smtp_script::{Script, ScriptedSmtp};
use crate::students::{address, student};

const GMAIL_DAILY_QUOTA: &str = "550-5.4.5 Daily user sending limit exceeded. For more information on Gmail\r\n550-5.4.5 sending limits go to\r\n550 5.4.5  https://support.google.com/a/answer/166852 - gsmtp";

pub async fn app_on(server: &ScriptedSmtp, vars: Vec<(&'static str, String)>) -> TestApp {
    let mut all = vec![("SMTP_PORT", server.port.to_string())];
    all.extend(vars);
    spawn_app_with(Setup {
        vars: all,
        ..Default::default()
    })
    .await
}

/// A second instance of the service on the first one's database.
async fn second_instance(
    first: &TestApp,
    server: &ScriptedSmtp,
    vars: Vec<(&'static str, String)>,
) -> TestApp {
    let mut all = vec![("DATABASE_URL", first.database.url.clone())];
    all.extend(vars);
    app_on(server, all).await
}

/// Runs one job with a deadline, so that a hang fails the test instead of stalling it.
pub async fn process(app: &TestApp) -> Option<Outcome> {
    tokio::time::timeout(Duration::from_secs(60), app.process_one())
        .await
        .expect("the attempt ends instead of hanging")
}

#[tokio::test]
async fn a_gmail_daily_quota_reply_parks_all_mail_on_every_instance_without_using_attempts() {
    let server = ScriptedSmtp::start(Script {
        end_of_data: Some(GMAIL_DAILY_QUOTA.into()),
        ..Default::default()
    })
    .await;
    let app = app_on(&server, vec![]).await;
    for n in 1..=3 {
        assert_eq!(app.post_signed(student(&app, n)).await.status(), 202);
    }
    // The first job meets the quota; the others wait on the park without trying.
    for _ in 0..3 {
        assert_eq!(process(&app).await, Some(Outcome::Waiting));
    }
    assert_eq!(server.delivered_data.load(Ordering::SeqCst), 1);
    let status = app.ctx.store.status(10).await.unwrap();
    let park = status.mail.clone().expect("the status shows the park");
    assert!(
        park.starts_with("mail parked until ")
            && park.contains("5.4.5 Daily user sending limit exceeded"),
        "{park}"
    );
    assert_eq!(status.jobs["queued"], 3);
    assert_eq!(status.problems.len(), 3);
    for p in &status.problems {
        assert_eq!(p.error_code.as_deref(), Some("mail_parked"));
        assert!(
            p.error
                .as_deref()
                .unwrap()
                .starts_with("mail parked until "),
            "{:?}",
            p.error
        );
        assert_eq!(p.attempts, 0, "waiting on the park uses no attempt");
    }
    assert_eq!(
        app.drain().await,
        0,
        "parked jobs come back when the park ends"
    );

    // Another instance on the same database holds its mail too, without connecting.
    let other = second_instance(&app, &server, vec![]).await;
    other.post_signed(student(&other, 4)).await;
    let connections = server.connections.load(Ordering::SeqCst);
    assert_eq!(process(&other).await, Some(Outcome::Waiting));
    assert_eq!(server.connections.load(Ordering::SeqCst), connections);

    // The quota frees up: everyone is delivered, once.
    server.set(|s| s.end_of_data = Some("250 2.0.0 OK".into()));
    assert_eq!(
        app.ctx.store.unpark_mail().await.unwrap(),
        4,
        "every waiting job is due now"
    );
    assert_eq!(app.drain().await, 4);
    let accepted = server.accepted.lock().unwrap().clone();
    assert_eq!(accepted.len(), 4);
    for n in 1..=4 {
        let to = format!("<{}>", address(n));
        assert_eq!(
            accepted.iter().filter(|m| m.contains(&to)).count(),
            1,
            "{to}"
        );
    }
    assert!(app.ctx.store.status(10).await.unwrap().mail.is_none());
}

#[tokio::test]
async fn a_throttle_at_the_greeting_parks_mail_for_the_throttle_period() {
    let server = ScriptedSmtp::start(Script {
        greeting: Some(
            "421-4.7.0 Try again later, closing connection. (EHLO)\r\n421 4.7.0  https://support.google.com/a/answer/3221692 - gsmtp".into(),
        ),
        ..Default::default()
    })
    .await;
    let app = app_on(&server, vec![("MAIL_THROTTLE_PARK_SECONDS", "120".into())]).await;
    app.post_signed(student(&app, 1)).await;
    let before = webhook_service::db::now_ms();
    assert_eq!(process(&app).await, Some(Outcome::Waiting));
    let park = app.ctx.store.mail_park().await.unwrap().expect("parked");
    assert!(
        park.until_ms >= before + 120_000
            && park.until_ms <= webhook_service::db::now_ms() + 120_000
    );
    assert!(park.reason.contains("Try again later"), "{}", park.reason);
}

#[tokio::test]
async fn a_recipient_the_server_refuses_fails_that_job_only_with_the_servers_reason() {
    let server = ScriptedSmtp::start(Script {
        rcpt: "550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n550 5.1.1 double-checking the recipient's email address - gsmtp".into(),
        ..Default::default()
    })
    .await;
    let app = app_on(&server, vec![]).await;
    app.post_signed(student(&app, 1)).await;
    assert_eq!(process(&app).await, Some(Outcome::Dead));
    let status = app.ctx.store.status(10).await.unwrap();
    assert_eq!(
        status.problems[0].error_code.as_deref(),
        Some("smtp_recipient_refused")
    );
    let error = status.problems[0].error.clone().unwrap();
    assert!(
        error.contains("550 5.1.1") && error.contains("does not exist"),
        "{error}"
    );
    assert!(
        status.mail.is_none(),
        "one recipient does not park the others' mail"
    );

    server.set(|s| s.rcpt = "250 2.1.5 OK".into());
    app.post_signed(student(&app, 2)).await;
    assert_eq!(process(&app).await, Some(Outcome::Done));
}

#[tokio::test]
async fn a_message_too_large_for_the_server_says_so_with_its_own_code() {
    let server = ScriptedSmtp::start(Script {
        end_of_data: Some("552 5.3.4 Message size exceeds fixed maximum message size".into()),
        ..Default::default()
    })
    .await;
    let app = app_on(&server, vec![]).await;
    app.post_signed(student(&app, 1)).await;
    assert_eq!(process(&app).await, Some(Outcome::Dead));
    let p = &app.ctx.store.status(10).await.unwrap().problems[0];
    assert_eq!(p.error_code.as_deref(), Some("message_too_large"));
    assert!(p
        .error
        .as_deref()
        .unwrap()
        .contains("larger than the mail server accepts"));
}

#[tokio::test]
async fn mail_max_per_hour_is_shared_by_instances_and_holds_the_next_email_without_using_an_attempt(
) {
    let server = ScriptedSmtp::start(Script::default()).await;
    let limit = vec![("MAIL_MAX_PER_HOUR", "2".to_string())];
    let app = app_on(&server, limit.clone()).await;
    let other = second_instance(&app, &server, limit).await;
    app.post_signed(student(&app, 1)).await;
    other.post_signed(student(&other, 2)).await;
    assert_eq!(process(&app).await, Some(Outcome::Done));
    assert_eq!(process(&other).await, Some(Outcome::Done));
    app.post_signed(student(&app, 3)).await;
    assert_eq!(process(&app).await, Some(Outcome::Waiting));
    assert_eq!(server.accepted.lock().unwrap().len(), 2);
    let status = app.ctx.store.status(10).await.unwrap();
    assert_eq!(status.mail_sent_last_hour, 2);
    let p = &status.problems[0];
    assert_eq!(p.error_code.as_deref(), Some("mail_paced"));
    assert!(
        p.error.as_deref().unwrap().contains("MAIL_MAX_PER_HOUR"),
        "{:?}",
        p.error
    );
    assert_eq!(p.attempts, 0);
    assert_eq!(
        app.drain().await,
        0,
        "due again only when the oldest send leaves the hour"
    );
}

#[tokio::test]
async fn mail_max_per_day_counts_only_the_sends_the_server_took() {
    let server = ScriptedSmtp::start(Script {
        end_of_data: Some("451 4.3.0 Mail server temporarily rejected message. - gsmtp".into()),
        ..Default::default()
    })
    .await;
    let app = app_on(&server, vec![("MAIL_MAX_PER_DAY", "1".into())]).await;
    app.post_signed(student(&app, 1)).await;
    assert_eq!(
        process(&app).await,
        Some(Outcome::Retrying),
        "a refusal is an ordinary retry"
    );
    server.set(|s| s.end_of_data = Some("250 2.0.0 OK".into()));
    app.retry_now().await;
    assert_eq!(
        process(&app).await,
        Some(Outcome::Done),
        "the refused send did not use the day's one"
    );
    app.post_signed(student(&app, 2)).await;
    assert_eq!(process(&app).await, Some(Outcome::Waiting));
    let p = &app.ctx.store.status(10).await.unwrap().problems[0];
    assert_eq!(p.error_code.as_deref(), Some("mail_paced"));
    assert!(
        p.error.as_deref().unwrap().contains("MAIL_MAX_PER_DAY"),
        "{:?}",
        p.error
    );
    assert_eq!(server.accepted.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn concurrent_sends_of_two_instances_never_exceed_the_limit() {
    let server = ScriptedSmtp::start(Script::default()).await;
    let app = app_on(&server, vec![]).await;
    let other = second_instance(&app, &server, vec![]).await;
    let stores = [app.ctx.store.clone(), other.ctx.store.clone()];
    let attempts = (0..20).map(|i| {
        let store = stores[i % 2].clone();
        tokio::spawn(async move { store.reserve_send(i as i64, Some(5), Some(100)).await })
    });
    let mut granted = 0;
    for attempt in futures::future::join_all(attempts).await {
        match attempt
            .expect("task")
            .expect("no database error under contention")
        {
            webhook_service::db::SendSlot::Granted(_) => granted += 1,
            webhook_service::db::SendSlot::Full { per_day, .. } => assert!(!per_day),
        }
    }
    assert_eq!(granted, 5);
    assert_eq!(app.ctx.store.recent_sends().await.unwrap(), (5, 5));
}

#[tokio::test]
async fn the_operator_sees_a_park_in_status_and_lifts_it_with_unpark_mail() {
    let server = ScriptedSmtp::start(Script::default()).await;
    let app = app_on(&server, vec![]).await;
    let until = webhook_service::db::now_ms() + 3_600_000;
    assert!(app
        .ctx
        .store
        .park_mail(until, "550 5.4.5 Daily user sending limit exceeded")
        .await
        .unwrap());
    app.post_signed(student(&app, 1)).await;
    assert_eq!(process(&app).await, Some(Outcome::Waiting));
    let dir = app.data_dir.path();
    let mut vars = crate::cli::base_vars(dir);
    vars.push(("DATABASE_URL", app.database.url.clone()));
    let status = crate::cli::run(dir, &vars, &["status"]);
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with("mail parked until ") && l.contains("550 5.4.5")),
        "{text}"
    );
    let out = crate::cli::run(dir, &vars, &["unpark-mail"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 waiting email(s) are due now"));
    let text =
        String::from_utf8_lossy(&crate::cli::run(dir, &vars, &["status"]).stdout).into_owned();
    assert!(
        !text.lines().any(|l| l.starts_with("mail parked")),
        "{text}"
    );
    assert_eq!(process(&app).await, Some(Outcome::Done));
    assert_eq!(server.accepted.lock().unwrap().len(), 1);
}
