//! What protects intake from hostile clients once a request has arrived: the slots of
//! authenticated webhooks handled at once, and the sampled log of refused signatures.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tracing::warn;

use crate::config::ServerConfig;

/// One log line per client address per this period, however many refusals.
pub const REFUSAL_LOG_PERIOD: Duration = Duration::from_secs(60);

/// Addresses remembered by the refusal log before stale ones are forgotten.
const REFUSAL_LOG_ADDRESSES: usize = 10_000;

pub struct Guards {
    /// Authenticated webhooks being handled (body read, recorded, answered); taken only after
    /// authentication, so unauthenticated requests can never take the place of real ones.
    slots: Arc<Semaphore>,
    pub refusals: RefusalLog,
}

impl Guards {
    pub fn new(cfg: &ServerConfig) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(cfg.max_in_flight)),
            refusals: RefusalLog::default(),
        }
    }

    /// A slot, or None when `WEBHOOK_MAX_IN_FLIGHT` webhooks are being handled already.
    pub fn slot(&self) -> Option<OwnedSemaphorePermit> {
        self.slots.clone().try_acquire_owned().ok()
    }
}

/// Refused webhooks, counted per client address: the first refusal is logged, then at most one
/// line per address per [`REFUSAL_LOG_PERIOD`], carrying how many were refused since the last.
#[derive(Default)]
pub struct RefusalLog {
    seen: Mutex<HashMap<IpAddr, Window>>,
}

struct Window {
    logged_at: Instant,
    unlogged: u64,
}

impl RefusalLog {
    pub fn refused(&self, client: IpAddr, reason: &'static str) {
        if let Some(count) = self.count(client, Instant::now()) {
            warn!(%client, reason, refusals = count, "webhooks refused (one line per client per minute)");
        }
    }

    /// Counts one refusal at `now`; Some(refusals to report) when a line is due.
    fn count(&self, client: IpAddr, now: Instant) -> Option<u64> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() >= REFUSAL_LOG_ADDRESSES && !seen.contains_key(&client) {
            seen.retain(|_, w| now.duration_since(w.logged_at) < REFUSAL_LOG_PERIOD);
        }
        match seen.get_mut(&client) {
            Some(w) if now.duration_since(w.logged_at) < REFUSAL_LOG_PERIOD => {
                w.unlogged += 1;
                None
            }
            Some(w) => {
                let count = w.unlogged + 1;
                w.logged_at = now;
                w.unlogged = 0;
                Some(count)
            }
            None => {
                seen.insert(
                    client,
                    Window {
                        logged_at: now,
                        unlogged: 0,
                    },
                );
                Some(1)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_client_per_minute_with_the_count() {
        let log = RefusalLog::default();
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let t0 = Instant::now();
        assert_eq!(log.count(a, t0), Some(1));
        for i in 1..3000 {
            assert_eq!(log.count(a, t0 + Duration::from_millis(i)), None);
        }
        assert_eq!(log.count(b, t0), Some(1), "another client has its own line");
        assert_eq!(log.count(a, t0 + REFUSAL_LOG_PERIOD), Some(3000));
        assert_eq!(log.count(a, t0 + REFUSAL_LOG_PERIOD), None);
    }
}
