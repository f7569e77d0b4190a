//! Students' answers, fetched together: when several jobs of one assessment wait for their
//! answers, one call (`users=a,b,c`, 200 a page) brings them all, and each job takes its own
//! from the database. A lone job is fetched at once, with nobody else in its batch.
//!
//! Within a process, one batch per assessment is in flight at a time; the jobs that arrive
//! meanwhile find their answers in the database when it lands, or start the next batch.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::db::{FetchedSubmission, Store};
use crate::domain::submission::Submission;
use crate::learnworlds::{pick, LearnWorlds, LwError, Priority};

use super::StageError;

/// The most students named in one call: the URL stays near 5 KB.
pub const MAX_BATCH: usize = 200;

#[derive(Default)]
pub struct AnswerBatches {
    in_flight: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// Whose answers a job wants.
pub struct Wanted<'a> {
    pub job_id: i64,
    pub assessment_id: &'a str,
    pub user_id: &'a str,
    pub submission_id: Option<&'a str>,
}

impl AnswerBatches {
    fn lock_of(&self, assessment_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, m| Arc::strong_count(m) > 1);
        map.entry(assessment_id.to_string()).or_default().clone()
    }

    /// The job's submission if it is visible now (from an earlier batch, or from a batch this
    /// call makes with the other students waiting), else None.
    pub async fn find(
        &self,
        store: &Store,
        api: &LearnWorlds,
        batch_size: usize,
        want: &Wanted<'_>,
    ) -> Result<Option<Submission>, StageError> {
        if let Some(found) = fetched(store, want).await? {
            return Ok(Some(found));
        }
        let lock = self.lock_of(want.assessment_id);
        let _turn = lock.lock().await;
        // The batch this job waited behind may have brought its answers.
        if let Some(found) = fetched(store, want).await? {
            return Ok(Some(found));
        }
        let mut users = vec![want.user_id.to_string()];
        if batch_size > 1 {
            for u in store
                .users_waiting_for_answers(want.assessment_id, batch_size.min(MAX_BATCH))
                .await?
            {
                if users.len() < batch_size && !users.contains(&u) {
                    users.push(u);
                }
            }
        }
        let listed = api
            .responses(want.assessment_id, &users, Priority::Job)
            .await?;
        let rows = listed
            .iter()
            .filter(|s| {
                s.user_id
                    .as_deref()
                    .is_some_and(|u| users.iter().any(|w| w == u))
            })
            .map(row_of)
            .collect::<Result<Vec<_>, _>>()?;
        store.keep_fetched(want.assessment_id, &rows).await?;
        Ok(pick(listed, want.user_id, want.submission_id))
    }
}

async fn fetched(store: &Store, want: &Wanted<'_>) -> Result<Option<Submission>, StageError> {
    let rows = store
        .fetched_for_job(want.job_id, want.assessment_id, want.user_id)
        .await?;
    let listed = rows
        .iter()
        .filter_map(|r| serde_json::from_str::<Submission>(&r.body).ok());
    Ok(pick(listed, want.user_id, want.submission_id))
}

fn row_of(s: &Submission) -> Result<FetchedSubmission, StageError> {
    Ok(FetchedSubmission {
        user_id: s.user_id.clone().unwrap_or_default(),
        submission_id: s.id.clone(),
        submitted_at: s.submitted_at,
        body: serde_json::to_string(s)
            .map_err(|e| StageError::from(LwError::Decode(e.to_string())))?,
    })
}
