//! Mail limits every instance on this database shares: the park (a provider's quota or
//! throttle holds all mail until a time) and the record of sends that `MAIL_MAX_PER_HOUR` /
//! `MAIL_MAX_PER_DAY` count.

use sqlx::Row;

use super::alerts::WAIT_PARKED;
use super::{now_ms, Backend, Store, StoreError};
use crate::domain::job::JobState;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;
/// Key of the PostgreSQL advisory lock that makes "count, then insert" one step across
/// instances (SQLite runs one writer at a time anyway).
const SENDS_LOCK: i64 = 0x6d61_696c_5f6c_696d; // "mail_lim"

/// Until when mail is held, and the provider's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailPark {
    pub until_ms: i64,
    pub reason: String,
}

/// The answer to "may this job send now?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendSlot {
    /// Counted; give it back with `release_send` when the server clearly refused.
    Granted(i64),
    /// The hourly (`per_day == false`) or daily limit is reached until `until_ms`.
    Full { until_ms: i64, per_day: bool },
}

impl Store {
    /// The park in force now, if any.
    pub async fn mail_park(&self) -> Result<Option<MailPark>, StoreError> {
        let row = sqlx::query("SELECT parked_until, reason FROM mail_park WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        let until_ms: i64 = row.try_get("parked_until")?;
        Ok((until_ms > now_ms()).then(|| MailPark {
            until_ms,
            reason: row.try_get("reason").unwrap_or_default(),
        }))
    }

    /// Holds all mail until `until_ms`; a later park already in force is kept. True when this
    /// call set or extended the park (the caller alerts the operator once).
    pub async fn park_mail(&self, until_ms: i64, reason: &str) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE mail_park SET parked_until = $1, reason = $2 WHERE id = 1 AND parked_until < $1",
        )
        .bind(until_ms)
        .bind(reason)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Lifts the park (the operator, after raising the quota) and makes the jobs waiting on it
    /// due now; returns how many.
    pub async fn unpark_mail(&self) -> Result<u64, StoreError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE mail_park SET parked_until = 0 WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        let r = sqlx::query(
            "UPDATE jobs SET run_at = $1 WHERE state = $2 AND last_error_code = $3 AND run_at > $1",
        )
        .bind(now)
        .bind(JobState::Queued.as_str())
        .bind(WAIT_PARKED)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(r.rows_affected())
    }

    /// When the limits have no room now: until when, and whether it is the daily one. A read
    /// only, so that a job held by the limits learns it before loading its report.
    pub async fn send_room(
        &self,
        per_hour: Option<u32>,
        per_day: Option<u32>,
    ) -> Result<Option<SendSlot>, StoreError> {
        if per_hour.is_none() && per_day.is_none() {
            return Ok(None);
        }
        let mut conn = self.pool.acquire().await?;
        full_until(&mut conn, now_ms(), per_hour, per_day).await
    }

    /// Counts a send against the limits if both have room, in one step for all instances.
    pub async fn reserve_send(
        &self,
        job_id: i64,
        per_hour: Option<u32>,
        per_day: Option<u32>,
    ) -> Result<SendSlot, StoreError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(SENDS_LOCK)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM mail_sends WHERE sent_at < $1")
            .bind(now - 2 * DAY_MS)
            .execute(&mut *tx)
            .await?;
        if let Some(full) = full_until(&mut tx, now, per_hour, per_day).await? {
            tx.rollback().await?;
            return Ok(full);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO mail_sends (job_id, sent_at) VALUES ($1, $2) RETURNING id",
        )
        .bind(job_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(SendSlot::Granted(id))
    }

    /// Takes a counted send back: the server refused it, so the provider did not count it.
    pub async fn release_send(&self, slot: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM mail_sends WHERE id = $1")
            .bind(slot)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Sends counted in the last hour and the last day.
    pub async fn recent_sends(&self) -> Result<(i64, i64), StoreError> {
        let now = now_ms();
        let row = sqlx::query(
            "SELECT COALESCE(SUM(CASE WHEN sent_at > $1 THEN 1 ELSE 0 END), 0) AS hour, \
             COUNT(*) AS day FROM mail_sends WHERE sent_at > $2",
        )
        .bind(now - HOUR_MS)
        .bind(now - DAY_MS)
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get("hour")?, row.try_get("day")?))
    }
}

/// `SendSlot::Full` when a limit has no room at `now`: the send that must leave the window
/// before one more fits is the oldest of the newest `limit` sends.
async fn full_until(
    conn: &mut sqlx::AnyConnection,
    now: i64,
    per_hour: Option<u32>,
    per_day: Option<u32>,
) -> Result<Option<SendSlot>, StoreError> {
    for (limit, window, per_day) in [(per_hour, HOUR_MS, false), (per_day, DAY_MS, true)] {
        let Some(limit) = limit else { continue };
        let blocking: Option<i64> = sqlx::query_scalar(
            "SELECT sent_at FROM mail_sends WHERE sent_at > $1 \
             ORDER BY sent_at DESC, id DESC LIMIT 1 OFFSET $2",
        )
        .bind(now - window)
        .bind(i64::from(limit.max(1)) - 1)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(at) = blocking {
            return Ok(Some(SendSlot::Full {
                until_ms: at + window + 1,
                per_day,
            }));
        }
    }
    Ok(None)
}
