//! The dashboard's submissions: every job and every unroutable submission, searchable by
//! student, assessment, state and date, paged; and one submission's whole record.

use serde_json::Value;
use sqlx::Row;

use super::attempts::Attempt;
use super::lists::UNROUTABLE_KIND;
use super::query::field;
use super::resends::DeliveredJob;
use super::{Store, StoreError};
use crate::domain::job::{JobState, SubmissionState};

pub const PAGE_SIZE: usize = 50;

/// What the list shows (every field optional; text matches ignore case).
#[derive(Debug, Clone, Default)]
pub struct SubmissionFilter {
    /// Part of the student's email or name.
    pub student: Option<String>,
    /// Part of the assessment's title, or its id.
    pub assessment: Option<String>,
    pub state: Option<SubmissionState>,
    /// Received at or after / before (ms).
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// 0-based page of `PAGE_SIZE` rows.
    pub page: usize,
}

#[derive(Debug, Clone)]
pub struct SubmissionRow {
    pub job_id: Option<i64>,
    pub event_id: i64,
    pub received_at: i64,
    pub name: Option<String>,
    pub email: Option<String>,
    pub assessment: Option<String>,
    pub state: SubmissionState,
    pub stage: Option<String>,
    pub error_code: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SubmissionPage {
    pub rows: Vec<SubmissionRow>,
    /// Rows matching, over all pages.
    pub total: usize,
}

/// An operator action or a resend, as the timeline shows it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub at: i64,
    pub actor: String,
    pub what: String,
    pub detail: String,
}

#[derive(Debug, Clone)]
pub struct SubmissionDetail {
    pub row: SubmissionRow,
    pub created_at: Option<i64>,
    pub email_sent_at: Option<i64>,
    pub report_key: Option<String>,
    pub attempts: Vec<Attempt>,
    pub actions: Vec<Recorded>,
    pub resends: Vec<Recorded>,
    /// The job as a resend reads it (for the email as sent).
    pub job: Option<DeliveredJob>,
}

fn state_of(state: &str, error_code: Option<&str>) -> SubmissionState {
    match state.parse::<JobState>() {
        Ok(JobState::Done) => SubmissionState::Delivered,
        Ok(JobState::Dead) => SubmissionState::Dead,
        _ if error_code.is_some() => SubmissionState::Failing,
        _ => SubmissionState::Pending,
    }
}

pub(super) fn row_of(r: &sqlx::any::AnyRow) -> Result<SubmissionRow, StoreError> {
    let payload: String = r.try_get("payload")?;
    let mut event: Value = serde_json::from_str(&payload).unwrap_or(Value::Null);
    let job_id: Option<i64> = r.try_get("job_id")?;
    let error_code: Option<String> = r.try_get("last_error_code")?;
    let mut error: Option<String> = r.try_get("last_error")?;
    let state = match r.try_get::<Option<String>, _>("state")? {
        Some(s) => state_of(&s, error_code.as_deref()),
        None => SubmissionState::Unroutable,
    };
    let mut code = error_code;
    if state == SubmissionState::Unroutable {
        let why = event.get("unroutable").cloned().unwrap_or(Value::Null);
        code = Some(field(&why, "code").unwrap_or("unroutable").to_string());
        error = field(&why, "reason").map(str::to_string);
    }
    // The webhook may have left the address out: the API's then.
    if field(&event, "email").is_none() {
        let submission: Option<String> = r.try_get("submission")?;
        let api = submission.and_then(|s| serde_json::from_str::<Value>(&s).ok());
        if let (Some(o), Some(e)) = (
            event.as_object_mut(),
            api.as_ref().and_then(|s| field(s, "email")),
        ) {
            o.insert("email".into(), Value::String(e.to_string()));
        }
    }
    let text = |k: &str| field(&event, k).map(str::to_string);
    Ok(SubmissionRow {
        job_id,
        event_id: r.try_get("event_id")?,
        received_at: r.try_get("received_at")?,
        name: text("username"),
        email: text("email"),
        assessment: text("assessment_title").or(text("assessment_id")),
        state,
        stage: r.try_get("stage")?,
        error_code: code,
        error,
    })
}

impl SubmissionFilter {
    fn matches(&self, row: &SubmissionRow, assessment_id: Option<&str>) -> bool {
        let has = |v: &Option<String>, part: &str| {
            v.as_deref()
                .is_some_and(|v| v.to_lowercase().contains(&part.trim().to_lowercase()))
        };
        self.student
            .as_deref()
            .is_none_or(|s| has(&row.email, s) || has(&row.name, s))
            && self.assessment.as_deref().is_none_or(|a| {
                has(&row.assessment, a) || assessment_id.is_some_and(|id| id == a.trim())
            })
            && self.state.is_none_or(|s| s == row.state)
    }
}

macro_rules! select {
    () => {
        "SELECT e.id AS event_id, e.received_at, e.payload, j.id AS job_id, \
         j.state, j.stage, j.last_error_code, j.last_error, j.submission \
         FROM events e LEFT JOIN jobs j ON j.event_id = e.id"
    };
}
pub(super) use select;

impl Store {
    /// One page of submissions, newest first. Unroutable ones already rerouted are left out
    /// (their job is listed).
    pub async fn submissions(&self, f: &SubmissionFilter) -> Result<SubmissionPage, StoreError> {
        let rows = sqlx::query(concat!(
            select!(),
            " WHERE (j.id IS NOT NULL OR (e.kind = $1 AND e.rerouted_job_id IS NULL)) \
             AND e.received_at >= $2 AND e.received_at < $3 ORDER BY e.received_at DESC, e.id DESC"
        ))
        .bind(UNROUTABLE_KIND)
        .bind(f.from_ms.unwrap_or(i64::MIN))
        .bind(f.to_ms.unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        let mut matching = Vec::new();
        for r in &rows {
            let row = row_of(r)?;
            let payload: String = r.try_get("payload")?;
            let event: Value = serde_json::from_str(&payload).unwrap_or(Value::Null);
            if f.matches(&row, field(&event, "assessment_id")) {
                matching.push(row);
            }
        }
        let total = matching.len();
        let rows = matching
            .into_iter()
            .skip(f.page * PAGE_SIZE)
            .take(PAGE_SIZE)
            .collect();
        Ok(SubmissionPage { rows, total })
    }
}
