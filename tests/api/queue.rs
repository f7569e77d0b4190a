//! The queue's claim under concurrency and after a lease expires, on the database of the run
//! (`TEST_DATABASE`).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use webhook_service::db::{NewEvent, Store};

use crate::database::TestDatabase;

fn event(key: &str) -> NewEvent {
    NewEvent {
        dedup_key: key.into(),
        kind: "assessment_submitted".into(),
        payload: "{}".into(),
        create_job: true,
        answers_of: None,
    }
}

#[tokio::test]
async fn concurrent_workers_never_claim_the_same_job() {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(dir.path()).await;
    let store = Store::connect(&database.url).await.unwrap();
    let events: Vec<NewEvent> = (0..60).map(|i| event(&format!("k{i}"))).collect();
    store.insert_batch(&events).await.unwrap();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut workers = Vec::new();
    for _ in 0..6 {
        let store = store.clone();
        let seen = seen.clone();
        workers.push(tokio::spawn(async move {
            while let Some(job) = store.claim(Duration::from_secs(600)).await.unwrap() {
                seen.lock().unwrap().push(job.lease.job_id);
            }
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
    store.close().await;
    let seen = seen.lock().unwrap();
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(seen.len(), 60, "every job claimed");
    assert_eq!(unique.len(), 60, "no job claimed twice");
}

#[tokio::test]
async fn a_job_whose_worker_vanished_is_claimed_again_after_its_lease() {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(dir.path()).await;
    let store = Store::connect(&database.url).await.unwrap();
    store.insert_batch(&[event("k")]).await.unwrap();
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
    store.close().await;
    assert_eq!(again.lease.job_id, first.lease.job_id);
    assert_eq!(again.attempts, 2);
}
