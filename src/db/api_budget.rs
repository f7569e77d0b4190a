//! The school's one LearnWorlds budget (30 requests per 10 s), shared through the database by
//! every instance and every caller: ten Cloud Run instances with a limiter each would allow ten
//! times the budget.
//!
//! A sliding-window log: one row per request. Taking a slot happens in one transaction that
//! holds the budget's lock (PostgreSQL: an advisory lock; SQLite: the write lock the first
//! `DELETE` takes), so two instances never both see the 30th slot free. PostgreSQL's clock is
//! the one clock of every instance there, so their clocks' skew cannot widen the window.

use sqlx::Row;

use super::{now_ms, Backend, Store, StoreError};

/// Any number, the same in every instance: the key of the budget's advisory lock.
const BUDGET_LOCK: i64 = 0x4c57_4255_4447;

impl Store {
    /// Counts one request if fewer than `limit` were sent in the last `window_ms` and no pause
    /// is in force; otherwise says how many milliseconds to wait before asking again.
    pub async fn take_api_slot(
        &self,
        limit: u32,
        window_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let now: i64 = match self.backend {
            Backend::Postgres => {
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(BUDGET_LOCK)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query_scalar(
                    "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
                )
                .fetch_one(&mut *tx)
                .await?
            }
            Backend::Sqlite => now_ms(),
        };
        // First statement a write: in SQLite it takes the write lock for the whole transaction.
        sqlx::query("DELETE FROM api_calls WHERE at <= $1")
            .bind(now - window_ms)
            .execute(&mut *tx)
            .await?;
        let paused_until: i64 =
            sqlx::query_scalar("SELECT paused_until FROM api_pause WHERE id = 1")
                .fetch_one(&mut *tx)
                .await?;
        let row = sqlx::query("SELECT COUNT(*) AS n, MIN(at) AS oldest FROM api_calls")
            .fetch_one(&mut *tx)
            .await?;
        let sent: i64 = row.try_get("n")?;
        let oldest: Option<i64> = row.try_get("oldest")?;
        let wait = if paused_until > now {
            Some(paused_until - now)
        } else if sent < i64::from(limit) {
            sqlx::query("INSERT INTO api_calls (at) VALUES ($1)")
                .bind(now)
                .execute(&mut *tx)
                .await?;
            None
        } else {
            // The oldest request leaves the window first.
            Some((oldest.unwrap_or(now) + window_ms - now).max(1))
        };
        tx.commit().await?;
        Ok(wait)
    }

    /// LearnWorlds answered 429: nobody, in any instance, sends for `pause_ms`.
    pub async fn pause_api(&self, pause_ms: i64) -> Result<(), StoreError> {
        let now: i64 = match self.backend {
            Backend::Postgres => {
                sqlx::query_scalar(
                    "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
                )
                .fetch_one(&self.pool)
                .await?
            }
            Backend::Sqlite => now_ms(),
        };
        sqlx::query(
            "UPDATE api_pause SET paused_until = \
             CASE WHEN paused_until < $1 THEN $1 ELSE paused_until END WHERE id = 1",
        )
        .bind(now + pause_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
