//! The job's lease: a worker that stalls past it is fenced out and the worker that took the job
//! over delivers it; a worker whose stage outlasts the lease keeps the job by its heartbeat.
//! Either way the student receives exactly one email.

use std::sync::atomic::Ordering;
use std::time::Duration;

use webhook_service::domain::job::JobState;
use webhook_service::jobs::Outcome;

use crate::helpers::{automation_body, eventually, spawn_app, spawn_app_with, Setup, TestApp};

/// What a worker frozen longer than its lease looks like to the others (its heartbeat could not
/// reach the database): the running job's lease is over.
async fn expire_running_leases(app: &TestApp) {
    let pool = sqlx::AnyPool::connect(&app.database.url)
        .await
        .expect("database reachable");
    let r = sqlx::query("UPDATE jobs SET lease_until = 0 WHERE state = $1")
        .bind(JobState::Running.as_str())
        .execute(&pool)
        .await
        .expect("update");
    assert_eq!(r.rows_affected(), 1, "one job is running");
    pool.close().await;
}

#[tokio::test]
async fn a_job_whose_lease_expires_mid_stage_is_emailed_once_by_the_worker_that_took_it_over() {
    let app = spawn_app().await;
    assert_eq!(app.post_signed(automation_body()).await.status(), 202);
    // The first worker's fetch stalls in the API call.
    app.lw.state.delay_ms.store(2_000, Ordering::SeqCst);
    let queue = app.ctx.queue.clone();
    let first = tokio::spawn(async move { queue.process_next().await.expect("queue") });
    eventually("the first worker is inside the fetch stage", || {
        app.lw.state.response_requests.load(Ordering::SeqCst) > 0
    })
    .await;
    expire_running_leases(&app).await;
    app.lw.state.delay_ms.store(0, Ordering::SeqCst);

    assert_eq!(
        app.process_one().await,
        Some(Outcome::Done),
        "the second worker takes it over"
    );
    assert_eq!(
        first.await.unwrap(),
        Some(Outcome::LeaseLost),
        "the first is fenced out"
    );
    assert_eq!(app.smtp.received().len(), 1, "exactly one email");
    let status = app.ctx.store.status(5).await.unwrap();
    assert_eq!(status.jobs["done"], 1);
    assert!(status.problems.is_empty(), "{:?}", status.problems);
}

#[tokio::test]
async fn a_stage_that_outlasts_the_lease_keeps_its_job_by_the_heartbeat() {
    let app = spawn_app_with(Setup {
        vars: vec![
            ("JOB_LEASE_SECONDS", "3".into()),
            ("CONVERT_TIMEOUT_SECONDS", "1.5".into()),
            ("HTTP_TIMEOUT_SECONDS", "2".into()),
            ("SMTP_TIMEOUT_SECONDS", "2".into()),
            ("LW_VISIBILITY_RETRIES", "8".into()),
            ("LW_VISIBILITY_DELAY_SECONDS", "0.75".into()),
        ],
        ..Default::default()
    })
    .await;
    assert_eq!(app.post_signed(automation_body()).await.status(), 202);
    // Not visible for six answers: the fetch stage waits about 4.5 s, longer than the lease.
    app.lw.state.hide_for.store(6, Ordering::SeqCst);
    let queue = app.ctx.queue.clone();
    let first = tokio::spawn(async move { queue.process_next().await.expect("queue") });
    eventually("the first worker is inside the fetch stage", || {
        app.lw.state.response_requests.load(Ordering::SeqCst) > 0
    })
    .await;
    tokio::time::sleep(Duration::from_millis(3_500)).await;
    assert!(!first.is_finished(), "the fetch stage is still waiting");
    assert_eq!(
        app.process_one().await,
        None,
        "past its first lease the job is still held by the first worker"
    );
    let outcome = first.await.unwrap();
    assert_ne!(outcome, Some(Outcome::LeaseLost));
    assert!(app.smtp.received().len() <= 1);
}

#[tokio::test]
async fn the_database_refuses_a_job_state_the_code_does_not_know() {
    let app = spawn_app().await;
    assert_eq!(app.post_signed(automation_body()).await.status(), 202);
    let pool = sqlx::AnyPool::connect(&app.database.url)
        .await
        .expect("database reachable");
    let refused = sqlx::query("UPDATE jobs SET state = 'sent'")
        .execute(&pool)
        .await;
    assert!(refused.is_err(), "a CHECK constraint refuses it");
    let refused = sqlx::query("UPDATE jobs SET stage = 'upload'")
        .execute(&pool)
        .await;
    assert!(refused.is_err(), "a CHECK constraint refuses it");
    pool.close().await;
}
