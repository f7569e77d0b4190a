//! Durable intake with group commit: concurrent webhooks share one transaction (and one fsync),
//! and each request is answered only after the transaction holding its event has committed.
//! All or nothing: when any statement or the COMMIT fails, every request of the batch gets the
//! error (503), and the connection is closed, whatever transaction state the failure left it in.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use sqlx::{AnyConnection, Connection};
use tokio::sync::{mpsc, oneshot, Notify};

use super::{now_ms, Backend, Store, StoreError};
use crate::domain::event::NewEvent;
use crate::domain::job::{JobStage, JobState};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    Queued { event_id: i64, job_id: i64 },
    Recorded { event_id: i64 },
    Duplicate,
}

const MAX_BATCH: usize = 512;

type Reply = oneshot::Sender<Result<Inserted, StoreError>>;

/// Front of the writer tasks.
#[derive(Clone)]
pub struct IntakeWriter {
    store: Store,
    writers: Arc<[mpsc::Sender<(NewEvent, Reply)>]>,
    next: Arc<AtomicUsize>,
}

impl IntakeWriter {
    /// Starts the writers. `job_ready` is notified after every commit that queued a job, so
    /// idle workers start at once instead of at their next poll.
    pub fn spawn(store: Store, job_ready: Arc<Notify>) -> Self {
        // SQLite has one writer at a time anyway; PostgreSQL spends most of a batch on round
        // trips, which several transactions in flight overlap. Concurrent copies of one event
        // in two transactions still meet at the unique key: the second sees a duplicate.
        let count = match store.backend() {
            Backend::Sqlite => 1,
            Backend::Postgres => 4,
        };
        let writers = (0..count)
            .map(|_| {
                let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
                tokio::spawn(run(store.clone(), rx, job_ready.clone()));
                tx
            })
            .collect();
        Self {
            store,
            writers,
            next: Arc::default(),
        }
    }

    pub async fn submit(&self, event: NewEvent) -> Result<Inserted, StoreError> {
        // While the database cannot take a write, answer at once rather than try.
        self.store.check_writable().await?;
        let (reply, answer) = oneshot::channel();
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.writers.len();
        self.writers[i]
            .send((event, reply))
            .await
            .map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

async fn run(store: Store, mut rx: mpsc::Receiver<(NewEvent, Reply)>, job_ready: Arc<Notify>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (events, replies): (Vec<NewEvent>, Vec<Reply>) =
            std::mem::take(&mut batch).into_iter().unzip();
        let results = match store.insert_batch(&events).await {
            Ok(results) => results.into_iter().map(Ok).collect(),
            // One bad row must not fail its neighbours: retry each event on its own.
            Err(StoreError::Query(_)) if events.len() > 1 => {
                let mut results = Vec::with_capacity(events.len());
                for event in &events {
                    results.push(
                        store
                            .insert_batch(std::slice::from_ref(event))
                            .await
                            .map(|mut r| r.remove(0)),
                    );
                }
                results
            }
            // The database cannot take the write (full disk, file gone…): all of them fail.
            Err(e) => {
                let message = e.to_string();
                let mut results = vec![Err(e)];
                results.resize_with(events.len(), || {
                    Err(StoreError::NotWritable(message.clone()))
                });
                results
            }
        };
        if results
            .iter()
            .any(|r| matches!(r, Ok(Inserted::Queued { .. })))
        {
            job_ready.notify_waiters();
        }
        for (reply, result) in replies.into_iter().zip(results) {
            let _ = reply.send(result);
        }
    }
}

impl Store {
    /// Records events and their jobs in one transaction: all of them, or (with an error) none.
    pub async fn insert_batch(&self, events: &[NewEvent]) -> Result<Vec<Inserted>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let result = self.write_batch(&mut conn, events).await;
        if result.is_ok() {
            self.health.record_success();
        }
        if let Err(e) = &result {
            // A failed statement or COMMIT may leave the connection inside a transaction
            // (SQLite keeps it open after SQLITE_FULL, or rolled it back behind sqlx's back):
            // it is closed, never given to the next batch.
            conn.close_on_drop();
            if !matches!(e, StoreError::Query(_)) {
                self.health.record_failure(e);
            }
        }
        result
    }

    async fn write_batch(
        &self,
        conn: &mut AnyConnection,
        events: &[NewEvent],
    ) -> Result<Vec<Inserted>, StoreError> {
        if conn.is_in_transaction() {
            return Err(StoreError::NotWritable(
                "a connection was left inside a transaction".into(),
            ));
        }
        let mut tx = conn.begin().await?;
        let mut results = Vec::with_capacity(events.len());
        for event in events {
            results.push(insert_one(&mut tx, event).await?);
        }
        // A file deleted under the service would take the commit to an unlinked inode.
        self.health.check_file()?;
        tx.commit().await?;
        Ok(results)
    }
}

async fn insert_one(tx: &mut AnyConnection, event: &NewEvent) -> Result<Inserted, StoreError> {
    let now = now_ms();
    let event_id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO events (dedup_key, kind, received_at, payload) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
    )
    .bind(&event.dedup_key)
    .bind(&event.kind)
    .bind(now)
    .bind(&event.payload)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(event_id) = event_id else {
        return Ok(Inserted::Duplicate);
    };
    if !event.create_job {
        return Ok(Inserted::Recorded { event_id });
    }
    let (assessment_id, user_id) = match &event.answers_of {
        Some(a) => (Some(a.assessment_id.as_str()), Some(a.user_id.as_str())),
        None => (None, None),
    };
    let job_id: i64 = sqlx::query_scalar(
        "INSERT INTO jobs (event_id, state, stage, run_at, created_at, updated_at, \
         assessment_id, user_id) VALUES ($1, $3, $4, $2, $2, $2, $5, $6) RETURNING id",
    )
    .bind(event_id)
    .bind(now)
    .bind(JobState::Queued.as_str())
    .bind(JobStage::Fetch.as_str())
    .bind(assessment_id)
    .bind(user_id)
    .fetch_one(&mut *tx)
    .await?;
    Ok(Inserted::Queued { event_id, job_id })
}
