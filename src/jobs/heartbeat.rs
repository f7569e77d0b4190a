//! Keeps a running job's lease alive: renews it every lease/3 while the job runs, and says when
//! it is lost (another worker claimed the job after a stall longer than the lease), so that the
//! worker stops before writing anything.

use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tracing::warn;

use crate::db::{Lease, Store, StoreError};

/// Renews until `done` is cancelled; cancels `lost` when the lease is gone.
pub async fn keep_alive(
    store: Store,
    lease: Lease,
    duration: Duration,
    done: CancellationToken,
    lost: CancellationToken,
) {
    let period = duration / 3;
    loop {
        tokio::select! {
            _ = done.cancelled() => return,
            _ = tokio::time::sleep(period) => {}
        }
        match store.renew(&lease, duration).await {
            Ok(()) => {}
            Err(StoreError::LeaseLost(_)) => {
                warn!(
                    job_id = lease.job_id,
                    "lease lost: another worker has taken the job; this worker stops"
                );
                lost.cancel();
                return;
            }
            // The next beat tries again; the lease still has two thirds of its time.
            Err(e) => {
                warn!(job_id = lease.job_id, error = %e, "could not renew the job's lease")
            }
        }
    }
}
