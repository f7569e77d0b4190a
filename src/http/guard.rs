//! What protects intake from hostile clients once a request has arrived: the per-client rate
//! limits (all webhooks, and much stricter, refused signatures), the slots of authenticated
//! webhooks handled at once, and the sampled log of refusals.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tracing::warn;

use super::limits::RateLimiter;
use crate::config::{ServerConfig, TrustedProxies};

/// One log line per client address per this period, however many refusals.
pub const REFUSAL_LOG_PERIOD: Duration = Duration::from_secs(60);

/// Addresses remembered by the refusal log before stale ones are forgotten.
const REFUSAL_LOG_ADDRESSES: usize = 10_000;

pub struct Guards {
    /// Authenticated webhooks being handled (body read, recorded, answered); taken only after
    /// authentication, so unauthenticated requests can never take the place of real ones.
    slots: Arc<Semaphore>,
    pub refusals: RefusalLog,
    /// `WEBHOOK_RATE_LIMIT_PER_MINUTE`, per client.
    pub webhooks: RateLimiter,
    /// `WEBHOOK_AUTH_FAILURES_PER_MINUTE`, per client: an exhausted bucket refuses the
    /// client's requests before their signature is even compared, so guessing costs a
    /// minute per few tries.
    pub auth_failures: RateLimiter,
    /// `TRUSTED_PROXIES`: whose `X-Forwarded-For` names the client.
    pub trusted_proxies: TrustedProxies,
}

impl Guards {
    pub fn new(cfg: &ServerConfig) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(cfg.max_in_flight)),
            refusals: RefusalLog::default(),
            webhooks: RateLimiter::new(cfg.rate_limit_per_minute),
            auth_failures: RateLimiter::new(cfg.auth_failures_per_minute),
            trusted_proxies: cfg.trusted_proxies.clone(),
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
    /// The latest refusal's code, reported with the count.
    reason: &'static str,
}

impl RefusalLog {
    pub fn refused(&self, client: IpAddr, reason: &'static str) {
        if let Some(count) = self.count(client, reason, Instant::now()) {
            warn!(code = "webhooks_refused", %client, reason, refusals = count, "webhooks refused (one line per client per minute)");
        }
    }

    /// Logs the refusals counted silently in windows that have ended, so the last minute of
    /// an attack is reported even when no refusal follows it. Called every few seconds.
    pub fn flush(&self) {
        self.log(self.due(Instant::now(), false));
    }

    /// At shutdown: every count not logged yet, whether its window has ended or not.
    pub fn flush_all(&self) {
        self.log(self.due(Instant::now(), true));
    }

    fn log(&self, due: Vec<(IpAddr, &'static str, u64)>) {
        for (client, reason, count) in due {
            warn!(code = "webhooks_refused", %client, reason, refusals = count, "webhooks refused (one line per client per minute)");
        }
    }

    /// Windows ended by `now` (all of them with `all`) with refusals not logged yet: (client,
    /// latest reason, count).
    fn due(&self, now: Instant, all: bool) -> Vec<(IpAddr, &'static str, u64)> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = Vec::new();
        for (client, w) in seen.iter_mut() {
            if w.unlogged > 0 && (all || now.duration_since(w.logged_at) >= REFUSAL_LOG_PERIOD) {
                out.push((*client, w.reason, w.unlogged));
                w.logged_at = now;
                w.unlogged = 0;
            }
        }
        // Quiet clients are forgotten: their next refusal starts a new window.
        seen.retain(|_, w| w.unlogged > 0 || now.duration_since(w.logged_at) < REFUSAL_LOG_PERIOD);
        out
    }

    /// Counts one refusal at `now`; Some(refusals to report) when a line is due.
    fn count(&self, client: IpAddr, reason: &'static str, now: Instant) -> Option<u64> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() >= REFUSAL_LOG_ADDRESSES && !seen.contains_key(&client) {
            seen.retain(|_, w| now.duration_since(w.logged_at) < REFUSAL_LOG_PERIOD);
        }
        match seen.get_mut(&client) {
            Some(w) if now.duration_since(w.logged_at) < REFUSAL_LOG_PERIOD => {
                w.unlogged += 1;
                w.reason = reason;
                None
            }
            Some(w) => {
                let count = w.unlogged + 1;
                w.logged_at = now;
                w.unlogged = 0;
                w.reason = reason;
                Some(count)
            }
            None => {
                seen.insert(
                    client,
                    Window {
                        logged_at: now,
                        unlogged: 0,
                        reason,
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
        assert_eq!(log.count(a, "invalid_signature", t0), Some(1));
        for i in 1..3000 {
            assert_eq!(
                log.count(a, "invalid_signature", t0 + Duration::from_millis(i)),
                None
            );
        }
        assert_eq!(
            log.count(b, "invalid_signature", t0),
            Some(1),
            "another client has its own line"
        );
        assert_eq!(
            log.count(a, "invalid_signature", t0 + REFUSAL_LOG_PERIOD),
            Some(3000)
        );
        assert_eq!(
            log.count(a, "invalid_signature", t0 + REFUSAL_LOG_PERIOD),
            None
        );
    }

    #[test]
    fn the_last_windows_count_is_flushed_when_no_refusal_follows() {
        let log = RefusalLog::default();
        let a: IpAddr = [10, 0, 0, 1].into();
        let t0 = Instant::now();
        assert_eq!(log.count(a, "invalid_signature", t0), Some(1));
        for i in 1..=40 {
            log.count(a, "rate_limited", t0 + Duration::from_millis(i));
        }
        assert!(
            log.due(t0 + REFUSAL_LOG_PERIOD / 2, false).is_empty(),
            "the window is still open"
        );
        assert_eq!(
            log.due(t0 + REFUSAL_LOG_PERIOD, false),
            vec![(a, "rate_limited", 40)],
            "the silent 40 are reported when the window ends"
        );
        assert!(
            log.due(t0 + REFUSAL_LOG_PERIOD * 3, false).is_empty(),
            "reported once"
        );
        assert_eq!(
            log.count(a, "invalid_signature", t0 + REFUSAL_LOG_PERIOD * 3),
            Some(1),
            "a quiet client starts a new window with a line of its own"
        );
        log.count(a, "invalid_signature", t0 + REFUSAL_LOG_PERIOD * 3);
        assert_eq!(
            log.due(t0 + REFUSAL_LOG_PERIOD * 3, true),
            vec![(a, "invalid_signature", 1)],
            "at shutdown, an open window's count too"
        );
    }
}
