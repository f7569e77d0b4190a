//! The operator's actions on jobs and events — retry now, requeue, resend, reroute — each
//! recorded with who did it and when (`operator_actions`).

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use super::{now_ms, Store, StoreError};
use crate::domain::job::{JobState, OperatorAction};

/// What became of one job an action named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum ActionOutcome {
    /// Done: the job is queued and due now; `was` is its state before.
    Done { was: String },
    /// The job exists, but the action does not apply in its state.
    NotApplicable { state: String },
    /// There is no job with this id.
    Unknown,
}

/// Which dead jobs `requeue` puts back.
#[derive(Debug, Clone)]
pub enum Requeue {
    AllDead,
    /// Dead jobs whose last error has this code.
    Code(String),
    Ids(Vec<i64>),
}

fn unreadable_state(e: String) -> StoreError {
    StoreError::Query(sqlx::Error::Protocol(e))
}

pub(super) async fn record(
    conn: &mut AnyConnection,
    action: OperatorAction,
    actor: &str,
    job_id: Option<i64>,
    event_id: Option<i64>,
    detail: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO operator_actions (at, actor, action, job_id, event_id, detail) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(now_ms())
    .bind(actor)
    .bind(action.as_str())
    .bind(job_id)
    .bind(event_id)
    .bind(detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Store {
    /// "Retry now": a queued job becomes due at once, whatever its back-off; a dead job is
    /// queued again with fresh attempts. Running and done jobs are left alone.
    pub async fn retry_now(&self, job_id: i64, actor: &str) -> Result<ActionOutcome, StoreError> {
        self.move_job(job_id, actor, OperatorAction::Retry).await
    }

    /// Puts dead jobs back in the queue with fresh attempts; one outcome per job named (or
    /// per dead job found).
    pub async fn requeue(
        &self,
        which: &Requeue,
        actor: &str,
    ) -> Result<Vec<(i64, ActionOutcome)>, StoreError> {
        let ids: Vec<i64> = match which {
            Requeue::Ids(ids) => ids.clone(),
            Requeue::AllDead | Requeue::Code(_) => {
                let code = match which {
                    Requeue::Code(c) => c.as_str(),
                    _ => "",
                };
                sqlx::query_scalar(
                    "SELECT id FROM jobs WHERE state = $1 AND ($2 = '' OR last_error_code = $2) \
                     ORDER BY id",
                )
                .bind(JobState::Dead.as_str())
                .bind(code)
                .fetch_all(&self.pool)
                .await?
            }
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push((id, self.move_job(id, actor, OperatorAction::Requeue).await?));
        }
        Ok(out)
    }

    async fn move_job(
        &self,
        job_id: i64,
        actor: &str,
        action: OperatorAction,
    ) -> Result<ActionOutcome, StoreError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let state: Option<String> = sqlx::query_scalar("SELECT state FROM jobs WHERE id = $1")
            .bind(job_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(state) = state else {
            return Ok(ActionOutcome::Unknown);
        };
        let parsed: JobState = state.parse().map_err(unreadable_state)?;
        let updated =
            match (parsed, action) {
                (JobState::Queued, OperatorAction::Retry) => {
                    sqlx::query(
                        "UPDATE jobs SET run_at = $1, updated_at = $1 WHERE id = $2 AND state = $3",
                    )
                    .bind(now)
                    .bind(job_id)
                    .bind(JobState::Queued.as_str())
                    .execute(&mut *tx)
                    .await?
                }
                // The operator has looked at it (README: a job dead with email_outcome_unknown
                // is requeued once the student is known not to have the report), so the
                // unconfirmed hand-overs are cleared with the attempts.
                (JobState::Dead, OperatorAction::Retry | OperatorAction::Requeue) => sqlx::query(
                    "UPDATE jobs SET state = $3, attempts = 0, email_handovers = 0, run_at = $1, \
                     updated_at = $1, finished_at = NULL WHERE id = $2 AND state = $4",
                )
                .bind(now)
                .bind(job_id)
                .bind(JobState::Queued.as_str())
                .bind(JobState::Dead.as_str())
                .execute(&mut *tx)
                .await?,
                _ => return Ok(ActionOutcome::NotApplicable { state }),
            };
        if updated.rows_affected() == 0 {
            // A worker moved it between the read and the update.
            return Ok(ActionOutcome::NotApplicable {
                state: "changing".into(),
            });
        }
        record(
            &mut tx,
            action,
            actor,
            Some(job_id),
            None,
            &format!("was {state}"),
        )
        .await?;
        tx.commit().await?;
        Ok(ActionOutcome::Done { was: state })
    }

    /// The job an event with this dedup key became, if any.
    pub async fn job_of_dedup_key(&self, dedup_key: &str) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT j.id FROM jobs j JOIN events e ON e.id = j.event_id WHERE e.dedup_key = $1",
        )
        .bind(dedup_key)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// An unroutable event was queued (by `reroute`) as `job_id`.
    pub async fn mark_rerouted(
        &self,
        event_id: i64,
        job_id: i64,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let r = sqlx::query(
            "UPDATE events SET rerouted_job_id = $2 WHERE id = $1 AND rerouted_job_id IS NULL",
        )
        .bind(event_id)
        .bind(job_id)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() > 0 {
            record(
                &mut tx,
                OperatorAction::Reroute,
                actor,
                Some(job_id),
                Some(event_id),
                "",
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Recorded actions on a job, oldest first: `(at ms, actor, action, detail)`.
    pub async fn actions_of_job(
        &self,
        job_id: i64,
    ) -> Result<Vec<(i64, String, String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, actor, action, detail FROM operator_actions WHERE job_id = $1 ORDER BY id",
        )
        .bind(job_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok((
                    r.try_get("at")?,
                    r.try_get("actor")?,
                    r.try_get("action")?,
                    r.try_get::<Option<String>, _>("detail")?
                        .unwrap_or_default(),
                ))
            })
            .collect()
    }
}
