//! Operator alerts, shared by every instance: lines wait in `alerts_pending` (one per key) and
//! one summary of them goes out at most once per interval, whoever sends it.

use sqlx::Row;

use super::{now_ms, Store, StoreError};
use crate::domain::alert::AlertKind;
use crate::domain::job::JobState;

/// The codes of jobs that wait on a mail park or the sending limits (jobs/stages/mail_gate.rs).
pub const WAIT_PARKED: &str = "mail_parked";
pub const WAIT_PACED: &str = "mail_paced";

/// One line of the next summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingAlert {
    pub kind: AlertKind,
    /// Lines with the same key are one line.
    pub key: String,
    pub line: String,
    pub raised_at: i64,
}

impl Store {
    /// Adds a line to the next summary; a second line with the same key replaces the first
    /// (a park extended ten times is one line).
    pub async fn raise_alert(
        &self,
        kind: AlertKind,
        key: &str,
        line: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO alerts_pending (kind, dedup_key, line, raised_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (dedup_key) DO UPDATE SET line = excluded.line",
        )
        .bind(kind.as_str())
        .bind(key)
        .bind(line)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// When lines are waiting and no summary went out in the last `min_interval_ms` (by any
    /// instance), takes them all for one summary and records it as sent at `now_ms`. None
    /// otherwise. The claim is one conditional update, so two instances never both send.
    pub async fn take_alert_summary(
        &self,
        now_ms: i64,
        min_interval_ms: i64,
    ) -> Result<Option<Vec<PendingAlert>>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let claimed = sqlx::query(
            "UPDATE alert_state SET last_sent_at = $1 WHERE id = 1 AND last_sent_at <= $2 \
             AND EXISTS (SELECT 1 FROM alerts_pending)",
        )
        .bind(now_ms)
        .bind(now_ms - min_interval_ms)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        let rows = sqlx::query(
            "DELETE FROM alerts_pending RETURNING kind, dedup_key, line, raised_at, id",
        )
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let mut lines = Vec::with_capacity(rows.len());
        for row in rows {
            let kind: String = row.try_get("kind")?;
            lines.push((
                row.try_get::<i64, _>("id")?,
                PendingAlert {
                    kind: kind
                        .parse()
                        .map_err(|e: String| StoreError::Query(sqlx::Error::Decode(e.into())))?,
                    key: row.try_get("dedup_key")?,
                    line: row.try_get("line")?,
                    raised_at: row.try_get("raised_at")?,
                },
            ));
        }
        lines.sort_by_key(|(id, _)| *id);
        Ok(Some(lines.into_iter().map(|(_, a)| a).collect()))
    }

    /// Lines waiting for the next summary (status, tests).
    pub async fn pending_alerts(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM alerts_pending")
            .fetch_one(&self.pool)
            .await?)
    }

    /// For the "no delivery while jobs fail" alert: the newest email sent, and how many jobs
    /// have been failing for the whole window — created before `since_ms` and still queued
    /// with an error. Waiting on a park or on the sending limits is not failing: the park has
    /// its own alert, and pacing is what the operator configured.
    pub async fn delivery_health(&self, since_ms: i64) -> Result<(Option<i64>, i64), StoreError> {
        let last_sent: Option<i64> = sqlx::query_scalar("SELECT MAX(email_sent_at) FROM jobs")
            .fetch_one(&self.pool)
            .await?;
        let failing: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE state = $1 AND last_error_code IS NOT NULL \
             AND last_error_code NOT IN ($2, $3) AND created_at <= $4",
        )
        .bind(JobState::Queued.as_str())
        .bind(WAIT_PARKED)
        .bind(WAIT_PACED)
        .bind(since_ms)
        .fetch_one(&self.pool)
        .await?;
        Ok((last_sent, failing))
    }
}
