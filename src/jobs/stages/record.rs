//! record: the delivery appended to the course's `processed.csv`, then the job is done.
//! Retrying this stage never resends the email.

use super::profile_of;
use super::Next;
use crate::jobs::{Deps, JobRecord, StageError};
use crate::report::PROCESSED_HEADER;
use crate::rules::delivery::output_keys_for;

pub async fn run(deps: &Deps, job: &mut JobRecord) -> Result<Next, StageError> {
    let sent = job
        .email_sent_at
        .and_then(chrono::DateTime::from_timestamp_millis)
        .unwrap_or_else(chrono::Utc::now);
    let row = [
        job.event.user_id.clone(),
        job.recipient().unwrap_or_default(),
        job.event.assessment_title.clone(),
        job.report_key.clone().unwrap_or_default(),
        sent.to_rfc3339(),
    ];
    let profile = profile_of(deps, job)?;
    let processed_csv = output_keys_for(&profile, job.context()?).1;
    deps.storage
        .append_csv_row(&processed_csv, &PROCESSED_HEADER, &row, 3)
        .await?;
    deps.store.finish(&job.lease).await?;
    Ok(Next::Finished)
}
