//! Claiming jobs and recording the outcome of each stage.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use sqlx::Row;

use super::{now_ms, Backend, Store, StoreError};

/// The stages of a report job, in order. A job records the next stage to run, so a retry
/// resumes there and never repeats a stage that succeeded (in particular, the email).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum JobStage {
    Fetch,
    Analyse,
    Render,
    Convert,
    Store,
    Email,
    /// Bookkeeping after the email (processed.csv); retrying it never resends the email.
    Record,
    Done,
}

impl JobStage {
    pub const ALL: [JobStage; 8] = [
        Self::Fetch,
        Self::Analyse,
        Self::Render,
        Self::Convert,
        Self::Store,
        Self::Email,
        Self::Record,
        Self::Done,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fetch => "fetch",
            Self::Analyse => "analyse",
            Self::Render => "render",
            Self::Convert => "convert",
            Self::Store => "store",
            Self::Email => "email",
            Self::Record => "record",
            Self::Done => "done",
        }
    }
}

impl fmt::Display for JobStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JobStage {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown job stage '{s}'"))
    }
}

/// A job taken by a worker, with the outputs of the stages already done.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    pub id: i64,
    pub event_id: i64,
    pub stage: JobStage,
    /// Including this attempt.
    pub attempts: u32,
    pub payload: String,
    pub submission: Option<String>,
    pub analysis: Option<String>,
    pub report_key: Option<String>,
    pub email_sent_at: Option<i64>,
}

const DUE: &str =
    "((state = 'queued' AND run_at <= $2) OR (state = 'running' AND lease_until < $2))";

impl Store {
    /// Takes the next due job (or one whose worker died: its lease ran out), or None.
    pub async fn claim(&self, lease: Duration) -> Result<Option<ClaimedJob>, StoreError> {
        let now = now_ms();
        let lock = match self.backend {
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        // The outer repeat of DUE makes a concurrent claim of the same row update nothing.
        let sql = format!(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = $1, updated_at = $2 \
             WHERE id = (SELECT id FROM jobs WHERE {DUE} ORDER BY run_at, id LIMIT 1 {lock}) AND {DUE} \
             RETURNING id, event_id, stage, attempts, submission, analysis, report_key, email_sent_at"
        );
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now + lease.as_millis() as i64)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let event_id: i64 = row.try_get("event_id")?;
        let stage: String = row.try_get("stage")?;
        let payload: String = sqlx::query_scalar("SELECT payload FROM events WHERE id = $1")
            .bind(event_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(Some(ClaimedJob {
            id: row.try_get("id")?,
            event_id,
            stage: stage
                .parse()
                .map_err(|e: String| StoreError::Query(sqlx::Error::Decode(e.into())))?,
            attempts: row.try_get::<i64, _>("attempts")? as u32,
            payload,
            submission: row.try_get("submission")?,
            analysis: row.try_get("analysis")?,
            report_key: row.try_get("report_key")?,
            email_sent_at: row.try_get("email_sent_at")?,
        }))
    }

    /// Records a finished stage and its output column in one statement.
    pub async fn advance(
        &self,
        job_id: i64,
        next: JobStage,
        output: Option<(&'static str, &str)>,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        match output {
            Some((column, value)) => {
                debug_assert!(["submission", "analysis", "report_key"].contains(&column));
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE jobs SET stage = $1, {column} = $2, updated_at = $3 WHERE id = $4"
                )))
                .bind(next.as_str())
                .bind(value)
                .bind(now)
                .bind(job_id)
                .execute(&self.pool)
                .await?;
            }
            None => {
                sqlx::query("UPDATE jobs SET stage = $1, updated_at = $2 WHERE id = $3")
                    .bind(next.as_str())
                    .bind(now)
                    .bind(job_id)
                    .execute(&self.pool)
                    .await?;
            }
        }
        Ok(())
    }

    /// Stores an intermediate document and moves to the next stage atomically.
    pub async fn advance_with_artifact(
        &self,
        job_id: i64,
        next: JobStage,
        name: &str,
        data: &[u8],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM artifacts WHERE job_id = $1 AND name = $2")
            .bind(job_id)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO artifacts (job_id, name, data) VALUES ($1, $2, $3)")
            .bind(job_id)
            .bind(name)
            .bind(data.to_vec())
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE jobs SET stage = $1, updated_at = $2 WHERE id = $3")
            .bind(next.as_str())
            .bind(now_ms())
            .bind(job_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn artifact(&self, job_id: i64, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT data FROM artifacts WHERE job_id = $1 AND name = $2")
                .bind(job_id)
                .bind(name)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The one write that makes "sent" true: done right after the SMTP server accepted the message.
    pub async fn mark_email_sent(&self, job_id: i64, at_ms: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE jobs SET email_sent_at = $1, stage = 'record', updated_at = $1 WHERE id = $2",
        )
        .bind(at_ms)
        .bind(job_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn finish(&self, job_id: i64) -> Result<(), StoreError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM artifacts WHERE job_id = $1")
            .bind(job_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE jobs SET state = 'done', stage = 'done', lease_until = NULL, last_error = NULL, \
             last_error_code = NULL, updated_at = $1, finished_at = $1 WHERE id = $2",
        )
        .bind(now)
        .bind(job_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Puts a failed job back in the queue, due at `run_at_ms`.
    pub async fn retry_later(
        &self,
        job_id: i64,
        run_at_ms: i64,
        code: &str,
        error: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE jobs SET state = 'queued', run_at = $1, lease_until = NULL, last_error_code = $2, \
             last_error = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(run_at_ms)
        .bind(code)
        .bind(error)
        .bind(now_ms())
        .bind(job_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Gives up on a job; it stays visible in `status` and can be requeued by the operator.
    pub async fn bury(&self, job_id: i64, code: &str, error: &str) -> Result<(), StoreError> {
        let now = now_ms();
        sqlx::query(
            "UPDATE jobs SET state = 'dead', lease_until = NULL, last_error_code = $1, last_error = $2, \
             updated_at = $3, finished_at = $3 WHERE id = $4",
        )
        .bind(code)
        .bind(error)
        .bind(now)
        .bind(job_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Returns a job interrupted by shutdown to the queue without counting the attempt.
    pub async fn release(&self, job_id: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE jobs SET state = 'queued', lease_until = NULL, attempts = attempts - 1, run_at = $1, \
             updated_at = $1 WHERE id = $2 AND state = 'running'",
        )
        .bind(now_ms())
        .bind(job_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Makes every queued job due now (operator "retry now", tests). Returns how many.
    pub async fn make_due(&self) -> Result<u64, StoreError> {
        let now = now_ms();
        let r = sqlx::query("UPDATE jobs SET run_at = $1 WHERE state = 'queued' AND run_at > $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected())
    }

    /// Puts dead jobs (all, or one) back in the queue with fresh attempts.
    pub async fn requeue_dead(&self, job_id: Option<i64>) -> Result<u64, StoreError> {
        let now = now_ms();
        let r = sqlx::query(
            "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1, updated_at = $1, finished_at = NULL \
             WHERE state = 'dead' AND ($2 < 0 OR id = $2)",
        )
        .bind(now)
        .bind(job_id.unwrap_or(-1))
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected())
    }
}
