//! What `status` shows besides the counts and the problems — unroutable submissions,
//! deliveries — and the queue's health, which `/readyz` and `/metrics` show too.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use sqlx::Row;

use super::query::{field, rfc3339, StatusQuery};
use super::{now_ms, Store, StoreError};
use crate::domain::job::{JobState, ResendState};

/// A submission answered 422: recorded, but no report profile takes it.
#[derive(Debug, Clone, Serialize)]
pub struct UnroutableSummary {
    pub event_id: i64,
    pub received_at: String,
    pub code: String,
    pub reason: String,
    /// The job `reroute` queued for it, once it routes.
    pub rerouted_job_id: Option<i64>,
    pub event: Value,
}

/// A report emailed to a student.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    pub job_id: i64,
    pub state: String,
    pub sent_at: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub assessment_title: Option<String>,
    pub report_key: Option<String>,
    /// Resends of this report the mail server took.
    pub resent: i64,
}

/// The job that has waited longest for its report (queued or running).
#[derive(Debug, Clone, Serialize)]
pub struct WaitingJob {
    pub job_id: i64,
    pub state: String,
    pub stage: String,
    pub since: String,
    pub age_seconds: f64,
}

/// What `/readyz` and `/metrics` say about the queue.
#[derive(Debug, Clone, Serialize)]
pub struct QueueHealth {
    pub jobs: BTreeMap<String, i64>,
    pub oldest_waiting: Option<WaitingJob>,
}

/// The event kind intake records for a submission no profile routes (answered 422).
pub const UNROUTABLE_KIND: &str = "assessment_unroutable";

impl Store {
    /// Jobs per state and the job waiting longest.
    pub async fn queue_health(&self) -> Result<QueueHealth, StoreError> {
        let mut jobs = BTreeMap::new();
        for state in JobState::ALL {
            jobs.insert(state.to_string(), 0);
        }
        for row in sqlx::query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state")
            .fetch_all(&self.pool)
            .await?
        {
            jobs.insert(row.try_get("state")?, row.try_get("n")?);
        }
        let oldest = sqlx::query(
            "SELECT id, state, stage, created_at FROM jobs WHERE state IN ($1, $2) \
             ORDER BY created_at, id LIMIT 1",
        )
        .bind(JobState::Queued.as_str())
        .bind(JobState::Running.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let oldest_waiting = match oldest {
            None => None,
            Some(row) => {
                let created: i64 = row.try_get("created_at")?;
                Some(WaitingJob {
                    job_id: row.try_get("id")?,
                    state: row.try_get("state")?,
                    stage: row.try_get("stage")?,
                    since: rfc3339(created),
                    age_seconds: ((now_ms() - created).max(0) as f64) / 1000.0,
                })
            }
        };
        Ok(QueueHealth {
            jobs,
            oldest_waiting,
        })
    }

    /// Unroutable submissions no job was made for yet, newest first.
    pub async fn unroutable_waiting(&self) -> Result<Vec<UnroutableSummary>, StoreError> {
        self.unroutable(true).await
    }

    /// Every unroutable submission (`waiting_only`: those not rerouted yet), newest first.
    pub async fn unroutable(
        &self,
        waiting_only: bool,
    ) -> Result<Vec<UnroutableSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, received_at, payload, rerouted_job_id FROM events \
             WHERE kind = $1 AND ($2 = 0 OR rerouted_job_id IS NULL) ORDER BY id DESC",
        )
        .bind(UNROUTABLE_KIND)
        .bind(i64::from(waiting_only))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let payload: String = row.try_get("payload")?;
            let mut event: Value = serde_json::from_str(&payload).unwrap_or(Value::Null);
            let why = event
                .as_object_mut()
                .and_then(|o| o.remove("unroutable"))
                .unwrap_or(Value::Null);
            out.push(UnroutableSummary {
                event_id: row.try_get("id")?,
                received_at: rfc3339(row.try_get("received_at")?),
                code: field(&why, "code").unwrap_or("unroutable").to_string(),
                reason: field(&why, "reason").unwrap_or_default().to_string(),
                rerouted_job_id: row.try_get("rerouted_job_id")?,
                event,
            });
        }
        Ok(out)
    }

    pub(super) async fn deliveries(
        &self,
        query: &StatusQuery,
    ) -> Result<Vec<Delivery>, StoreError> {
        let rows = sqlx::query(
            "SELECT j.id, j.state, j.email_sent_at, j.report_key, j.submission, e.payload, \
             (SELECT COUNT(*) FROM resends r WHERE r.job_id = j.id AND r.resend_state = $2) AS resent \
             FROM jobs j JOIN events e ON e.id = j.event_id WHERE j.email_sent_at IS NOT NULL \
             ORDER BY j.email_sent_at DESC, j.id DESC LIMIT $1",
        )
        .bind(query.sql_limit())
        .bind(ResendState::Sent.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for row in rows {
            let payload: String = row.try_get("payload")?;
            let mut event: Value = serde_json::from_str(&payload).unwrap_or(Value::Null);
            // The webhook may have left the address out: the API's then.
            if field(&event, "email").is_none() {
                let submission: Option<String> = row.try_get("submission")?;
                let api_email = submission
                    .and_then(|s| serde_json::from_str::<Value>(&s).ok())
                    .and_then(|s| field(&s, "email").map(str::to_string));
                if let (Some(o), Some(e)) = (event.as_object_mut(), api_email) {
                    o.insert("email".into(), Value::String(e));
                }
            }
            if !query.matches(&event) {
                continue;
            }
            out.push(Delivery {
                job_id: row.try_get("id")?,
                state: row.try_get("state")?,
                sent_at: rfc3339(row.try_get("email_sent_at")?),
                email: field(&event, "email").map(str::to_string),
                name: field(&event, "username").map(str::to_string),
                assessment_title: field(&event, "assessment_title").map(str::to_string),
                report_key: row.try_get("report_key")?,
                resent: row.try_get("resent")?,
            });
            if out.len() >= query.limit {
                break;
            }
        }
        Ok(out)
    }
}
