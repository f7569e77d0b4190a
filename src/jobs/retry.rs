//! Exponential back-off with jitter, so jobs that failed together do not retry together.

use std::time::Duration;

use rand::Rng;

/// Delay before attempt `attempts + 1`: base × 2^(attempts−1), capped, then scaled by a random
/// factor in [0.5, 1].
pub fn backoff(attempts: u32, base: Duration, max: Duration) -> Duration {
    let exp = base.saturating_mul(2u32.saturating_pow(attempts.saturating_sub(1).min(20)));
    let capped = exp.min(max);
    capped.mul_f64(rand::rng().random_range(0.5..=1.0))
}

/// Delay before a job that waits out an outage looks again: about as long as it has existed
/// (so the waits double), between `base` and `max`, scaled by a random factor in [0.5, 1].
pub fn outage_backoff(age: Duration, base: Duration, max: Duration) -> Duration {
    age.clamp(base, max.max(base))
        .mul_f64(rand::rng().random_range(0.5..=1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outage_wait_grows_with_the_age_of_the_job_within_the_bounds() {
        let (base, max) = (Duration::from_secs(5), Duration::from_secs(900));
        for (age, ceiling) in [(0, 5), (3, 5), (40, 40), (600, 600), (5000, 900)] {
            let d = outage_backoff(Duration::from_secs(age), base, max);
            let ceiling = Duration::from_secs(ceiling);
            assert!(d <= ceiling && d >= ceiling / 2, "age {age}: {d:?}");
        }
    }

    #[test]
    fn grows_exponentially_and_stays_under_the_cap() {
        let base = Duration::from_secs(5);
        let max = Duration::from_secs(900);
        for attempt in 1..=30 {
            let d = backoff(attempt, base, max);
            let ceiling = (base * 2u32.pow((attempt - 1).min(20))).min(max);
            assert!(d <= ceiling && d >= ceiling / 2, "attempt {attempt}: {d:?}");
        }
    }
}
