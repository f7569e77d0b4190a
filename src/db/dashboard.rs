//! What the dashboard's overview counts: a period's received, delivered, failed, dead and
//! unroutable submissions, the queue by stage, the deliveries of the last 24 hours by hour.

use serde::Serialize;
use sqlx::Row;

use super::lists::{WaitingJob, UNROUTABLE_KIND};
use super::sweep::SweepRun;
use super::{now_ms, Store, StoreError};
use crate::domain::job::JobState;

const HOUR_MS: i64 = 3_600_000;

/// Counts since a moment (ms): the start of today or of this week in the school's zone.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Period {
    pub received: i64,
    pub delivered: i64,
    /// Jobs with at least one failed attempt in the period.
    pub failed: i64,
    pub dead: i64,
    pub unroutable: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub today: Period,
    pub week: Period,
    /// Queued or running jobs, by the stage they are at.
    pub pending_by_stage: Vec<(String, i64)>,
    pub oldest_waiting: Option<WaitingJob>,
    /// Emails counted against MAIL_MAX_PER_HOUR / MAIL_MAX_PER_DAY.
    pub mail_last_hour: i64,
    pub mail_last_day: i64,
    pub last_sweep: Option<SweepRun>,
    /// Deliveries in each of the last 24 hours, oldest hour first.
    pub deliveries_per_hour: Vec<i64>,
}

impl Store {
    pub async fn overview(&self, today_ms: i64, week_ms: i64) -> Result<Overview, StoreError> {
        let mut pending_by_stage = Vec::new();
        for row in sqlx::query(
            "SELECT stage, COUNT(*) AS n FROM jobs WHERE state IN ($1, $2) \
             GROUP BY stage ORDER BY stage",
        )
        .bind(JobState::Queued.as_str())
        .bind(JobState::Running.as_str())
        .fetch_all(&self.pool)
        .await?
        {
            pending_by_stage.push((row.try_get("stage")?, row.try_get("n")?));
        }
        let (mail_last_hour, mail_last_day) = self.recent_sends().await?;
        let now = now_ms();
        let start = now - 24 * HOUR_MS;
        let sent: Vec<i64> =
            sqlx::query_scalar("SELECT email_sent_at FROM jobs WHERE email_sent_at > $1")
                .bind(start)
                .fetch_all(&self.pool)
                .await?;
        let mut deliveries_per_hour = vec![0; 24];
        for at in sent {
            let hour = ((at - start) / HOUR_MS).clamp(0, 23) as usize;
            deliveries_per_hour[hour] += 1;
        }
        Ok(Overview {
            today: self.period(today_ms).await?,
            week: self.period(week_ms).await?,
            pending_by_stage,
            oldest_waiting: self.queue_health().await?.oldest_waiting,
            mail_last_hour,
            mail_last_day,
            last_sweep: self.last_sweep().await?,
            deliveries_per_hour,
        })
    }

    async fn period(&self, since: i64) -> Result<Period, StoreError> {
        let count = |sql: &'static str| {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(since)
                .fetch_one(&self.pool)
        };
        let dead: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE state = $2 AND finished_at >= $1")
                .bind(since)
                .bind(JobState::Dead.as_str())
                .fetch_one(&self.pool)
                .await?;
        let unroutable: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE kind = $2 AND received_at >= $1")
                .bind(since)
                .bind(UNROUTABLE_KIND)
                .fetch_one(&self.pool)
                .await?;
        Ok(Period {
            received: count("SELECT COUNT(*) FROM events WHERE received_at >= $1").await?,
            delivered: count("SELECT COUNT(*) FROM jobs WHERE email_sent_at >= $1").await?,
            failed: count("SELECT COUNT(DISTINCT job_id) FROM job_attempts WHERE at >= $1").await?,
            dead,
            unroutable,
        })
    }
}

impl Store {
    /// Dead jobs per last error code, most first.
    pub async fn dead_by_code(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT COALESCE(last_error_code, 'unknown') AS code, COUNT(*) AS n FROM jobs \
             WHERE state = $1 GROUP BY COALESCE(last_error_code, 'unknown') ORDER BY n DESC, code",
        )
        .bind(JobState::Dead.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("code")?, r.try_get("n")?)))
            .collect()
    }
}
