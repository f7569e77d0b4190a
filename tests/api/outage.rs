//! The mail server down for ten minutes, then up: every student gets the report exactly once.
//! The outage is simulated quickly: one retry per job every simulated ten seconds (the test
//! makes retries due instead of waiting for their back-off), sixty rounds.

use webhook_service::jobs::Outcome;

use crate::helpers::{spawn_app_with, Setup};
use crate::students::{address, student};

const STUDENTS: u32 = 5;
const ROUNDS: i64 = 60;

#[tokio::test]
async fn smtp_down_for_ten_minutes_then_up_delivers_every_student_once() {
    let app = spawn_app_with(Setup {
        smtp_down: true,
        vars: vec![("JOB_MAX_ATTEMPTS", "100".into())],
        ..Default::default()
    })
    .await;
    for n in 1..=STUDENTS {
        assert_eq!(app.post_signed(student(&app, n)).await.status(), 202);
    }
    for _ in 0..ROUNDS {
        app.retry_now().await;
        assert_eq!(
            app.drain().await,
            STUDENTS as usize,
            "each job tries once a round"
        );
    }
    let status = app.ctx.store.status(10).await.unwrap();
    assert_eq!(status.jobs["dead"], 0);
    assert_eq!(status.jobs["queued"], i64::from(STUDENTS));
    for p in &status.problems {
        assert_eq!(p.attempts, ROUNDS);
        assert_eq!(p.error_code.as_deref(), Some("smtp_unavailable"));
    }
    assert!(app.smtp.received().is_empty());

    app.smtp.start_on_port();
    app.retry_now().await;
    let mut outcomes = Vec::new();
    while let Some(o) = app.process_one().await {
        outcomes.push(o);
    }
    assert_eq!(outcomes, vec![Outcome::Done; STUDENTS as usize]);
    app.retry_now().await;
    assert_eq!(app.drain().await, 0);
    let received = app.smtp.received();
    for n in 1..=STUDENTS {
        let copies = received.iter().filter(|m| m.to == [address(n)]).count();
        assert_eq!(copies, 1, "{} got {copies} emails", address(n));
    }
    assert_eq!(received.len(), STUDENTS as usize);
    assert_eq!(
        app.ctx.store.status(10).await.unwrap().emails_sent,
        i64::from(STUDENTS)
    );
}
