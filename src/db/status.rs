//! What the operator sees with `webhook-service status` and `GET /admin/status`.

use serde::Serialize;
use sqlx::Row;

use super::{Store, StoreError};
use crate::domain::job::JobState;

#[derive(Debug, Clone, Serialize)]
pub struct JobSummary {
    pub job_id: i64,
    pub state: String,
    pub stage: String,
    pub attempts: i64,
    pub error_code: Option<String>,
    pub error: Option<String>,
    pub updated_at: String,
    /// Which student and assessment, so the operator can tell who is waiting.
    pub event: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    pub events: i64,
    /// Jobs per state: queued, running, done, dead.
    pub jobs: std::collections::BTreeMap<String, i64>,
    /// Queued and running jobs per stage.
    pub pending_by_stage: std::collections::BTreeMap<String, i64>,
    pub emails_sent: i64,
    /// Dead jobs and queued jobs that have failed at least once, newest first.
    pub problems: Vec<JobSummary>,
    /// "mail parked until …: <the provider's reply>" while a park holds all mail.
    pub mail: Option<String>,
    /// Emails counted by the sending limits in the last hour and the last 24 hours.
    pub mail_sent_last_hour: i64,
    pub mail_sent_last_day: i64,
}

impl Store {
    pub async fn status(&self, limit: i64) -> Result<StatusReport, StoreError> {
        let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
            .fetch_one(&self.pool)
            .await?;
        let mut jobs = std::collections::BTreeMap::new();
        for state in JobState::ALL {
            jobs.insert(state.to_string(), 0);
        }
        for row in sqlx::query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state")
            .fetch_all(&self.pool)
            .await?
        {
            jobs.insert(row.try_get("state")?, row.try_get("n")?);
        }
        let mut pending_by_stage = std::collections::BTreeMap::new();
        for row in sqlx::query(
            "SELECT stage, COUNT(*) AS n FROM jobs WHERE state IN ($1, $2) GROUP BY stage",
        )
        .bind(JobState::Queued.as_str())
        .bind(JobState::Running.as_str())
        .fetch_all(&self.pool)
        .await?
        {
            pending_by_stage.insert(row.try_get("stage")?, row.try_get("n")?);
        }
        let emails_sent: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE email_sent_at IS NOT NULL")
                .fetch_one(&self.pool)
                .await?;
        let rows = sqlx::query(
            "SELECT j.id, j.state, j.stage, j.attempts, j.last_error_code, j.last_error, j.updated_at, e.payload \
             FROM jobs j JOIN events e ON e.id = j.event_id \
             WHERE j.state = $2 OR (j.state IN ($3, $4) AND j.last_error IS NOT NULL) \
             ORDER BY j.updated_at DESC LIMIT $1",
        )
        .bind(limit)
        .bind(JobState::Dead.as_str())
        .bind(JobState::Queued.as_str())
        .bind(JobState::Running.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut problems = Vec::with_capacity(rows.len());
        for row in rows {
            let payload: String = row.try_get("payload")?;
            let updated: i64 = row.try_get("updated_at")?;
            problems.push(JobSummary {
                job_id: row.try_get("id")?,
                state: row.try_get("state")?,
                stage: row.try_get("stage")?,
                attempts: row.try_get("attempts")?,
                error_code: row.try_get("last_error_code")?,
                error: row.try_get("last_error")?,
                updated_at: chrono::DateTime::from_timestamp_millis(updated)
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_default(),
                event: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
            });
        }
        let mail = self.mail_park().await?.map(|p| {
            let until = chrono::DateTime::from_timestamp_millis(p.until_ms)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_default();
            format!("mail parked until {until}: {}", p.reason)
        });
        let (mail_sent_last_hour, mail_sent_last_day) = self.recent_sends().await?;
        Ok(StatusReport {
            events,
            jobs,
            pending_by_stage,
            emails_sent,
            problems,
            mail,
            mail_sent_last_hour,
            mail_sent_last_day,
        })
    }
}

impl Store {
    /// Row count of one of the service's tables (tests, diagnostics).
    pub async fn count_rows(&self, table: &str) -> Result<i64, StoreError> {
        let table = match table {
            "events" => "events",
            "jobs" => "jobs",
            "artifacts" => "artifacts",
            other => {
                return Err(StoreError::Query(sqlx::Error::Protocol(format!(
                    "unknown table {other}"
                ))))
            }
        };
        let sql = format!("SELECT COUNT(*) FROM {table}");
        Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(&self.pool)
            .await?)
    }
}
