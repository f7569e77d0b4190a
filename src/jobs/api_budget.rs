//! The LearnWorlds budget every instance shares, kept in the database (see `db::api_budget`).

use std::time::Duration;

use async_trait::async_trait;
use tracing::warn;

use crate::db::Store;
use crate::learnworlds::{ApiBudget, Priority, RateLimiter};

/// The server counts requests when they arrive, we when we send: leave a margin for the
/// difference (a request that waited for a connection arrives late).
fn margin(window: Duration) -> Duration {
    (window / 10).min(Duration::from_secs(1))
}

pub struct SharedBudget {
    store: Store,
    limit: u32,
    window: Duration,
    /// While the database cannot be reached, this process keeps its own count.
    fallback: RateLimiter,
}

impl SharedBudget {
    pub fn new(store: Store, limit: u32, window: Duration) -> Self {
        Self {
            store,
            limit: limit.max(1),
            window,
            fallback: RateLimiter::new(limit, window + margin(window)),
        }
    }
}

#[async_trait]
impl ApiBudget for SharedBudget {
    async fn acquire(&self, priority: Priority) {
        let window_ms = (self.window + margin(self.window)).as_millis() as i64;
        loop {
            match self
                .store
                .take_api_slot(priority.share_of(self.limit), window_ms)
                .await
            {
                Ok(None) => return,
                Ok(Some(wait_ms)) => {
                    tokio::time::sleep(Duration::from_millis(wait_ms.clamp(1, 60_000) as u64)).await
                }
                Err(e) => {
                    warn!(code = "api_budget_unavailable", error = %e, "the shared LearnWorlds budget cannot be read; counting in this process only");
                    self.fallback.acquire_as(priority).await;
                    return;
                }
            }
        }
    }

    async fn try_acquire(&self, priority: Priority) -> bool {
        let window_ms = (self.window + margin(self.window)).as_millis() as i64;
        match self
            .store
            .take_api_slot(priority.share_of(self.limit), window_ms)
            .await
        {
            Ok(taken) => taken.is_none(),
            Err(e) => {
                warn!(code = "api_budget_unavailable", error = %e, "the shared LearnWorlds budget cannot be read; counting in this process only");
                self.fallback.try_acquire_as(priority).await
            }
        }
    }

    async fn pause(&self, pause: Duration) {
        self.fallback.pause_all(pause).await;
        if let Err(e) = self.store.pause_api(pause.as_millis() as i64).await {
            warn!(code = "api_budget_unavailable", error = %e, "could not share the LearnWorlds pause with other instances");
        }
    }

    fn window(&self) -> Duration {
        self.window
    }
}
