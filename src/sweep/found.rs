//! One listed submission: does it have a report (or a job on its way), and if not, queue it.

use crate::db::{Inserted, Store, StoreError};
use crate::domain::event::SubmissionEvent;
use crate::domain::submission::Submission;
use crate::domain::text::is_bare_address;
use crate::rules::intake_record::intake_record;
use crate::rules::ProfileSet;

/// A submission with no report and no job.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Found {
    pub user_id: String,
    pub email: Option<String>,
    pub submission_id: String,
    pub submitted_at: Option<f64>,
    pub action: Action,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "action", content = "reason", rename_all = "snake_case")]
pub enum Action {
    /// Queued now: the student will be emailed.
    Queued,
    /// `--dry-run`: would be queued.
    WouldQueue,
    /// No profile reports the assessment: fix the routing, then sweep again.
    Unroutable(String),
    /// The API gave no usable address for the student.
    NoAddress,
}

impl Action {
    /// Whether the student is (or would be) on the way to a report.
    pub fn queues(&self) -> bool {
        matches!(self, Self::Queued | Self::WouldQueue)
    }

    pub fn explain(&self) -> String {
        match self {
            Self::Queued => "no report and no job: queued".into(),
            Self::WouldQueue => "no report and no job: would be queued".into(),
            Self::Unroutable(why) => format!("no report, and no profile reports it: {why}"),
            Self::NoAddress => {
                "no report, and the API shows no email address for the student".into()
            }
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct AssessmentSweep {
    pub assessment_id: String,
    /// Submissions the API listed since the watermark.
    pub listed: usize,
    /// Of those, the ones with a report or a job.
    pub known: usize,
    pub found: Vec<Found>,
    /// The listing failed (the next sweep tries again from the same watermark).
    pub error: Option<String>,
}

impl AssessmentSweep {
    pub fn new(id: &str) -> Self {
        Self {
            assessment_id: id.to_string(),
            listed: 0,
            known: 0,
            found: Vec::new(),
            error: None,
        }
    }
}

/// None when the submission has an event already (delivered, pending or given up on: the
/// operator sees those in `status`).
pub async fn check(
    store: &Store,
    profiles: &ProfileSet,
    template: &SubmissionEvent,
    s: Submission,
    dry_run: bool,
) -> Result<Option<Found>, StoreError> {
    let Some(user_id) = s.user_id.clone() else {
        return Ok(None);
    };
    let email = s.email.clone().filter(|e| is_bare_address(e));
    let event = SubmissionEvent {
        user_id: user_id.clone(),
        username: None,
        email: email.clone(),
        submission_id: Some(s.id.clone()),
        ..template.clone()
    };
    let found = |action| Found {
        user_id: user_id.clone(),
        email: s.email.clone(),
        submission_id: s.id.clone(),
        submitted_at: s.submitted_at,
        action,
    };
    let (new_event, unroutable) = match intake_record(profiles, event.clone()) {
        Ok(r) => r,
        Err(e) => return Ok(Some(found(Action::Unroutable(e.to_string())))),
    };
    if let Some(why) = unroutable {
        return Ok(Some(found(Action::Unroutable(why.reason))));
    }
    if store.has_event(&new_event.dedup_key, 0).await? {
        return Ok(None);
    }
    // A webhook that named no submission queued a job for the student's newest one: any such
    // webhook received after this submission covered it.
    let unnamed = SubmissionEvent {
        submission_id: None,
        ..event
    }
    .dedup_key();
    let submitted_ms = s.submitted_at.map_or(0, |t| (t * 1000.0) as i64);
    if new_event.dedup_key.starts_with("submitted:")
        && store.has_event(&unnamed, submitted_ms).await?
    {
        return Ok(None);
    }
    if email.is_none() {
        return Ok(Some(found(Action::NoAddress)));
    }
    if dry_run {
        return Ok(Some(found(Action::WouldQueue)));
    }
    match store.insert_batch(&[new_event]).await?.first() {
        Some(Inserted::Duplicate) | None => Ok(None),
        Some(_) => Ok(Some(found(Action::Queued))),
    }
}
