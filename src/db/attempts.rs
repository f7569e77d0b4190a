//! The history of a job's failed attempts (`job_attempts`), for the dashboard's timeline.

use serde::Serialize;
use sqlx::Row;

use super::{now_ms, Store, StoreError};

/// One failed attempt: the stage it failed in, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    pub at: i64,
    pub stage: String,
    pub error_code: String,
    pub error: String,
}

impl Store {
    /// Copies the job's last error into its history; called once a failure is recorded.
    pub(super) async fn log_attempt(&self, job_id: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO job_attempts (job_id, at, stage, error_code, error) \
             SELECT id, $2, stage, last_error_code, COALESCE(last_error, '') FROM jobs \
             WHERE id = $1 AND last_error_code IS NOT NULL",
        )
        .bind(job_id)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A job's failed attempts, oldest first.
    pub async fn attempts(&self, job_id: i64) -> Result<Vec<Attempt>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, stage, error_code, error FROM job_attempts WHERE job_id = $1 ORDER BY id",
        )
        .bind(job_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Attempt {
                    at: r.try_get("at")?,
                    stage: r.try_get("stage")?,
                    error_code: r.try_get("error_code")?,
                    error: r.try_get("error")?,
                })
            })
            .collect()
    }
}
