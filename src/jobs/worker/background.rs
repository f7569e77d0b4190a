//! The background workers: one loop per `WORKERS` claiming due jobs, woken by intake or the
//! poll interval; a graceful shutdown that returns unfinished jobs; and the watchdog that
//! says loudly when nothing is delivered while jobs fail.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use super::Queue;
use crate::db::{Lease, StoreError};

impl Queue {
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
            let leases: Vec<Lease> = self.lock_in_flight().values().copied().collect();
            for lease in leases {
                let id = lease.job_id;
                match self.store.release(&lease).await {
                    Ok(()) => warn!(
                        job_id = id,
                        "shutdown: job returned to the queue unfinished"
                    ),
                    Err(StoreError::LeaseLost(_)) => {}
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
