//! The same service on PostgreSQL (over a real connection), and the queue's claim under
//! concurrency on both databases.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use sqlx::Connection;
use webhook_service::store::{NewEvent, Store};

use crate::helpers::{automation_body, spawn_app_with, Setup};

/// A fresh, empty database on the PostgreSQL server of TEST_POSTGRES_URL (default: the role
/// scripts/postgres-for-tests.sh creates).
async fn fresh_postgres() -> String {
    let admin = std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://webhook_test:webhook_test@127.0.0.1:5432/postgres".into());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("PostgreSQL reachable (the test script starts it)");
    let name = format!("webhook_test_{:016x}", rand::random::<u64>());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create database");
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    format!("{base}/{name}")
}

#[tokio::test]
async fn the_whole_path_works_on_postgresql() {
    let url = fresh_postgres().await;
    let app = spawn_app_with(Setup {
        database_url: Some(url),
        ..Default::default()
    })
    .await;
    let body = automation_body();
    // Copies spread over the parallel intake writers still meet at the unique key.
    let copies = (0..8).map(|_| app.post_signed(body.clone()));
    let mut statuses: Vec<u16> = futures::future::join_all(copies)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    statuses.sort();
    assert_eq!(statuses, vec![200, 200, 200, 200, 200, 200, 200, 202]);
    assert_eq!(app.drain().await, 1);
    assert_eq!(app.smtp.received().len(), 1);
    let status = app.ctx.store.status(5).await.unwrap();
    assert_eq!(status.jobs["done"], 1);
    assert_eq!(status.emails_sent, 1);
}

async fn each_job_is_claimed_once(store: Store) {
    let events: Vec<NewEvent> = (0..60)
        .map(|i| NewEvent {
            dedup_key: format!("k{i}"),
            kind: "assessment_submitted".into(),
            payload: "{}".into(),
            create_job: true,
        })
        .collect();
    store.insert_batch(&events).await.unwrap();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut workers = Vec::new();
    for _ in 0..6 {
        let store = store.clone();
        let seen = seen.clone();
        workers.push(tokio::spawn(async move {
            while let Some(job) = store.claim(Duration::from_secs(600)).await.unwrap() {
                seen.lock().unwrap().push(job.id);
            }
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
    let seen = seen.lock().unwrap();
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(seen.len(), 60, "every job claimed");
    assert_eq!(unique.len(), 60, "no job claimed twice");
}

#[tokio::test]
async fn concurrent_workers_never_claim_the_same_job_on_postgresql() {
    each_job_is_claimed_once(Store::connect(&fresh_postgres().await).await.unwrap()).await;
}

#[tokio::test]
async fn concurrent_workers_never_claim_the_same_job_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("q.db").display());
    each_job_is_claimed_once(Store::connect(&url).await.unwrap()).await;
}

#[tokio::test]
async fn a_job_whose_worker_vanished_is_claimed_again_after_its_lease() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("q.db").display()
    ))
    .await
    .unwrap();
    store
        .insert_batch(&[NewEvent {
            dedup_key: "k".into(),
            kind: "assessment_submitted".into(),
            payload: "{}".into(),
            create_job: true,
        }])
        .await
        .unwrap();
    let first = store
        .claim(Duration::from_millis(50))
        .await
        .unwrap()
        .expect("claimed");
    assert!(
        store
            .claim(Duration::from_secs(600))
            .await
            .unwrap()
            .is_none(),
        "leased"
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let again = loop {
        if let Some(job) = store.claim(Duration::from_secs(600)).await.unwrap() {
            break job;
        }
        assert!(std::time::Instant::now() < deadline, "lease never expired");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(again.id, first.id);
    assert_eq!(again.attempts, 2);
}
