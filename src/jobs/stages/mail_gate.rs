//! What holds every job's email, shared by all instances through the database: a park set by
//! a provider's quota or throttle reply, and the `MAIL_MAX_PER_HOUR` / `MAIL_MAX_PER_DAY`
//! pacing. A job held here goes back to the queue, due when the hold ends, without using an
//! attempt; its last error says until when and why.

use tracing::{info, warn};

use crate::alerts::rfc3339;
use crate::db::{now_ms, SendSlot, WAIT_PACED, WAIT_PARKED};
use crate::jobs::{Deps, JobRecord, StageError};
use crate::mail::ParkKind;

/// A little spread, so jobs held together do not all come back in the same millisecond.
fn spread(job: &JobRecord) -> i64 {
    job.id.rem_euclid(1000)
}

/// Fails with a wait when mail is parked.
pub async fn check_park(deps: &Deps, job: &JobRecord) -> Result<(), StageError> {
    match deps.store.mail_park().await? {
        None => Ok(()),
        Some(park) => Err(parked(park.until_ms + spread(job), &park.reason)),
    }
}

fn parked(until_ms: i64, reason: &str) -> StageError {
    StageError::wait_until(
        WAIT_PARKED,
        until_ms,
        format!("mail parked until {}: {reason}", rfc3339(until_ms)),
    )
}

/// Fails with a wait when the sending limits have no room now (a read: checked before the
/// report is loaded, so that many held jobs waking together cost little).
pub async fn check_room(deps: &Deps, job: &JobRecord) -> Result<(), StageError> {
    let limits = &deps.mail.limits;
    match deps
        .store
        .send_room(limits.per_hour, limits.per_day)
        .await?
    {
        Some(SendSlot::Full { until_ms, per_day }) => Err(paced(deps, job, until_ms, per_day)),
        _ => Ok(()),
    }
}

/// Counts this send against the limits, or fails with a wait until one fits.
pub async fn reserve(deps: &Deps, job: &JobRecord) -> Result<i64, StageError> {
    let limits = &deps.mail.limits;
    match deps
        .store
        .reserve_send(job.id, limits.per_hour, limits.per_day)
        .await?
    {
        SendSlot::Granted(slot) => Ok(slot),
        SendSlot::Full { until_ms, per_day } => Err(paced(deps, job, until_ms, per_day)),
    }
}

fn paced(deps: &Deps, job: &JobRecord, until_ms: i64, per_day: bool) -> StageError {
    let limits = &deps.mail.limits;
    let (var, limit, window) = if per_day {
        ("MAIL_MAX_PER_DAY", limits.per_day, "24 hours")
    } else {
        ("MAIL_MAX_PER_HOUR", limits.per_hour, "hour")
    };
    let until_ms = until_ms + spread(job);
    StageError::wait_until(
        WAIT_PACED,
        until_ms,
        format!(
            "mail paced: {} emails sent in the last {window} ({var}); this one waits until {}",
            limit.unwrap_or_default(),
            rfc3339(until_ms)
        ),
    )
}

/// The server refused the message: the provider did not count it either.
pub async fn release(deps: &Deps, slot: i64) {
    if let Err(e) = deps.store.release_send(slot).await {
        warn!(error = %e, "could not take back a refused send; the limits count it until it ages out");
    }
}

/// Parks all mail after the provider's quota or throttle reply; alerts the operator when this
/// starts (or extends) the park. The job waits for the park like every other.
pub async fn park(deps: &Deps, job: &JobRecord, kind: ParkKind, reply: &str) -> StageError {
    let limits = &deps.mail.limits;
    let hold = match kind {
        ParkKind::Quota => limits.quota_park,
        ParkKind::Throttle => limits.throttle_park,
    };
    let until = now_ms() + hold.as_millis() as i64;
    match deps.store.park_mail(until, reply).await {
        Ok(true) => {
            warn!(until = %rfc3339(until), reply, "the mail provider refused for the whole account: all mail is parked");
            deps.alerts.mail_parked(until, reply).await;
        }
        Ok(false) => info!("mail was already parked for longer"),
        Err(e) => return e.into(),
    }
    match deps.store.mail_park().await {
        Ok(Some(p)) => parked(p.until_ms + spread(job), &p.reason),
        _ => parked(until + spread(job), reply),
    }
}
