//! The reconciliation sweep's schedule.

use std::time::Duration;

use super::{ConfigError, Source};

#[derive(Debug, Clone)]
pub struct SweepConfig {
    /// `RECONCILE_INTERVAL`: how often the service sweeps for students who completed an
    /// assessment but got no report: minutes, or with a unit (`900s`, `15m`, `1h`); `off` (or
    /// 0) to sweep only by hand (default 15 min). One instance sweeps at a time.
    pub interval: Option<Duration>,
    /// `RECONCILE_DAYS`: how far back the sweep looks, and which assessments count as recently
    /// seen in a webhook (default 30).
    pub days: u32,
}

impl SweepConfig {
    pub(super) fn from_source(src: &Source) -> Result<Self, ConfigError> {
        let interval = match src.get("RECONCILE_INTERVAL") {
            None => Some(Duration::from_secs(15 * 60)),
            Some(raw) => interval(&raw).map_err(|reason| ConfigError::Invalid {
                var: "RECONCILE_INTERVAL",
                reason,
            })?,
        };
        let days: u32 = src.parse("RECONCILE_DAYS", 30)?;
        if days == 0 || days > 366 {
            return Err(ConfigError::Invalid {
                var: "RECONCILE_DAYS",
                reason: format!("{days} is not between 1 and 366"),
            });
        }
        Ok(Self { interval, days })
    }
}

fn interval(raw: &str) -> Result<Option<Duration>, String> {
    let raw = raw.trim().to_ascii_lowercase();
    if raw == "off" || raw == "0" {
        return Ok(None);
    }
    let (number, unit) = match raw.find(|c: char| c.is_ascii_alphabetic()) {
        Some(at) => raw.split_at(at),
        None => (raw.as_str(), "m"),
    };
    let n: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("'{raw}' is not a duration such as 15, 15m, 900s or 1h"))?;
    let seconds = match unit.trim() {
        "s" => n,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        other => return Err(format!("unknown unit '{other}' (use s, m or h)")),
    };
    if !(10.0..=7.0 * 24.0 * 3600.0).contains(&seconds) {
        return Err(format!("'{raw}' is not between 10 s and a week"));
    }
    Ok(Some(Duration::from_secs_f64(seconds)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_are_read_in_minutes_or_with_a_unit() {
        assert_eq!(interval("15"), Ok(Some(Duration::from_secs(900))));
        assert_eq!(interval("900s"), Ok(Some(Duration::from_secs(900))));
        assert_eq!(interval("1h"), Ok(Some(Duration::from_secs(3600))));
        assert_eq!(interval("off"), Ok(None));
        assert!(interval("fortnight").is_err());
        assert!(interval("1s").is_err());
    }
}
