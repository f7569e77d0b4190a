//! What the operator sees with `webhook-service status` and `GET /admin/status`: counts, the
//! jobs that failed, the submissions that routed nowhere, the deliveries, and the queue's age.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use sqlx::Row;

use super::lists::{Delivery, UnroutableSummary, WaitingJob};
use super::query::{rfc3339, StatusQuery};
use super::{Store, StoreError};
use crate::domain::job::{JobState, ResendState};

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
    pub event: Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    pub events: i64,
    /// Jobs per state: queued, running, done, dead.
    pub jobs: BTreeMap<String, i64>,
    /// Queued and running jobs per stage.
    pub pending_by_stage: BTreeMap<String, i64>,
    pub emails_sent: i64,
    /// Resends of delivered reports the mail server took.
    pub resends_sent: i64,
    /// Submissions answered 422 that no job was made for yet (after `reroute`, none).
    pub unroutable_waiting: i64,
    pub oldest_waiting: Option<WaitingJob>,
    /// Dead jobs matching the query (the whole count when there is no filter).
    pub dead_matching: i64,
    /// Dead jobs and queued jobs that have failed at least once, newest first.
    pub problems: Vec<JobSummary>,
    /// Unroutable submissions still waiting, newest first.
    pub unroutable: Vec<UnroutableSummary>,
    /// With `deliveries`: reports emailed, newest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deliveries: Option<Vec<Delivery>>,
    /// "mail parked until …: <the provider's reply>" while a park holds all mail.
    pub mail: Option<String>,
    /// Emails counted by the sending limits in the last hour and the last 24 hours.
    pub mail_sent_last_hour: i64,
    pub mail_sent_last_day: i64,
}

impl Store {
    /// Counts and the latest `limit` problems, no filter.
    pub async fn status(&self, limit: i64) -> Result<StatusReport, StoreError> {
        self.status_of(&StatusQuery {
            limit: limit.max(0) as usize,
            ..Default::default()
        })
        .await
    }

    pub async fn status_of(&self, query: &StatusQuery) -> Result<StatusReport, StoreError> {
        let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
            .fetch_one(&self.pool)
            .await?;
        let health = self.queue_health().await?;
        let mut pending_by_stage = BTreeMap::new();
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
        let resends_sent: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM resends WHERE resend_state = $1")
                .bind(ResendState::Sent.as_str())
                .fetch_one(&self.pool)
                .await?;
        let problems = self.problems(query).await?;
        let dead_matching = if query.filtered() {
            self.dead_matching(query).await?
        } else {
            health
                .jobs
                .get(JobState::Dead.as_str())
                .copied()
                .unwrap_or(0)
        };
        let all_unroutable = self.unroutable_waiting().await?;
        let unroutable_waiting = all_unroutable.len() as i64;
        let unroutable = all_unroutable
            .into_iter()
            .filter(|u| query.matches(&u.event))
            .take(query.limit)
            .collect();
        let deliveries = if query.deliveries {
            Some(self.deliveries(query).await?)
        } else {
            None
        };
        let mail = self.mail_park().await?.map(|p| {
            let until = chrono::DateTime::from_timestamp_millis(p.until_ms)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_default();
            format!("mail parked until {until}: {}", p.reason)
        });
        let (mail_sent_last_hour, mail_sent_last_day) = self.recent_sends().await?;
        Ok(StatusReport {
            mail,
            mail_sent_last_hour,
            mail_sent_last_day,
            events,
            jobs: health.jobs,
            pending_by_stage,
            emails_sent,
            resends_sent,
            unroutable_waiting,
            oldest_waiting: health.oldest_waiting,
            dead_matching,
            problems,
            unroutable,
            deliveries,
        })
    }

    async fn problems(&self, query: &StatusQuery) -> Result<Vec<JobSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT j.id, j.state, j.stage, j.attempts, j.last_error_code, j.last_error, j.updated_at, e.payload \
             FROM jobs j JOIN events e ON e.id = j.event_id \
             WHERE j.state = $2 OR (j.state IN ($3, $4) AND j.last_error IS NOT NULL) \
             ORDER BY j.updated_at DESC, j.id DESC LIMIT $1",
        )
        .bind(query.sql_limit())
        .bind(JobState::Dead.as_str())
        .bind(JobState::Queued.as_str())
        .bind(JobState::Running.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut problems = Vec::new();
        for row in rows {
            let payload: String = row.try_get("payload")?;
            let event = serde_json::from_str(&payload).unwrap_or(Value::Null);
            if !query.matches(&event) {
                continue;
            }
            problems.push(JobSummary {
                job_id: row.try_get("id")?,
                state: row.try_get("state")?,
                stage: row.try_get("stage")?,
                attempts: row.try_get("attempts")?,
                error_code: row.try_get("last_error_code")?,
                error: row.try_get("last_error")?,
                updated_at: rfc3339(row.try_get("updated_at")?),
                event,
            });
            if problems.len() >= query.limit {
                break;
            }
        }
        Ok(problems)
    }

    async fn dead_matching(&self, query: &StatusQuery) -> Result<i64, StoreError> {
        let payloads: Vec<String> = sqlx::query_scalar(
            "SELECT e.payload FROM jobs j JOIN events e ON e.id = j.event_id WHERE j.state = $1",
        )
        .bind(JobState::Dead.as_str())
        .fetch_all(&self.pool)
        .await?;
        Ok(payloads
            .iter()
            .filter(|p| query.matches(&serde_json::from_str(p).unwrap_or(Value::Null)))
            .count() as i64)
    }
}

impl Store {
    /// Row count of one of the service's tables (tests, diagnostics).
    pub async fn count_rows(&self, table: &str) -> Result<i64, StoreError> {
        let table = match table {
            "events" => "events",
            "jobs" => "jobs",
            "artifacts" => "artifacts",
            "resends" => "resends",
            "operator_actions" => "operator_actions",
            "admin_sessions" => "admin_sessions",
            "job_attempts" => "job_attempts",
            "template_changes" => "template_changes",
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
