//! Resends of delivered reports: each one a row of its own (`resends`), written before the
//! message is handed over and completed with its outcome; the job's delivery record is never
//! touched.

use sqlx::Row;

use super::operator::record;
use super::{now_ms, Store, StoreError};
use crate::domain::job::{OperatorAction, ResendState};

/// A job's delivery, as `resend` needs it.
#[derive(Debug, Clone)]
pub struct DeliveredJob {
    pub job_id: i64,
    pub event_id: i64,
    pub state: String,
    pub email_sent_at: Option<i64>,
    pub payload: String,
    pub submission: Option<String>,
    pub analysis: Option<String>,
    pub report_key: Option<String>,
    /// The email as sent (`SentEmail` JSON), for jobs delivered since it is kept.
    pub sent_email: Option<String>,
}

impl Store {
    /// The job and its delivery record, for `resend`.
    pub async fn delivered_job(&self, job_id: i64) -> Result<Option<DeliveredJob>, StoreError> {
        let row = sqlx::query(
            "SELECT j.id, j.event_id, j.state, j.email_sent_at, j.submission, j.analysis, \
             j.report_key, j.sent_email, e.payload FROM jobs j JOIN events e ON e.id = j.event_id WHERE j.id = $1",
        )
        .bind(job_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(DeliveredJob {
            job_id: row.try_get("id")?,
            event_id: row.try_get("event_id")?,
            state: row.try_get("state")?,
            email_sent_at: row.try_get("email_sent_at")?,
            payload: row.try_get("payload")?,
            submission: row.try_get("submission")?,
            analysis: row.try_get("analysis")?,
            report_key: row.try_get("report_key")?,
            sent_email: row.try_get("sent_email")?,
        }))
    }

    /// Records a resend before the message is handed over; returns its id.
    pub async fn begin_resend(
        &self,
        job_id: i64,
        actor: &str,
        recipient: &str,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO resends (job_id, actor, recipient, resend_state, requested_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(job_id)
        .bind(actor)
        .bind(recipient)
        .bind(ResendState::Sending.as_str())
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        record(
            &mut tx,
            OperatorAction::Resend,
            actor,
            Some(job_id),
            None,
            &format!("resend {id}"),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The outcome of a resend: Ok, or the error's stable code and message.
    pub async fn finish_resend(
        &self,
        resend_id: i64,
        outcome: Result<(), (&str, &str)>,
    ) -> Result<(), StoreError> {
        let (state, code, error) = match outcome {
            Ok(()) => (ResendState::Sent, None, None),
            Err((code, error)) => (ResendState::Failed, Some(code), Some(error)),
        };
        sqlx::query(
            "UPDATE resends SET resend_state = $2, finished_at = $3, error_code = $4, error = $5 \
             WHERE id = $1",
        )
        .bind(resend_id)
        .bind(state.as_str())
        .bind(now_ms())
        .bind(code)
        .bind(error)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
