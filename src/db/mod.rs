//! The database: events, jobs and the intermediate artifacts of running jobs, in SQLite
//! (default) or PostgreSQL through one set of queries.

mod alerts;
mod api_budget;
mod attempts;
mod dashboard;
mod fetched;
mod health;
mod intake;
mod jobs;
mod lease;
mod lists;
mod mail;
mod operator;
mod query;
mod resends;
mod sessions;
mod status;
mod submission_detail;
mod submissions;
mod sweep;
mod template_changes;

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Connection, Executor};

pub use crate::domain::event::NewEvent;
pub use alerts::{PendingAlert, WAIT_PACED, WAIT_PARKED};
pub use attempts::Attempt;
pub use dashboard::{Overview, Period};
pub use fetched::FetchedSubmission;
pub use intake::{Inserted, IntakeWriter};
pub use jobs::StageOutput;
pub use lease::{ClaimedJob, Lease};
pub use lists::{Delivery, QueueHealth, UnroutableSummary, WaitingJob, UNROUTABLE_KIND};
pub use mail::{MailPark, SendSlot};
pub use operator::{ActionOutcome, Requeue};
pub use query::StatusQuery;
pub use resends::DeliveredJob;
pub use status::{JobSummary, StatusReport};
pub use submissions::{
    Recorded, SubmissionDetail, SubmissionFilter, SubmissionPage, SubmissionRow, PAGE_SIZE,
};
pub use sweep::{SweepRun, SweepTotals};
pub use template_changes::{NewTemplateChange, TemplateChangeRow};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or refused the write; callers answer 503 / retry later.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    #[error("database query failed: {0}")]
    Query(#[source] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database cannot take a write now (full disk, file deleted, failed write probe).
    #[error("database cannot take writes: {0}")]
    NotWritable(String),
    /// An operator's command found no service database where the configuration points.
    #[error("no webhook-service database: {0}")]
    NoDatabase(String),
    #[error("the intake writer has stopped")]
    WriterGone,
    /// Another worker holds job {0} now (this worker's lease ran out): stop, write nothing.
    #[error("job {0} was taken over by another worker after this worker's lease expired")]
    LeaseLost(i64),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => Self::Unavailable(e),
            sqlx::Error::Database(ref db) if is_busy(db.as_ref()) => Self::Unavailable(e),
            other => Self::Query(other),
        }
    }
}

fn is_busy(db: &dyn sqlx::error::DatabaseError) -> bool {
    // SQLITE_BUSY / SQLITE_FULL / SQLITE_IOERR, PostgreSQL connection-class (08xxx) and
    // "cannot connect now" / admin-shutdown (57Pxx) errors are all "try again later".
    matches!(
        db.code().as_deref(),
        Some("5" | "13" | "10" | "517" | "261")
    ) || db
        .code()
        .is_some_and(|c| c.starts_with("08") || c.starts_with("57P"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    health: Arc<health::Health>,
}

impl Store {
    /// Connects and applies the migrations shipped in the repository (the service: creates
    /// a SQLite file that does not exist yet).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::open(url, true).await
    }

    /// For the operator's commands: opens the service's existing database and never creates
    /// one. A SQLite file that is not there, a PostgreSQL database that does not exist, and a
    /// database without the service's tables are all [`StoreError::NoDatabase`]: run from
    /// another folder, a command must say so instead of reporting on a new empty database.
    pub async fn open_existing(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            match sqlite_file(url) {
                None => {
                    return Err(StoreError::NoDatabase(
                        "an in-memory SQLite database holds nothing of the service".into(),
                    ))
                }
                Some(file) if !file.is_file() => {
                    return Err(StoreError::NoDatabase(format!(
                        "the SQLite file {} does not exist",
                        file.display()
                    )))
                }
                Some(_) => {}
            }
            return Self::open(&url.replace("mode=rwc", "mode=rw"), false).await;
        }
        Self::open(url, false).await
    }

    async fn open(url: &str, create: bool) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let sqlite_file = (backend == Backend::Sqlite)
            .then(|| sqlite_file(url))
            .flatten();
        if let Some(parent) = sqlite_file.as_ref().and_then(|f| f.parent()) {
            if create && !parent.as_os_str().is_empty() {
                let _ = std::fs::create_dir_all(parent);
            }
        }
        let options = connect_options(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers (status, claims) run beside the writer; FULL sync keeps
                        // an acknowledged webhook on disk even through a power cut.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                    }
                    Ok(())
                })
            })
            // A connection still inside a transaction (a failed COMMIT; a ROLLBACK refused
            // because SQLite had already rolled back) would turn every later transaction on it
            // into a savepoint of one that never commits: close it, never hand it out again.
            .after_release(|conn, _| Box::pin(async move { Ok(!conn.is_in_transaction()) }))
            .connect_with(options)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(db) if db.code().as_deref() == Some("3D000") => {
                    StoreError::NoDatabase(format!("the PostgreSQL database does not exist ({db})"))
                }
                _ => StoreError::from(e),
            })?;
        if !create
            && sqlx::query("SELECT COUNT(*) FROM jobs")
                .fetch_one(&pool)
                .await
                .is_err()
        {
            pool.close().await;
            return Err(StoreError::NoDatabase(
                "the database exists but holds no webhook-service tables".into(),
            ));
        }
        let mut store = Self {
            pool,
            backend,
            health: Default::default(),
        };
        store.migrate().await?;
        // From now on a new connection opens the existing file, never creates an empty one in
        // place of a file deleted under the service.
        if url.contains("mode=rwc") {
            let open_only = connect_options(&url.replace("mode=rwc", "mode=rw"))?;
            store.pool.set_connect_options(open_only);
        }
        // After the migrations, so the file exists.
        store.health = Arc::new(health::Health::new(sqlite_file));
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => {
                sqlx::migrate!("./migrations/sqlite")
                    .run(&self.pool)
                    .await?
            }
            Backend::Postgres => {
                sqlx::migrate!("./migrations/postgres")
                    .run(&self.pool)
                    .await?
            }
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Readiness probe.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn connect_options(url: &str) -> Result<AnyConnectOptions, StoreError> {
    Ok(AnyConnectOptions::from_str(url)
        .map_err(StoreError::Query)?
        .log_statements(tracing::log::LevelFilter::Trace)
        .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_secs(2)))
}

/// The file of a `sqlite:` URL; `None` for an in-memory database.
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| PathBuf::from(path))
}

/// Milliseconds since the Unix epoch: the one time unit of the schema, portable across backends.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use crate::domain::job::{
        Artifact, JobStage, JobState, OperatorAction, ResendState, TemplateChange,
    };

    /// The quoted names of `CHECK (<column> IN (…))` in a migration.
    fn allowed(sql: &str, column: &str) -> Vec<String> {
        let start = sql
            .find(&format!("CHECK ({column} IN ("))
            .unwrap_or_else(|| panic!("no CHECK on {column}"));
        let list = &sql[start..];
        let list = &list[list.find("IN (").unwrap() + 4..list.find(')').unwrap()];
        list.split(',')
            .map(|s| s.trim().trim_matches('\'').to_string())
            .collect()
    }

    #[test]
    fn the_migrations_admit_exactly_the_states_stages_and_artifacts_of_the_code() {
        let states: Vec<String> = JobState::ALL.iter().map(|s| s.as_str().into()).collect();
        let stages: Vec<String> = JobStage::ALL.iter().map(|s| s.as_str().into()).collect();
        let artifacts: Vec<String> = [Artifact::Docx, Artifact::Pdf]
            .iter()
            .map(|a| a.as_str().into())
            .collect();
        for sql in [
            include_str!("../../migrations/sqlite/20261202000001_typed_fenced_jobs.sql"),
            include_str!("../../migrations/postgres/20261202000001_typed_fenced_jobs.sql"),
        ] {
            assert_eq!(allowed(sql, "state"), states);
            assert_eq!(allowed(sql, "stage"), stages);
            assert_eq!(allowed(sql, "name"), artifacts);
        }
        for sql in [
            include_str!("../../migrations/sqlite/20261204000100_admin_sessions_and_attempts.sql"),
            include_str!(
                "../../migrations/postgres/20261204000100_admin_sessions_and_attempts.sql"
            ),
        ] {
            assert_eq!(allowed(sql, "stage"), stages);
        }
        let actions: Vec<String> = OperatorAction::ALL
            .iter()
            .map(|a| a.as_str().into())
            .collect();
        let resends: Vec<String> = ResendState::ALL.iter().map(|s| s.as_str().into()).collect();
        for sql in [
            include_str!("../../migrations/sqlite/20261203000200_operator_actions.sql"),
            include_str!("../../migrations/postgres/20261203000200_operator_actions.sql"),
        ] {
            assert_eq!(allowed(sql, "action"), actions);
            assert_eq!(allowed(sql, "resend_state"), resends);
        }
        let changes: Vec<String> = TemplateChange::ALL
            .iter()
            .map(|c| c.as_str().into())
            .collect();
        for sql in [
            include_str!(
                "../../migrations/sqlite/20261204000200_template_changes_and_sent_email.sql"
            ),
            include_str!(
                "../../migrations/postgres/20261204000200_template_changes_and_sent_email.sql"
            ),
        ] {
            assert_eq!(allowed(sql, "action"), changes);
        }
    }

    #[test]
    fn the_migrations_admit_exactly_the_alert_kinds_of_the_code() {
        let kinds: Vec<String> = crate::domain::alert::AlertKind::ALL
            .iter()
            .map(|k| k.as_str().into())
            .collect();
        for sql in [
            include_str!("../../migrations/sqlite/20261203000100_mail_limits_and_alerts.sql"),
            include_str!("../../migrations/postgres/20261203000100_mail_limits_and_alerts.sql"),
        ] {
            assert_eq!(allowed(sql, "kind"), kinds);
        }
    }
}
