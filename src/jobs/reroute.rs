//! The submissions answered 422 (routed nowhere) queued once the profiles or the routing
//! spreadsheet route them. The command line (`reroute`) and the dashboard both come here.

use serde::Serialize;

use crate::catalog::ProfileRegistry;
use crate::db::{Inserted, Store, StoreError};
use crate::domain::event::SubmissionEvent;
use crate::rules::intake_record::intake_record;

/// What became of one unroutable submission.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Rerouted {
    Queued { job_id: i64 },
    AlreadyQueued { job_id: Option<i64> },
    StillUnroutable { code: String, message: String },
    Unreadable { message: String },
}

#[derive(Debug, Clone, Serialize)]
pub struct RerouteResult {
    pub event_id: i64,
    #[serde(flatten)]
    pub outcome: Rerouted,
}

/// Queues the submissions that were recorded as unroutable and route now. Running it twice
/// queues nothing twice; each one queued is marked with its job and recorded as the
/// operator's action (`actor`). Oldest first, as they arrived.
pub async fn reroute(
    store: &Store,
    profiles: &ProfileRegistry,
    actor: &str,
) -> Result<Vec<RerouteResult>, StoreError> {
    let mut results = Vec::new();
    let set = profiles.current();
    for u in store.unroutable(false).await?.into_iter().rev() {
        let event_id = u.event_id;
        let mut push = |outcome| results.push(RerouteResult { event_id, outcome });
        if let Some(job_id) = u.rerouted_job_id {
            push(Rerouted::AlreadyQueued {
                job_id: Some(job_id),
            });
            continue;
        }
        let event: SubmissionEvent = match serde_json::from_value(u.event) {
            Ok(e) => e,
            Err(e) => {
                push(Rerouted::Unreadable {
                    message: e.to_string(),
                });
                continue;
            }
        };
        let (record, why) = match intake_record(&set, event) {
            Ok(r) => r,
            Err(e) => {
                push(Rerouted::Unreadable {
                    message: e.to_string(),
                });
                continue;
            }
        };
        if let Some(why) = why {
            push(Rerouted::StillUnroutable {
                code: why.code.to_string(),
                message: why.reason,
            });
            continue;
        }
        let key = record.dedup_key.clone();
        let job_id = match store.insert_batch(&[record]).await?.remove(0) {
            Inserted::Queued { job_id, .. } => {
                push(Rerouted::Queued { job_id });
                Some(job_id)
            }
            _ => {
                let job_id = store.job_of_dedup_key(&key).await?;
                push(Rerouted::AlreadyQueued { job_id });
                job_id
            }
        };
        if let Some(job_id) = job_id {
            store.mark_rerouted(event_id, job_id, actor).await?;
        }
    }
    Ok(results)
}
