//! One submission's whole record for the dashboard: its job, failed attempts, resends and
//! the operator's actions.

use sqlx::Row;

use super::submissions::{row_of, select, Recorded, SubmissionDetail};
use super::{Store, StoreError};

/// Whose recorded actions: a job's, or an event's (an unroutable submission).
#[derive(Clone, Copy)]
enum Of {
    Job,
    Event,
}

impl Store {
    /// One submission (by its event id) and its whole record.
    pub async fn submission(&self, event_id: i64) -> Result<Option<SubmissionDetail>, StoreError> {
        let Some(r) = sqlx::query(concat!(select!(), " WHERE e.id = $1"))
            .bind(event_id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let row = row_of(&r)?;
        let Some(job_id) = row.job_id else {
            let actions = self.recorded_actions(Of::Event, event_id).await?;
            return Ok(Some(SubmissionDetail {
                row,
                created_at: None,
                email_sent_at: None,
                report_key: None,
                attempts: Vec::new(),
                actions,
                resends: Vec::new(),
                job: None,
            }));
        };
        let created_at: Option<i64> =
            sqlx::query_scalar("SELECT created_at FROM jobs WHERE id = $1")
                .bind(job_id)
                .fetch_optional(&self.pool)
                .await?;
        let job = self.delivered_job(job_id).await?;
        let mut resends = Vec::new();
        for r in sqlx::query(
            "SELECT requested_at, actor, recipient, resend_state, error_code FROM resends \
             WHERE job_id = $1 ORDER BY id",
        )
        .bind(job_id)
        .fetch_all(&self.pool)
        .await?
        {
            let code: Option<String> = r.try_get("error_code")?;
            resends.push(Recorded {
                at: r.try_get("requested_at")?,
                actor: r.try_get("actor")?,
                what: r.try_get("resend_state")?,
                detail: match code {
                    Some(c) => format!("{} ({c})", r.try_get::<String, _>("recipient")?),
                    None => r.try_get("recipient")?,
                },
            });
        }
        Ok(Some(SubmissionDetail {
            created_at,
            email_sent_at: job.as_ref().and_then(|j| j.email_sent_at),
            report_key: job.as_ref().and_then(|j| j.report_key.clone()),
            attempts: self.attempts(job_id).await?,
            actions: self.recorded_actions(Of::Job, job_id).await?,
            resends,
            job,
            row,
        }))
    }

    async fn recorded_actions(&self, of: Of, id: i64) -> Result<Vec<Recorded>, StoreError> {
        let sql = match of {
            Of::Job => {
                "SELECT at, actor, action, COALESCE(detail, '') AS detail FROM operator_actions \
                 WHERE job_id = $1 ORDER BY id"
            }
            Of::Event => {
                "SELECT at, actor, action, COALESCE(detail, '') AS detail FROM operator_actions \
                 WHERE event_id = $1 ORDER BY id"
            }
        };
        let rows = sqlx::query(sql).bind(id).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(Recorded {
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    what: r.try_get("action")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
    }
}

impl Store {
    /// The event a job was made for.
    pub async fn event_of_job(&self, job_id: i64) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT event_id FROM jobs WHERE id = $1")
                .bind(job_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}
