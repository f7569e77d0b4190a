//! Queue and logging settings.

use std::time::Duration;

use super::{seconds, ConfigError, Source};

#[derive(Debug, Clone)]
pub struct QueueConfig {
    /// `WORKERS`: jobs processed concurrently (default: number of CPUs; 0 = intake only).
    pub workers: usize,
    /// `JOB_MAX_ATTEMPTS`: attempts before a job is `dead` (default 8).
    pub max_attempts: u32,
    /// `RETRY_BASE_SECONDS` / `RETRY_MAX_SECONDS`: exponential back-off bounds (5 s, 15 min).
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// `JOB_LEASE_SECONDS`: a running job whose worker vanished is retried after this (600).
    pub lease: Duration,
    /// `QUEUE_POLL_SECONDS`: idle workers look for due retries this often (default 1).
    pub poll_interval: Duration,
}

impl QueueConfig {
    pub(super) fn from_source(src: &Source) -> Result<Self, ConfigError> {
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        let max_attempts: u32 = src.parse("JOB_MAX_ATTEMPTS", 8)?;
        if max_attempts == 0 {
            return Err(ConfigError::Invalid {
                var: "JOB_MAX_ATTEMPTS",
                reason: "must be at least 1".into(),
            });
        }
        let workers: usize = src.parse("WORKERS", cpus)?;
        if workers > 256 {
            return Err(ConfigError::Invalid {
                var: "WORKERS",
                reason: format!("{workers} is more than 256"),
            });
        }
        Ok(Self {
            workers,
            max_attempts,
            retry_base: seconds(src, "RETRY_BASE_SECONDS", 5.0)?,
            retry_max: seconds(src, "RETRY_MAX_SECONDS", 900.0)?,
            lease: seconds(src, "JOB_LEASE_SECONDS", 600.0)?,
            poll_interval: seconds(src, "QUEUE_POLL_SECONDS", 1.0)?,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    /// JSON lines with Cloud Logging's `severity`.
    Json,
}

#[derive(Debug, Clone)]
pub struct LogConfig {
    /// `LOG_FORMAT`: `text` or `json` (default json when `K_SERVICE` is set, i.e. on Cloud Run).
    pub format: LogFormat,
    /// `DEBUG=true`: debug level. `RUST_LOG` overrides both when set.
    pub debug: bool,
}

impl LogConfig {
    pub(super) fn from_source(src: &Source) -> Result<Self, ConfigError> {
        let format = match src
            .get("LOG_FORMAT")
            .map(|s| s.to_ascii_lowercase())
            .as_deref()
        {
            Some("json") => LogFormat::Json,
            Some("text") => LogFormat::Text,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    var: "LOG_FORMAT",
                    reason: format!("'{other}' is not one of text, json"),
                })
            }
            None if src.get("K_SERVICE").is_some() => LogFormat::Json,
            None => LogFormat::Text,
        };
        Ok(Self {
            format,
            debug: src.flag("DEBUG", false)?,
        })
    }
}
