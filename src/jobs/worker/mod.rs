//! The workers: claim a due job, keep its lease alive while it runs, record the outcome.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn, Instrument};

mod background;

use super::failpoint::{self, FailPoint};
use super::heartbeat::keep_alive;
use super::{backoff, outage_backoff, Deps, Disposition, JobRecord, StageError};
use crate::alerts::rfc3339;
use crate::config::QueueConfig;
use crate::db::{now_ms, Lease, Store, StoreError};
use crate::domain::job::JobStage;

pub struct Queue {
    deps: Arc<Deps>,
    store: Store,
    cfg: QueueConfig,
    /// Woken by the intake when a job is queued.
    job_ready: Arc<Notify>,
    /// Leases of the jobs running in this process, to return them to the queue at shutdown.
    in_flight: Mutex<HashMap<i64, Lease>>,
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
    /// Another worker took the job over (this one's lease ran out); nothing was written.
    LeaseLost,
    /// Held by a mail park or the sending limits: queued again for later, attempt not used.
    Waiting,
}

impl Queue {
    pub fn new(deps: Arc<Deps>, cfg: QueueConfig, job_ready: Arc<Notify>) -> Self {
        Self {
            store: deps.store.clone(),
            deps,
            cfg,
            job_ready,
            in_flight: Mutex::default(),
            stats: Stats::default(),
        }
    }

    pub fn deps(&self) -> &Deps {
        &self.deps
    }

    /// Wakes idle workers: the operator made jobs due (retry now, requeue, reroute).
    pub fn wake(&self) {
        self.job_ready.notify_waiters();
    }

    /// Takes one due job and runs it. None when nothing is due.
    pub async fn process_next(&self) -> Result<Option<Outcome>, StoreError> {
        let Some(claimed) = self.store.claim(self.cfg.lease).await? else {
            return Ok(None);
        };
        let lease = claimed.lease;
        let (stage, attempts, created_at) = (claimed.stage, claimed.attempts, claimed.created_at);
        let span = tracing::info_span!("job", job_id = lease.job_id, attempt = attempts);
        self.lock_in_flight().insert(lease.job_id, lease);
        failpoint::hit(FailPoint::AfterClaim);
        let done = CancellationToken::new();
        let lost = CancellationToken::new();
        tokio::spawn(keep_alive(
            self.store.clone(),
            lease,
            self.cfg.lease,
            done.clone(),
            lost.clone(),
        ));
        let deps = self.deps.clone();
        // A separate task, so that a bug that panics fails this job instead of the worker.
        let result = tokio::spawn(
            async move {
                let mut job = match JobRecord::parse(claimed) {
                    Ok(job) => job,
                    Err(e) => return (Err(e), stage),
                };
                // A lost lease stops the stage where it is: the new holder redoes it.
                let r = tokio::select! {
                    r = super::run(&deps, &mut job) => r,
                    _ = lost.cancelled() => Err(StageError::lease_lost(job.id)),
                };
                (r, job.stage)
            }
            .instrument(span.clone()),
        )
        .await;
        done.cancel();
        let outcome = async {
            match result {
                Ok((Ok(()), _)) => {
                    self.stats.delivered.fetch_add(1, Ordering::Relaxed);
                    Ok(Outcome::Done)
                }
                Ok((Err(e), stage)) => self.failed(&lease, (attempts, created_at), stage, e).await,
                Err(join) => {
                    let e = StageError::transient(
                        "internal_error",
                        format!("the job stopped unexpectedly: {join}"),
                    );
                    self.failed(&lease, (self.cfg.max_attempts, created_at), stage, e)
                        .await
                }
            }
        }
        .instrument(span)
        .await;
        self.lock_in_flight().remove(&lease.job_id);
        crate::telemetry::metrics::job_finished(match &outcome {
            Ok(Outcome::Done) => "done",
            Ok(Outcome::Retrying) => "retrying",
            Ok(Outcome::Dead) => "dead",
            Ok(Outcome::Waiting) => "waiting",
            Ok(Outcome::LeaseLost) | Err(StoreError::LeaseLost(_)) => "lease_lost",
            Err(_) => "unrecorded",
        });
        match outcome {
            // Losing the job between the stage and recording its failure is the same outcome.
            Err(StoreError::LeaseLost(_)) => Ok(Some(Outcome::LeaseLost)),
            other => other.map(Some),
        }
    }

    fn lock_in_flight(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Lease>> {
        self.in_flight.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `job`: the attempts used (this one included) and when the job was queued.
    async fn failed(
        &self,
        lease: &Lease,
        job: (u32, i64),
        stage: JobStage,
        e: StageError,
    ) -> Result<Outcome, StoreError> {
        let (attempts, created_at) = job;
        let stage = stage.as_str();
        if e.disposition == Disposition::LeaseLost {
            warn!(
                stage,
                "another worker took the job over; this attempt stops without writing"
            );
            return Ok(Outcome::LeaseLost);
        }
        if let Disposition::WaitUntil(until) = e.disposition {
            info!(stage, code = e.code, reason = %e.message, "job waits; this attempt does not count");
            self.store.defer(lease, until, e.code, &e.message).await?;
            return Ok(Outcome::Waiting);
        }
        self.stats.failed.fetch_add(1, Ordering::Relaxed);
        if e.disposition == Disposition::Outage {
            let age = Duration::from_millis(now_ms().saturating_sub(created_at).max(0) as u64);
            let delay = outage_backoff(age, self.cfg.retry_base, self.cfg.retry_max);
            let until = now_ms() + delay.as_millis() as i64;
            let reason = format!(
                "{}; waiting for LearnWorlds to recover, next look at {} (an outage uses no attempts)",
                e.message,
                rfc3339(until)
            );
            warn!(stage, code = e.code, retry_in_s = delay.as_secs_f64(), error = %e.message, "LearnWorlds is failing: job waits without using an attempt");
            self.store.defer(lease, until, e.code, &reason).await?;
            return Ok(Outcome::Waiting);
        }
        if e.is_permanent() || attempts >= self.cfg.max_attempts {
            error!(stage, code = e.code, attempts, error = %e.message, "job is dead: it will not be retried (see `webhook-service status`, `webhook-service requeue`)");
            self.store.bury(lease, e.code, &e.message).await?;
            self.deps
                .alerts
                .job_dead(lease.job_id, stage, e.code, attempts)
                .await;
            return Ok(Outcome::Dead);
        }
        let delay = backoff(attempts, self.cfg.retry_base, self.cfg.retry_max);
        warn!(stage, code = e.code, attempts, retry_in_s = delay.as_secs_f64(), error = %e.message, "job failed, will retry");
        self.store
            .retry_later(
                lease,
                now_ms() + delay.as_millis() as i64,
                e.code,
                &e.message,
            )
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
}
