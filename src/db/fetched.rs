//! Submissions one batched API call brought back for the other jobs of its batch: each job of
//! an assessment takes its own answers from here instead of asking LearnWorlds again.

use sqlx::Row;

use super::{now_ms, Store, StoreError};
use crate::domain::job::{JobStage, JobState};

/// Rows older than this are of no use to any job still waiting (its fetch would have run).
const KEEP_MS: i64 = 24 * 3600 * 1000;

/// One submission as the API listed it (the JSON the fetch stage parses).
#[derive(Debug, Clone, PartialEq)]
pub struct FetchedSubmission {
    pub user_id: String,
    pub submission_id: String,
    pub submitted_at: Option<f64>,
    pub body: String,
}

impl Store {
    /// Students of `assessment_id` whose jobs wait for their answers (in the fetch stage, queued
    /// or running) and were not fetched since their job was queued, oldest job first.
    pub async fn users_waiting_for_answers(
        &self,
        assessment_id: &str,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT j.user_id FROM jobs j \
             WHERE j.assessment_id = $1 AND j.stage = $2 AND j.state IN ($3, $4) \
             AND j.user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM fetched_submissions f \
                 WHERE f.assessment_id = j.assessment_id AND f.user_id = j.user_id \
                 AND f.fetched_at >= j.created_at) \
             ORDER BY j.id LIMIT $5",
        )
        .bind(assessment_id)
        .bind(JobStage::Fetch.as_str())
        .bind(JobState::Queued.as_str())
        .bind(JobState::Running.as_str())
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        let mut users: Vec<String> = Vec::with_capacity(rows.len());
        for row in rows {
            let user: String = row.try_get("user_id")?;
            if !users.contains(&user) {
                users.push(user);
            }
        }
        Ok(users)
    }

    /// Keeps what a batched call returned (the newest copy of a submission wins) and drops rows
    /// no job can still need.
    pub async fn keep_fetched(
        &self,
        assessment_id: &str,
        fetched: &[FetchedSubmission],
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        for s in fetched {
            sqlx::query(
                "INSERT INTO fetched_submissions \
                 (assessment_id, user_id, submission_id, submitted_at, body, fetched_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (assessment_id, user_id, submission_id) DO UPDATE SET \
                 submitted_at = excluded.submitted_at, body = excluded.body, \
                 fetched_at = excluded.fetched_at",
            )
            .bind(assessment_id)
            .bind(&s.user_id)
            .bind(&s.submission_id)
            .bind(s.submitted_at)
            .bind(&s.body)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM fetched_submissions WHERE fetched_at < $1")
            .bind(now - KEEP_MS)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The submissions of the job's student fetched since the job was queued (older rows may
    /// predate the submission the job is about, or its grading).
    pub async fn fetched_for_job(
        &self,
        job_id: i64,
        assessment_id: &str,
        user_id: &str,
    ) -> Result<Vec<FetchedSubmission>, StoreError> {
        let rows = sqlx::query(
            "SELECT user_id, submission_id, submitted_at, body FROM fetched_submissions \
             WHERE assessment_id = $2 AND user_id = $3 \
             AND fetched_at >= (SELECT created_at FROM jobs WHERE id = $1)",
        )
        .bind(job_id)
        .bind(assessment_id)
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                Ok(FetchedSubmission {
                    user_id: row.try_get("user_id")?,
                    submission_id: row.try_get("submission_id")?,
                    submitted_at: row.try_get("submitted_at")?,
                    body: row.try_get("body")?,
                })
            })
            .collect()
    }
}
