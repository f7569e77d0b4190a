//! One budget of API calls for the whole process: LearnWorlds allows 30 requests per 10 s per
//! school, and every worker shares it.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

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

    /// Waits until a request may be sent, and counts it.
    pub async fn acquire(&self) {
        loop {
            let wait_until = {
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
                    Some(until) if until > now => until,
                    _ if st.sent.len() < self.limit => {
                        st.sent.push_back(now);
                        return;
                    }
                    // The oldest request leaves the window first.
                    _ => st.sent[0] + self.window,
                }
            };
            tokio::time::sleep_until(wait_until).await;
        }
    }

    /// Stops every caller for `pause` (the server said 429: our count and its count disagree,
    /// e.g. another integration of the school uses the same budget).
    pub async fn pause(&self, pause: Duration) {
        let mut st = self.state.lock().await;
        let until = Instant::now() + pause;
        if st.paused_until.is_none_or(|p| p < until) {
            st.paused_until = Some(until);
        }
    }

    /// Back-off after the n-th consecutive 429 (n from 1): a quarter window, doubling, capped at
    /// two windows.
    pub fn backoff(&self, n: u32) -> Duration {
        let quarter = self.window / 4;
        (quarter * 2u32.saturating_pow(n.saturating_sub(1).min(8))).min(self.window * 2)
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
            rl.acquire().await;
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
        rl.acquire().await;
        assert!(start.elapsed() >= Duration::from_secs(3));
    }
}
