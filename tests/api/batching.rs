//! Peak week: the students of one assessment waiting for their answers are fetched together,
//! and every instance counts its API calls in one budget.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use webhook_service::db::Store;
use webhook_service::jobs::{Outcome, SharedBudget};
use webhook_service::learnworlds::{ApiBudget, Priority};

use crate::fake_learnworlds::Cohort;
use crate::helpers::{spawn_app, spawn_app_with, Setup, TestApp};
use crate::mail;

async fn post_cohort(app: &TestApp, n: usize) {
    Cohort::serve(&app.lw, n);
    for i in 0..n {
        let r = app.post_signed(Cohort::webhook(i)).await;
        assert_eq!(r.status().as_u16(), 202, "student {i}");
    }
}

/// Emails per recipient.
fn emails_per_student(app: &TestApp) -> HashMap<String, usize> {
    let mut count = HashMap::new();
    for m in app.smtp.received() {
        let to = mail::parse(&m.raw).to;
        // `Name <address>`: the address.
        let address = to.rsplit('<').next().unwrap_or(&to).trim_end_matches('>');
        *count.entry(address.to_string()).or_default() += 1;
    }
    count
}

fn users_per_request(app: &TestApp) -> Vec<usize> {
    app.lw.state.users_per_request.lock().unwrap().clone()
}

#[tokio::test]
async fn students_of_one_assessment_waiting_together_are_fetched_with_one_call() {
    let app = spawn_app().await;
    post_cohort(&app, 30).await;
    assert_eq!(app.drain().await, 30);
    assert_eq!(users_per_request(&app), vec![30], "one call named all 30");
    let emails = emails_per_student(&app);
    assert_eq!(emails.len(), 30);
    assert!(emails.values().all(|&n| n == 1), "{emails:?}");

    // A student alone in a quiet hour is fetched at once, alone.
    app.post_signed(Cohort::webhook(30)).await;
    Cohort::serve(&app.lw, 31);
    assert_eq!(app.process_one().await, Some(Outcome::Done));
    assert_eq!(users_per_request(&app), vec![30, 1]);
}

#[tokio::test]
async fn with_batching_off_every_student_is_fetched_alone() {
    let app = spawn_app_with(Setup {
        vars: vec![("LW_BATCH_USERS", "1".into())],
        ..Default::default()
    })
    .await;
    post_cohort(&app, 5).await;
    assert_eq!(app.drain().await, 5);
    assert_eq!(users_per_request(&app), vec![1; 5]);
    assert_eq!(emails_per_student(&app).len(), 5);
}

#[tokio::test]
async fn a_student_not_listed_yet_waits_and_joins_a_later_batch() {
    let app = spawn_app_with(Setup {
        vars: vec![("LW_VISIBILITY_RETRIES", "0".into())],
        ..Default::default()
    })
    .await;
    let late = Cohort::user_id(2);
    app.lw
        .state
        .hidden_users
        .lock()
        .unwrap()
        .insert(late.clone());
    post_cohort(&app, 5).await;
    app.drain().await;
    assert_eq!(
        emails_per_student(&app).len(),
        4,
        "the four listed students"
    );
    let status = app.ctx.store.status(5).await.unwrap();
    assert_eq!(
        status.problems[0].error_code.as_deref(),
        Some("submission_not_visible")
    );

    app.lw.state.hidden_users.lock().unwrap().clear();
    app.retry_now().await;
    app.drain().await;
    let emails = emails_per_student(&app);
    assert_eq!(emails.len(), 5);
    assert!(emails.values().all(|&n| n == 1), "{emails:?}");
    assert_eq!(emails["student2@example.com"], 1);
}

/// Request start times never hold more than `limit` in any `window`.
fn max_in_window(times: &[Instant], window: Duration) -> usize {
    let mut sorted = times.to_vec();
    sorted.sort();
    (0..sorted.len())
        .map(|i| {
            sorted[i..]
                .iter()
                .take_while(|t| **t - sorted[i] < window)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[tokio::test]
async fn two_instances_on_one_database_share_one_api_budget() {
    let app = spawn_app().await;
    let limit = 5;
    // Long enough that a caller woken late by a loaded CI machine (times are taken after
    // `acquire` returns) cannot make its call look like it belonged to the next window.
    let window = Duration::from_secs(3);
    let mut budgets: Vec<Arc<SharedBudget>> = Vec::new();
    for _ in 0..2 {
        let store = Store::connect(&app.database.url).await.unwrap();
        budgets.push(Arc::new(SharedBudget::new(store, limit, window)));
    }
    let times = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut callers = Vec::new();
    for i in 0..8 {
        let budget = budgets[i % 2].clone();
        let times = times.clone();
        callers.push(tokio::spawn(async move {
            for _ in 0..3 {
                budget.acquire(Priority::Job).await;
                times.lock().unwrap().push(Instant::now());
            }
        }));
    }
    for c in callers {
        c.await.unwrap();
    }
    let times = times.lock().unwrap().clone();
    assert_eq!(times.len(), 24);
    assert!(
        max_in_window(&times, window) <= limit as usize,
        "at most {limit} calls in any {window:?}"
    );

    // A 429 seen by one instance holds the other.
    budgets[0].pause(Duration::from_millis(800)).await;
    let start = Instant::now();
    budgets[1].acquire(Priority::Job).await;
    assert!(start.elapsed() >= Duration::from_millis(700));
}
