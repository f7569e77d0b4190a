//! Claiming a job under a lease, and keeping it.
//!
//! A claim writes a fresh random token with the lease. Every later write of the worker names
//! that token (and the `running` state): when another worker has taken the job since — the
//! lease ran out while this one was stalled — the write matches no row and the caller gets
//! [`StoreError::LeaseLost`], so a job can never be advanced, emailed or finished twice.

use std::time::Duration;

use sqlx::Row;

use super::{now_ms, Backend, Store, StoreError};
use crate::domain::job::{JobStage, JobState};

/// The claim a worker holds on a job: which job, and the token only its claim wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    pub job_id: i64,
    pub token: i64,
}

/// A job taken by a worker, with the stored outputs of the stages already done (as stored;
/// the job layer parses them once into its record).
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    pub lease: Lease,
    pub event_id: i64,
    pub stage: JobStage,
    /// Including this attempt.
    pub attempts: u32,
    pub payload: String,
    pub submission: Option<String>,
    pub analysis: Option<String>,
    pub report_key: Option<String>,
    pub email_sent_at: Option<i64>,
    /// Hand-overs of the report to the mail server whose outcome was never recorded.
    pub email_handovers: u32,
    /// When the job was queued (ms).
    pub created_at: i64,
}

/// A job a worker may claim: queued and due, or running with its lease run out ($2 now, $3
/// queued, $4 running). Macros, so that every statement is one literal the driver can trust.
macro_rules! due {
    () => {
        "((state = $3 AND run_at <= $2) OR (state = $4 AND lease_until < $2))"
    };
}

/// The condition of every write by the lease holder: $1 job id, $2 its token, $3 running.
macro_rules! fenced_where {
    () => {
        " WHERE id = $1 AND lease_token = $2 AND state = $3"
    };
}
pub(super) use fenced_where;

pub(super) fn lost_if_none(rows: u64, lease: &Lease) -> Result<(), StoreError> {
    if rows == 0 {
        Err(StoreError::LeaseLost(lease.job_id))
    } else {
        Ok(())
    }
}

pub(super) fn fenced<'q>(
    sql: &'static str,
    lease: &Lease,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    sqlx::query(sql)
        .bind(lease.job_id)
        .bind(lease.token)
        .bind(JobState::Running.as_str())
}

impl Store {
    /// Takes the next due job (or one whose worker vanished: its lease ran out), or None.
    pub async fn claim(&self, lease: Duration) -> Result<Option<ClaimedJob>, StoreError> {
        let now = now_ms();
        let token: i64 = rand::random();
        // The outer repeat of the condition makes a concurrent claim of the same row update
        // nothing; PostgreSQL's workers also skip rows another claim has locked.
        macro_rules! claim_sql {
            ($lock:literal) => {
                concat!(
                    "UPDATE jobs SET state = $4, attempts = attempts + 1, lease_until = $1, lease_token = $5, updated_at = $2 \
                     WHERE id = (SELECT id FROM jobs WHERE ", due!(), " ORDER BY run_at, id LIMIT 1 ", $lock, ") AND ", due!(),
                    " RETURNING id, event_id, stage, attempts, submission, analysis, report_key, email_sent_at, email_handovers, created_at"
                )
            };
        }
        let sql = match self.backend {
            Backend::Postgres => claim_sql!("FOR UPDATE SKIP LOCKED"),
            Backend::Sqlite => claim_sql!(""),
        };
        let Some(row) = sqlx::query(sql)
            .bind(now + lease.as_millis() as i64)
            .bind(now)
            .bind(JobState::Queued.as_str())
            .bind(JobState::Running.as_str())
            .bind(token)
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
            lease: Lease {
                job_id: row.try_get("id")?,
                token,
            },
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
            email_handovers: row.try_get::<i64, _>("email_handovers")? as u32,
            created_at: row.try_get("created_at")?,
        }))
    }

    /// The heartbeat: pushes the lease `lease` further while the worker still holds it.
    pub async fn renew(&self, lease: &Lease, duration: Duration) -> Result<(), StoreError> {
        let now = now_ms();
        let r = fenced(
            concat!("UPDATE jobs SET lease_until = $4", fenced_where!()),
            lease,
        )
        .bind(now + duration.as_millis() as i64)
        .execute(&self.pool)
        .await?;
        lost_if_none(r.rows_affected(), lease)
    }

    /// Fails unless this worker still holds an unexpired lease: checked right before a step
    /// that cannot be undone (handing an email over).
    pub async fn confirm_lease(&self, lease: &Lease) -> Result<(), StoreError> {
        let r = fenced(
            concat!(
                "UPDATE jobs SET updated_at = $4",
                fenced_where!(),
                " AND lease_until > $4"
            ),
            lease,
        )
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        lost_if_none(r.rows_affected(), lease)
    }

    /// Returns a job interrupted by shutdown to the queue. The attempt is not counted — except
    /// when it was converting: a document that keeps the converter busy past a restart would
    /// otherwise never come closer to giving up.
    pub async fn release(&self, lease: &Lease) -> Result<(), StoreError> {
        let r = fenced(
            concat!(
                "UPDATE jobs SET state = $4, lease_until = NULL, lease_token = NULL, \
                 attempts = attempts - CASE WHEN stage = $6 THEN 0 ELSE 1 END, \
                 run_at = $5, updated_at = $5",
                fenced_where!()
            ),
            lease,
        )
        .bind(JobState::Queued.as_str())
        .bind(now_ms())
        .bind(JobStage::Convert.as_str())
        .execute(&self.pool)
        .await?;
        lost_if_none(r.rows_affected(), lease)
    }
}
