//! LearnWorlds failing for everyone — answering 500 for a while, or 429 forever: jobs wait
//! without using their attempts (none goes dead), `status` says why, and once the API answers
//! again every student is emailed once.

use std::sync::atomic::Ordering;

use webhook_service::jobs::Outcome;

use crate::helpers::{spawn_app_with, Setup, TestApp};
use crate::students::{address, student};

const STUDENTS: u32 = 3;
/// More rounds than attempts: with attempts used, every job would be dead by now.
const ROUNDS: usize = 5;

async fn app_with_two_attempts() -> TestApp {
    spawn_app_with(Setup {
        vars: vec![
            ("JOB_MAX_ATTEMPTS", "2".into()),
            ("LW_MAX_429_RETRIES", "1".into()),
        ],
        ..Default::default()
    })
    .await
}

/// Each round makes the waiting jobs due and runs them: each waits again.
async fn rounds_while_down(app: &TestApp) {
    for round in 0..ROUNDS {
        app.retry_now().await;
        let mut outcomes = Vec::new();
        while let Some(o) = app.process_one().await {
            outcomes.push(o);
        }
        assert_eq!(
            outcomes,
            vec![Outcome::Waiting; STUDENTS as usize],
            "round {round}"
        );
    }
}

/// Every job is queued, has used no attempt, and its last error names the cause.
async fn assert_all_waiting_because(app: &TestApp, code: &str, says: &str) {
    let status = app.ctx.store.status(10).await.unwrap();
    assert_eq!(status.jobs["dead"], 0, "{status:?}");
    assert_eq!(status.jobs["queued"], i64::from(STUDENTS));
    assert_eq!(status.problems.len(), STUDENTS as usize);
    for p in &status.problems {
        assert_eq!(p.attempts, 0, "{p:?}");
        assert_eq!(p.error_code.as_deref(), Some(code));
        let error = p.error.as_deref().unwrap_or_default();
        assert!(
            error.contains(says) && error.contains("uses no attempts"),
            "{error}"
        );
    }
}

async fn recovered_delivers_each_once(app: &TestApp) {
    app.retry_now().await;
    let mut outcomes = Vec::new();
    while let Some(o) = app.process_one().await {
        outcomes.push(o);
    }
    assert_eq!(outcomes, vec![Outcome::Done; STUDENTS as usize]);
    let received = app.smtp.received();
    assert_eq!(received.len(), STUDENTS as usize);
    for n in 1..=STUDENTS {
        assert_eq!(
            received.iter().filter(|m| m.to == [address(n)]).count(),
            1,
            "{}",
            address(n)
        );
    }
}

#[tokio::test]
async fn learnworlds_answering_500_for_a_while_holds_the_jobs_without_using_their_attempts() {
    let app = app_with_two_attempts().await;
    app.lw
        .state
        .fail_with_500
        .store(usize::MAX, Ordering::SeqCst);
    for n in 1..=STUDENTS {
        assert_eq!(app.post_signed(student(&app, n)).await.status(), 202);
    }
    rounds_while_down(&app).await;
    assert_all_waiting_because(&app, "learnworlds_unavailable", "HTTP 500").await;
    assert!(app.smtp.received().is_empty());

    app.lw.state.fail_with_500.store(0, Ordering::SeqCst);
    recovered_delivers_each_once(&app).await;
}

#[tokio::test]
async fn learnworlds_answering_429_forever_holds_the_jobs_and_status_says_why() {
    let app = app_with_two_attempts().await;
    app.lw
        .state
        .fail_with_429
        .store(usize::MAX, Ordering::SeqCst);
    for n in 1..=STUDENTS {
        assert_eq!(app.post_signed(student(&app, n)).await.status(), 202);
    }
    rounds_while_down(&app).await;
    assert_all_waiting_because(&app, "learnworlds_rate_limited", "429").await;
    let requests = app.lw.requests();
    assert!(
        requests >= ROUNDS * 2,
        "the jobs kept asking: {requests} requests"
    );

    // Nobody was lost: the day LearnWorlds lets us in again, everyone is emailed once.
    app.lw.state.fail_with_429.store(0, Ordering::SeqCst);
    recovered_delivers_each_once(&app).await;
}
