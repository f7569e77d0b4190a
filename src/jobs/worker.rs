//! The durable job queue and its workers.

mod error;
mod pipeline;
mod retry;

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn, Instrument};

pub use error::JobError;
pub use pipeline::Pipeline;
pub use retry::backoff;

use crate::config::QueueConfig;
use crate::store::{now_ms, Store, StoreError};

pub struct Queue {
    pipeline: Arc<Pipeline>,
    store: Store,
    cfg: QueueConfig,
    /// Woken by the intake when a job is queued.
    job_ready: Arc<Notify>,
    in_flight: Mutex<HashSet<i64>>,
    stats: Stats,
}

#[derive(Default)]
struct Stats {
    delivered: AtomicU64,
    failed: AtomicU64,
}

/// What happened to a job taken from the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Retrying,
    Dead,
}

impl Queue {
    pub fn new(pipeline: Arc<Pipeline>, cfg: QueueConfig, job_ready: Arc<Notify>) -> Self {
        Self {
            store: pipeline.store.clone(),
            pipeline,
            cfg,
            job_ready,
            in_flight: Mutex::default(),
            stats: Stats::default(),
        }
    }

    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// Takes one due job and runs it. None when nothing is due.
    pub async fn process_next(&self) -> Result<Option<Outcome>, StoreError> {
        let Some(mut job) = self.store.claim(self.cfg.lease).await? else {
            return Ok(None);
        };
        let id = job.id;
        self.in_flight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id);
        let span = tracing::info_span!("job", job_id = id, attempt = job.attempts);
        let pipeline = self.pipeline.clone();
        // A separate task, so that a bug that panics fails this job instead of the worker.
        let result = tokio::spawn(
            async move {
                let r = pipeline.run(&mut job).await;
                (r, job)
            }
            .instrument(span.clone()),
        )
        .await;
        let outcome = async {
            match result {
                Ok((Ok(()), _)) => {
                    self.stats.delivered.fetch_add(1, Ordering::Relaxed);
                    Ok(Outcome::Done)
                }
                Ok((Err(e), job)) => {
                    self.failed(job.id, job.attempts, job.stage.as_str(), e)
                        .await
                }
                Err(join) => {
                    let e = JobError::transient(
                        "internal_error",
                        format!("the job stopped unexpectedly: {join}"),
                    );
                    self.failed(id, self.cfg.max_attempts, "unknown", e).await
                }
            }
        }
        .instrument(span)
        .await;
        self.in_flight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
        outcome.map(Some)
    }

    async fn failed(
        &self,
        id: i64,
        attempts: u32,
        stage: &str,
        e: JobError,
    ) -> Result<Outcome, StoreError> {
        self.stats.failed.fetch_add(1, Ordering::Relaxed);
        if e.permanent || attempts >= self.cfg.max_attempts {
            error!(stage, code = e.code, attempts, error = %e.message, "job is dead: it will not be retried (see `webhook-service status`, `webhook-service requeue`)");
            self.store.bury(id, e.code, &e.message).await?;
            return Ok(Outcome::Dead);
        }
        let delay = backoff(attempts, self.cfg.retry_base, self.cfg.retry_max);
        warn!(stage, code = e.code, attempts, retry_in_s = delay.as_secs_f64(), error = %e.message, "job failed, will retry");
        self.store
            .retry_later(id, now_ms() + delay.as_millis() as i64, e.code, &e.message)
            .await?;
        Ok(Outcome::Retrying)
    }

    /// Runs due jobs until none is left; returns how many ran. Tests and one-shot commands use
    /// this instead of background workers.
    pub async fn drain(&self) -> Result<usize, StoreError> {
        let mut n = 0;
        while self.process_next().await?.is_some() {
            n += 1;
        }
        Ok(n)
    }

    /// Background workers until `shutdown`; then in-flight jobs get `grace` to finish and are
    /// returned to the queue otherwise.
    pub async fn run_workers(self: Arc<Self>, shutdown: CancellationToken, grace: Duration) {
        if self.cfg.workers == 0 {
            return;
        }
        let tasks = tokio_util::task::TaskTracker::new();
        for n in 0..self.cfg.workers {
            let q = self.clone();
            let stop = shutdown.clone();
            tasks.spawn(async move { q.worker_loop(n, stop).await });
        }
        tasks.spawn(self.clone().watchdog(shutdown.clone()));
        tasks.close();
        shutdown.cancelled().await;
        if tokio::time::timeout(grace, tasks.wait()).await.is_err() {
            let ids: Vec<i64> = self
                .in_flight
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .iter()
                .copied()
                .collect();
            for id in ids {
                match self.store.release(id).await {
                    Ok(()) => warn!(
                        job_id = id,
                        "shutdown: job returned to the queue unfinished"
                    ),
                    Err(e) => {
                        error!(job_id = id, error = %e, "shutdown: could not return job to the queue; it will be retried when its lease expires")
                    }
                }
            }
        }
    }

    async fn worker_loop(&self, n: usize, stop: CancellationToken) {
        while !stop.is_cancelled() {
            let notified = self.job_ready.notified();
            match self.process_next().await {
                Ok(Some(_)) => continue,
                Ok(None) => {}
                Err(e) => error!(worker = n, error = %e, "cannot read the job queue"),
            }
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = notified => {}
                _ = tokio::time::sleep(self.cfg.poll_interval) => {}
            }
        }
    }

    /// A run that sends nothing must say so loudly: the Python version once failed every job
    /// for days while looking healthy.
    async fn watchdog(self: Arc<Self>, stop: CancellationToken) {
        let period = Duration::from_secs(600);
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(period) => {}
            }
            let delivered = self.stats.delivered.swap(0, Ordering::Relaxed);
            let failed = self.stats.failed.swap(0, Ordering::Relaxed);
            if failed > 0 && delivered == 0 {
                error!(failed, "no report was delivered in the last 10 minutes while jobs kept failing: check `webhook-service status`");
            } else if delivered + failed > 0 {
                info!(delivered, failed, "reports in the last 10 minutes");
            }
        }
    }
}
