//! Recording the outcome of each stage of a job, fenced by the claim's lease (see `lease`),
//! and the operator's queue actions.

use super::lease::{fenced, fenced_where, lost_if_none};
use super::{now_ms, Lease, Store, StoreError};
use crate::domain::job::{Artifact, JobStage, JobState};
use crate::domain::sent_email::SentEmail;

/// What a finished stage leaves in the job row besides its next stage.
#[derive(Debug, Clone, Copy)]
pub enum StageOutput<'a> {
    Nothing,
    Submission(&'a str),
    Analysis(&'a str),
    ReportKey(&'a str),
}

impl Store {
    /// Records a finished stage and its output in one statement.
    pub async fn advance(
        &self,
        lease: &Lease,
        next: JobStage,
        output: StageOutput<'_>,
    ) -> Result<(), StoreError> {
        let (sql, value) = match output {
            StageOutput::Nothing => (
                concat!(
                    "UPDATE jobs SET stage = $4, updated_at = $5",
                    fenced_where!()
                ),
                None,
            ),
            StageOutput::Submission(v) => (
                concat!(
                    "UPDATE jobs SET stage = $4, updated_at = $5, submission = $6",
                    fenced_where!()
                ),
                Some(v),
            ),
            StageOutput::Analysis(v) => (
                concat!(
                    "UPDATE jobs SET stage = $4, updated_at = $5, analysis = $6",
                    fenced_where!()
                ),
                Some(v),
            ),
            StageOutput::ReportKey(v) => (
                concat!(
                    "UPDATE jobs SET stage = $4, updated_at = $5, report_key = $6",
                    fenced_where!()
                ),
                Some(v),
            ),
        };
        let mut query = fenced(sql, lease).bind(next.as_str()).bind(now_ms());
        if let Some(v) = value {
            query = query.bind(v);
        }
        let r = query.execute(&self.pool).await?;
        lost_if_none(r.rows_affected(), lease)
    }

    /// Stores an intermediate document and moves to the next stage atomically.
    pub async fn advance_with_artifact(
        &self,
        lease: &Lease,
        next: JobStage,
        artifact: Artifact,
        data: &[u8],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        // The fenced update first: a worker that lost the job writes nothing at all.
        let r = fenced(
            concat!(
                "UPDATE jobs SET stage = $4, updated_at = $5",
                fenced_where!()
            ),
            lease,
        )
        .bind(next.as_str())
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        lost_if_none(r.rows_affected(), lease)?;
        sqlx::query("DELETE FROM artifacts WHERE job_id = $1 AND name = $2")
            .bind(lease.job_id)
            .bind(artifact.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO artifacts (job_id, name, data) VALUES ($1, $2, $3)")
            .bind(lease.job_id)
            .bind(artifact.as_str())
            .bind(data.to_vec())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn artifact(
        &self,
        job_id: i64,
        artifact: Artifact,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT data FROM artifacts WHERE job_id = $1 AND name = $2")
                .bind(job_id)
                .bind(artifact.as_str())
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Written right before the report is handed to the mail server, so that a crash between the
    /// server's acceptance and `mark_email_sent` leaves a trace.
    pub async fn begin_email_handover(&self, lease: &Lease) -> Result<(), StoreError> {
        let r = fenced(
            concat!(
                "UPDATE jobs SET email_handovers = email_handovers + 1",
                fenced_where!()
            ),
            lease,
        )
        .execute(&self.pool)
        .await?;
        lost_if_none(r.rows_affected(), lease)
    }

    /// Takes a hand-over back: the mail server clearly refused the message.
    pub async fn cancel_email_handover(&self, lease: &Lease) -> Result<(), StoreError> {
        let r = fenced(
            concat!(
                "UPDATE jobs SET email_handovers = email_handovers - 1",
                fenced_where!(),
                " AND email_handovers > 0"
            ),
            lease,
        )
        .execute(&self.pool)
        .await?;
        lost_if_none(r.rows_affected(), lease)
    }

    /// The one write that makes "sent" true, right after the mail server accepted the message.
    /// Only once per job, and only by the worker holding it.
    pub async fn mark_email_sent(
        &self,
        lease: &Lease,
        at_ms: i64,
        sent: &SentEmail,
    ) -> Result<(), StoreError> {
        let sent = serde_json::to_string(sent)
            .map_err(|e| StoreError::Query(sqlx::Error::Protocol(format!("sent email: {e}"))))?;
        let r = fenced(
            concat!(
                "UPDATE jobs SET email_sent_at = $4, stage = $5, updated_at = $4, sent_email = $6 \
                ",
                fenced_where!(),
                " AND email_sent_at IS NULL"
            ),
            lease,
        )
        .bind(at_ms)
        .bind(JobStage::Record.as_str())
        .bind(sent)
        .execute(&self.pool)
        .await?;
        lost_if_none(r.rows_affected(), lease)
    }

    pub async fn finish(&self, lease: &Lease) -> Result<(), StoreError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let r = fenced(
            concat!(
                "UPDATE jobs SET state = $4, stage = $5, lease_until = NULL, lease_token = NULL, \
                 last_error = NULL, last_error_code = NULL, updated_at = $6, finished_at = $6",
                fenced_where!()
            ),
            lease,
        )
        .bind(JobState::Done.as_str())
        .bind(JobStage::Done.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        lost_if_none(r.rows_affected(), lease)?;
        sqlx::query("DELETE FROM artifacts WHERE job_id = $1")
            .bind(lease.job_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Counts one more conversion of the job that ran out of time; returns the count so far.
    pub async fn count_convert_timeout(&self, lease: &Lease) -> Result<u32, StoreError> {
        let count: Option<i64> = sqlx::query_scalar(concat!(
            "UPDATE jobs SET convert_timeouts = convert_timeouts + 1",
            fenced_where!(),
            " RETURNING convert_timeouts"
        ))
        .bind(lease.job_id)
        .bind(lease.token)
        .bind(JobState::Running.as_str())
        .fetch_optional(&self.pool)
        .await?;
        count
            .map(|n| n as u32)
            .ok_or(StoreError::LeaseLost(lease.job_id))
    }

    /// Puts a failed job back in the queue, due at `run_at_ms`.
    pub async fn retry_later(
        &self,
        lease: &Lease,
        run_at_ms: i64,
        code: &str,
        error: &str,
    ) -> Result<(), StoreError> {
        let r = fenced(
            concat!(
                "UPDATE jobs SET state = $4, run_at = $5, lease_until = NULL, lease_token = NULL, \
                 last_error_code = $6, last_error = $7, updated_at = $8",
                fenced_where!()
            ),
            lease,
        )
        .bind(JobState::Queued.as_str())
        .bind(run_at_ms)
        .bind(code)
        .bind(error)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        lost_if_none(r.rows_affected(), lease)?;
        self.log_attempt(lease.job_id).await
    }

    /// Puts a job back in the queue, due at `run_at_ms`, without counting this attempt: it
    /// waited on something shared (a mail park, the sending limits), not on its own failure.
    pub async fn defer(
        &self,
        lease: &Lease,
        run_at_ms: i64,
        code: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        let r = fenced(
            concat!(
                "UPDATE jobs SET state = $4, run_at = $5, lease_until = NULL, lease_token = NULL, \
                 attempts = attempts - 1, last_error_code = $6, last_error = $7, updated_at = $8",
                fenced_where!()
            ),
            lease,
        )
        .bind(JobState::Queued.as_str())
        .bind(run_at_ms)
        .bind(code)
        .bind(reason)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        lost_if_none(r.rows_affected(), lease)
    }

    /// Gives up on a job; it stays visible in `status` and can be requeued by the operator.
    pub async fn bury(&self, lease: &Lease, code: &str, error: &str) -> Result<(), StoreError> {
        let r = fenced(
            concat!("UPDATE jobs SET state = $4, lease_until = NULL, lease_token = NULL, last_error_code = $5, \
                 last_error = $6, updated_at = $7, finished_at = $7", fenced_where!()),
            lease,
        )
        .bind(JobState::Dead.as_str())
        .bind(code)
        .bind(error)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        lost_if_none(r.rows_affected(), lease)?;
        self.log_attempt(lease.job_id).await
    }

    /// Makes every queued job due now (operator "retry now", tests). Returns how many.
    pub async fn make_due(&self) -> Result<u64, StoreError> {
        let now = now_ms();
        let r = sqlx::query("UPDATE jobs SET run_at = $1 WHERE state = $2 AND run_at > $1")
            .bind(now)
            .bind(JobState::Queued.as_str())
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected())
    }

    /// Puts dead jobs (all, or one) back in the queue with fresh attempts (and no unconfirmed
    /// email hand-overs: the operator has checked). The CLI goes through `Store::requeue`.
    pub async fn requeue_dead(&self, job_id: Option<i64>) -> Result<u64, StoreError> {
        let now = now_ms();
        let r = sqlx::query(
            "UPDATE jobs SET state = $3, attempts = 0, email_handovers = 0, run_at = $1, updated_at = $1, \
             finished_at = NULL \
             WHERE state = $4 AND ($2 < 0 OR id = $2)",
        )
        .bind(now)
        .bind(job_id.unwrap_or(-1))
        .bind(JobState::Queued.as_str())
        .bind(JobState::Dead.as_str())
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected())
    }
}
