//! A mail server that accepts the connection and then goes silent — at once, or after the
//! message — fails the attempt within SMTP_TIMEOUT_SECONDS: a plain retry when nothing was
//! sent, an unknown outcome (resent once, same Message-ID) when the message was.

use std::sync::atomic::Ordering;

use webhook_service::jobs::Outcome;

use crate::mail_limits::{app_on, process};
use crate::smtp_script::{Script, ScriptedSmtp};
use crate::students::student;

#[tokio::test]
async fn a_server_that_accepts_the_connection_and_never_answers_fails_the_attempt_within_the_timeout(
) {
    let server = ScriptedSmtp::start(Script {
        greeting: None,
        ..Default::default()
    })
    .await;
    let app = app_on(&server, vec![("SMTP_TIMEOUT_SECONDS", "1".into())]).await;
    app.post_signed(student(&app, 1)).await;
    assert_eq!(process(&app).await, Some(Outcome::Retrying));
    let p = &app.ctx.store.status(10).await.unwrap().problems[0];
    assert_eq!(
        p.error_code.as_deref(),
        Some("smtp_unavailable"),
        "nothing was sent: a plain retry"
    );
    assert!(
        p.error.as_deref().unwrap().contains("SMTP_TIMEOUT_SECONDS"),
        "{:?}",
        p.error
    );
}

#[tokio::test]
async fn a_server_silent_after_the_message_leaves_the_outcome_unknown_and_resends_once() {
    let server = ScriptedSmtp::start(Script {
        end_of_data: None,
        ..Default::default()
    })
    .await;
    let app = app_on(&server, vec![("SMTP_TIMEOUT_SECONDS", "1".into())]).await;
    app.post_signed(student(&app, 1)).await;
    assert_eq!(process(&app).await, Some(Outcome::Retrying));
    let p = &app.ctx.store.status(10).await.unwrap().problems[0];
    assert_eq!(p.error_code.as_deref(), Some("smtp_outcome_unknown"));
    app.retry_now().await;
    assert_eq!(process(&app).await, Some(Outcome::Retrying));
    app.retry_now().await;
    assert_eq!(process(&app).await, Some(Outcome::Dead));
    assert_eq!(
        server.delivered_data.load(Ordering::SeqCst),
        2,
        "one resend, no more"
    );
    let p = &app.ctx.store.status(10).await.unwrap().problems[0];
    assert_eq!(p.error_code.as_deref(), Some("email_outcome_unknown"));
}
