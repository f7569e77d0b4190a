//! What the reconciliation sweep keeps: a watermark per assessment, the lease that lets one
//! instance sweep at a time, and a record of each sweep.

use sqlx::Row;

use super::{now_ms, Store, StoreError};

/// What one sweep found (all assessments together).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SweepTotals {
    pub assessments: i64,
    pub listed: i64,
    pub queued: i64,
    pub failed: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SweepRun {
    pub started_at: i64,
    pub finished_at: i64,
    pub totals: SweepTotals,
    pub error: Option<String>,
}

impl Store {
    /// Takes (or extends) the sweep lease for `holder`; false while another instance holds it.
    pub async fn take_sweep_lease(&self, holder: i64, lease_ms: i64) -> Result<bool, StoreError> {
        let now = now_ms();
        let r = sqlx::query(
            "UPDATE sweep_lease SET holder = $1, until = $2 \
             WHERE id = 1 AND (until < $3 OR holder = $1)",
        )
        .bind(holder)
        .bind(now + lease_ms)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    pub async fn release_sweep_lease(&self, holder: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE sweep_lease SET holder = NULL, until = 0 WHERE id = 1 AND holder = $1")
            .bind(holder)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The newest submission time the sweep has listed for the assessment (Unix seconds).
    pub async fn sweep_watermark(&self, assessment_id: &str) -> Result<Option<f64>, StoreError> {
        Ok(
            sqlx::query_scalar(
                "SELECT submitted_to FROM sweep_watermarks WHERE assessment_id = $1",
            )
            .bind(assessment_id)
            .fetch_optional(&self.pool)
            .await?,
        )
    }

    pub async fn set_sweep_watermark(
        &self,
        assessment_id: &str,
        submitted_to: f64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sweep_watermarks (assessment_id, submitted_to, swept_at) \
             VALUES ($1, $2, $3) ON CONFLICT (assessment_id) DO UPDATE SET \
             submitted_to = excluded.submitted_to, swept_at = excluded.swept_at",
        )
        .bind(assessment_id)
        .bind(submitted_to)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Assessments of the jobs queued since `since_ms`, most recent first.
    pub async fn assessments_seen_since(&self, since_ms: i64) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT assessment_id, MAX(created_at) AS last FROM jobs \
             WHERE assessment_id IS NOT NULL AND created_at >= $1 \
             GROUP BY assessment_id ORDER BY last DESC",
        )
        .bind(since_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| r.try_get("assessment_id").map_err(StoreError::from))
            .collect()
    }

    /// The stored event of the newest job of the assessment: its title, URL and school.
    pub async fn newest_event_of(&self, assessment_id: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT e.payload FROM events e JOIN jobs j ON j.event_id = e.id \
             WHERE j.assessment_id = $1 ORDER BY j.id DESC LIMIT 1",
        )
        .bind(assessment_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// When the first event was received: the service's start of duty, before which the sweep
    /// does not look (an earlier system sent those reports).
    pub async fn first_event_at(&self) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar("SELECT MIN(received_at) FROM events")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Whether an event of this key was received at or after `since_ms`.
    pub async fn has_event(&self, dedup_key: &str, since_ms: i64) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM events WHERE dedup_key = $1 AND received_at >= $2",
        )
        .bind(dedup_key)
        .bind(since_ms)
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }

    pub async fn record_sweep(&self, run: &SweepRun) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sweep_runs (started_at, finished_at, assessments, listed, queued, \
             failed, error) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(run.started_at)
        .bind(run.finished_at)
        .bind(run.totals.assessments)
        .bind(run.totals.listed)
        .bind(run.totals.queued)
        .bind(run.totals.failed)
        .bind(run.error.as_deref())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn last_sweep(&self) -> Result<Option<SweepRun>, StoreError> {
        let row = sqlx::query(
            "SELECT started_at, finished_at, assessments, listed, queued, failed, error \
             FROM sweep_runs ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(SweepRun {
                started_at: r.try_get("started_at")?,
                finished_at: r.try_get("finished_at")?,
                totals: SweepTotals {
                    assessments: r.try_get("assessments")?,
                    listed: r.try_get("listed")?,
                    queued: r.try_get("queued")?,
                    failed: r.try_get("failed")?,
                },
                error: r.try_get("error")?,
            })
        })
        .transpose()
    }
}
