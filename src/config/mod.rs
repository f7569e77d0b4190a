//! One typed configuration, loaded from environment variables (the seed's names), `.env` and an
//! optional file, validated once at start-up. Every variable is documented in README.md and
//! `env.template`.

mod admin;
mod alerts;
mod mail;
mod report;
mod runtime;
mod secret;
mod sections;
mod server;
mod source;
mod storage;
mod sweep;

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

pub use admin::DashboardConfig;
pub use alerts::AlertConfig;
pub use mail::*;
pub use report::*;
pub use runtime::*;
pub use secret::Secret;
pub use sections::*;
pub use server::*;
pub use source::Source;
pub use storage::StorageConfig;
pub use sweep::SweepConfig;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration error: {var}: {reason}")]
    Invalid { var: &'static str, reason: String },
    #[error("configuration error: {var} is required {when}")]
    Missing {
        var: &'static str,
        when: &'static str,
    },
    #[error("configuration error: cannot read {path}: {reason}")]
    File { path: String, reason: String },
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `HOST`: address to listen on (default `0.0.0.0`).
    pub host: IpAddr,
    /// `PORT`: HTTP port (default 8080; 0 picks a free port).
    pub port: u16,
    /// Timeouts and connection caps of the HTTP server.
    pub server: ServerConfig,
    /// `DATA_DIR`: root of local storage, the default SQLite file and the outbox (default `.`).
    pub data_dir: PathBuf,
    /// `DATABASE_URL`: `sqlite://…` or `postgres://…` (default `<DATA_DIR>/webhook-service.db`).
    pub database_url: String,
    pub storage: StorageConfig,
    pub webhook: WebhookConfig,
    pub learnworlds: LearnWorldsConfig,
    pub mail: MailConfig,
    pub alerts: AlertConfig,
    pub queue: QueueConfig,
    pub sweep: SweepConfig,
    pub report: ReportConfig,
    pub log: LogConfig,
    /// `SHUTDOWN_GRACE_SECONDS`: how long SIGTERM waits for in-flight jobs before returning
    /// them to the queue (default 8; Cloud Run kills the container 10 s after SIGTERM).
    pub shutdown_grace: Duration,
    /// `ADMIN_TOKEN`: enables the dashboard (`/admin`, a login with this token) and
    /// `GET /admin/status` with `Authorization: Bearer <token>`.
    pub admin_token: Option<Secret>,
    pub dashboard: DashboardConfig,
}

impl Config {
    /// Loads from the process environment, `.env` and `config_file`.
    pub fn load(config_file: Option<&std::path::Path>) -> Result<Self, ConfigError> {
        Self::from_source(&Source::load(config_file)?)
    }

    pub fn from_source(src: &Source) -> Result<Self, ConfigError> {
        let data_dir = PathBuf::from(src.get("DATA_DIR").unwrap_or_else(|| ".".into()));
        let database_url = src.get("DATABASE_URL").unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("webhook-service.db").display()
            )
        });
        if !(database_url.starts_with("sqlite:") || database_url.starts_with("postgres")) {
            return Err(ConfigError::Invalid {
                var: "DATABASE_URL",
                reason: "must start with sqlite:// or postgres://".into(),
            });
        }
        let config = Self {
            host: src.parse("HOST", IpAddr::from([0, 0, 0, 0]))?,
            port: src.parse("PORT", 8080u16)?,
            server: ServerConfig::from_source(src)?,
            database_url,
            storage: StorageConfig::from_source(src)?,
            webhook: WebhookConfig::from_source(src)?,
            learnworlds: LearnWorldsConfig::from_source(src)?,
            mail: MailConfig::from_source(src)?,
            alerts: AlertConfig::from_source(src)?,
            queue: QueueConfig::from_source(src)?,
            sweep: SweepConfig::from_source(src)?,
            report: ReportConfig::from_source(src)?,
            log: LogConfig::from_source(src)?,
            shutdown_grace: seconds(src, "SHUTDOWN_GRACE_SECONDS", 8.0)?,
            admin_token: src.get("ADMIN_TOKEN").map(Secret::new),
            dashboard: DashboardConfig::from_source(src)?,
            data_dir,
        };
        config.check_lease()?;
        Ok(config)
    }

    /// The longest one stage can wait on one outside call, by the timeouts configured: a
    /// conversion may be tried twice (the pool retries once on a crashed instance).
    pub fn longest_stage_wait(&self) -> (Duration, &'static str) {
        let convert = self.report.convert_timeout * 2;
        let candidates = [
            (convert, "twice CONVERT_TIMEOUT_SECONDS"),
            (self.learnworlds.timeout, "HTTP_TIMEOUT_SECONDS"),
            (
                self.mail
                    .smtp
                    .as_ref()
                    .map(|s| s.timeout)
                    .or(self.mail.sendgrid.as_ref().map(|s| s.timeout))
                    .unwrap_or(Duration::ZERO),
                "SMTP_TIMEOUT_SECONDS",
            ),
        ];
        candidates
            .into_iter()
            .max_by_key(|(d, _)| *d)
            .unwrap_or((Duration::ZERO, ""))
    }

    /// A lease shorter than one stage's longest wait would let a second worker take a job
    /// whose first worker is merely waiting, and the heartbeat renews only every lease/3.
    fn check_lease(&self) -> Result<(), ConfigError> {
        let (longest, which) = self.longest_stage_wait();
        if self.queue.lease < longest {
            return Err(ConfigError::Invalid {
                var: "JOB_LEASE_SECONDS",
                reason: format!(
                    "{} s is shorter than the longest wait of a stage ({which} = {} s); raise JOB_LEASE_SECONDS or lower that timeout",
                    self.queue.lease.as_secs_f64(),
                    longest.as_secs_f64()
                ),
            });
        }
        Ok(())
    }

    /// Where emails go when no SMTP server is configured.
    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }
}

pub(crate) fn seconds(
    src: &Source,
    var: &'static str,
    default: f64,
) -> Result<Duration, ConfigError> {
    let v: f64 = src.parse(var, default)?;
    if !(0.0..=86_400.0).contains(&v) {
        return Err(ConfigError::Invalid {
            var,
            reason: format!("{v} is outside 0..86400 seconds"),
        });
    }
    Ok(Duration::from_secs_f64(v))
}

#[cfg(test)]
mod tests;
