//! The budget of API calls: LearnWorlds allows 30 requests per 10 s per school, and every
//! caller shares it. [`RateLimiter`] keeps it for one process; the service shares it between
//! instances through the database (`jobs::SharedBudget`), with this as its fall-back.

use std::collections::VecDeque;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// Who asks: the reconciliation sweep leaves a third of the budget to the jobs of students
/// waiting for their report; a nicety (the student's name for the greeting) takes only a slot
/// that is free at once within half the budget, so in a burst it never delays a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    Job,
    Sweep,
    Spare,
}

impl Priority {
    /// The requests per window a caller of this priority may use.
    pub fn share_of(self, limit: u32) -> u32 {
        match self {
            Self::Job => limit,
            Self::Sweep => (limit * 2 / 3).max(1),
            Self::Spare => (limit / 2).max(1),
        }
    }
}

/// Where API calls are counted.
#[async_trait]
pub trait ApiBudget: Send + Sync {
    /// Waits until a request may be sent, and counts it.
    async fn acquire(&self, priority: Priority);
    /// Counts a request of `priority` only if it may be sent now; never waits.
    async fn try_acquire(&self, priority: Priority) -> bool;
    /// Stops every caller for `pause` (the server said 429).
    async fn pause(&self, pause: Duration);
    /// The window the budget is counted over.
    fn window(&self) -> Duration;

    /// Back-off after the n-th consecutive 429 (n from 1): a quarter window, doubling, capped
    /// at two windows.
    fn backoff(&self, n: u32) -> Duration {
        let window = self.window();
        ((window / 4) * 2u32.saturating_pow(n.saturating_sub(1).min(8))).min(window * 2)
    }
}

/// The budget of one process.
#[derive(Debug)]
pub struct RateLimiter {
    limit: usize,
    window: Duration,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// Start times of the requests made in the current window, oldest first.
    sent: VecDeque<Instant>,
    /// After a 429 nobody sends until then.
    paused_until: Option<Instant>,
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit: limit.max(1) as usize,
            window,
            state: Mutex::new(State {
                sent: VecDeque::new(),
                paused_until: None,
            }),
        }
    }

    /// Waits until a request of `priority` may be sent, and counts it.
    pub async fn acquire_as(&self, priority: Priority) {
        while let Err(wait_until) = self.take(priority).await {
            tokio::time::sleep_until(wait_until).await;
        }
    }

    /// Counts a request of `priority` if it may be sent now, else says when to look again.
    async fn take(&self, priority: Priority) -> Result<(), Instant> {
        let limit = priority.share_of(self.limit as u32) as usize;
        let mut st = self.state.lock().await;
        let now = Instant::now();
        while st
            .sent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            st.sent.pop_front();
        }
        match st.paused_until {
            Some(until) if until > now => Err(until),
            _ if st.sent.len() < limit => {
                st.sent.push_back(now);
                Ok(())
            }
            // Below this caller's share again once enough of the oldest have left.
            _ => Err(st.sent[st.sent.len() - limit] + self.window),
        }
    }

    pub async fn try_acquire_as(&self, priority: Priority) -> bool {
        self.take(priority).await.is_ok()
    }

    /// Stops every caller for `pause` (the server said 429: our count and its count disagree,
    /// e.g. another integration of the school uses the same budget).
    pub async fn pause_all(&self, pause: Duration) {
        let mut st = self.state.lock().await;
        let until = Instant::now() + pause;
        if st.paused_until.is_none_or(|p| p < until) {
            st.paused_until = Some(until);
        }
    }
}

#[async_trait]
impl ApiBudget for RateLimiter {
    async fn acquire(&self, priority: Priority) {
        self.acquire_as(priority).await
    }

    async fn try_acquire(&self, priority: Priority) -> bool {
        self.try_acquire_as(priority).await
    }

    async fn pause(&self, pause: Duration) {
        self.pause_all(pause).await
    }

    fn window(&self) -> Duration {
        self.window
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn never_more_than_limit_requests_in_any_window() {
        let rl = RateLimiter::new(3, Duration::from_secs(10));
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..7 {
            rl.acquire(Priority::Job).await;
            times.push(start.elapsed());
        }
        for w in times.windows(4) {
            assert!(w[3] - w[0] >= Duration::from_secs(10), "{times:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn pause_holds_everyone() {
        let rl = RateLimiter::new(30, Duration::from_secs(10));
        rl.pause(Duration::from_secs(3)).await;
        let start = Instant::now();
        rl.acquire(Priority::Job).await;
        assert!(start.elapsed() >= Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn the_sweep_leaves_a_third_of_the_window_to_jobs() {
        let rl = RateLimiter::new(30, Duration::from_secs(10));
        let start = Instant::now();
        for _ in 0..20 {
            rl.acquire(Priority::Sweep).await;
        }
        assert!(start.elapsed() < Duration::from_secs(1));
        rl.acquire(Priority::Sweep).await;
        assert!(start.elapsed() >= Duration::from_secs(10));
        // Jobs still had their ten slots in the first window.
        let rl = RateLimiter::new(30, Duration::from_secs(10));
        for _ in 0..20 {
            rl.acquire(Priority::Sweep).await;
        }
        let start = Instant::now();
        for _ in 0..10 {
            rl.acquire(Priority::Job).await;
        }
        assert!(start.elapsed() < Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_spare_request_takes_a_free_slot_within_half_the_window_and_never_waits() {
        let rl = RateLimiter::new(30, Duration::from_secs(10));
        assert!(
            rl.try_acquire(Priority::Spare).await,
            "a quiet budget spares one"
        );
        for _ in 0..13 {
            rl.acquire(Priority::Job).await;
        }
        assert!(
            rl.try_acquire(Priority::Spare).await,
            "15th request: still within half"
        );
        assert!(
            !rl.try_acquire(Priority::Spare).await,
            "past half: refused, not queued"
        );
        for _ in 0..15 {
            rl.acquire(Priority::Job).await;
        }
        rl.pause(Duration::from_secs(3)).await;
        tokio::time::advance(Duration::from_secs(11)).await;
        assert!(
            rl.try_acquire(Priority::Spare).await,
            "a new window spares again"
        );
    }
}
