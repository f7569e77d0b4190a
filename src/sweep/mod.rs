//! The reconciliation sweep, the checking system the school asked for: every student who
//! completed an assessment but has no report (a webhook that never arrived, an automation
//! switched off for an afternoon) is found through the API and queued through the intake path,
//! so routing and de-duplication apply exactly as to a webhook.
//!
//! Assessments swept: those routed by id (a profile's rule or the routing spreadsheet) and
//! those seen in a webhook in the last `RECONCILE_DAYS` (which covers a fallback profile that
//! routes any title). Each is listed newest first down to its watermark (less an hour, for
//! submissions the API shows late), at low priority in the shared API budget.

mod found;

use std::collections::BTreeSet;

use crate::db::{now_ms, Store, SweepRun, SweepTotals};
use crate::domain::event::SubmissionEvent;
use crate::domain::route::RoutedEvent;
use crate::learnworlds::{LearnWorlds, Priority};
use crate::rules::ProfileSet;

pub use found::{Action, AssessmentSweep, Found};

/// Submissions listed late by the API are not missed: each sweep re-reads the last hour.
const OVERLAP_SECONDS: f64 = 3600.0;

#[derive(Debug, Clone, Default)]
pub struct SweepOptions {
    /// Only this assessment (else every routed or recently seen one).
    pub assessment: Option<String>,
    /// Look back to here (Unix seconds) instead of each assessment's watermark.
    pub since: Option<f64>,
    /// Report who would be queued, queue nobody, move no watermark.
    pub dry_run: bool,
    /// `RECONCILE_DAYS`: how far back a first sweep and "recently seen" reach.
    pub days: u32,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SweepReport {
    pub dry_run: bool,
    pub assessments: Vec<AssessmentSweep>,
}

impl SweepReport {
    pub fn totals(&self) -> SweepTotals {
        let mut t = SweepTotals {
            assessments: self.assessments.len() as i64,
            ..Default::default()
        };
        for a in &self.assessments {
            t.listed += a.listed as i64;
            t.queued += a.found.iter().filter(|f| f.action.queues()).count() as i64;
            t.failed += a.found.iter().filter(|f| !f.action.queues()).count() as i64
                + i64::from(a.error.is_some());
        }
        t
    }
}

pub async fn sweep(
    store: &Store,
    api: &LearnWorlds,
    profiles: &ProfileSet,
    opts: &SweepOptions,
) -> Result<SweepReport, crate::db::StoreError> {
    let started_at = now_ms();
    let lookback_ms = i64::from(opts.days) * 24 * 3600 * 1000;
    let ids: BTreeSet<String> = match &opts.assessment {
        Some(one) => [one.to_ascii_lowercase()].into(),
        None => profiles
            .routed_assessment_ids()
            .into_iter()
            .chain(
                store
                    .assessments_seen_since(started_at - lookback_ms)
                    .await?,
            )
            .collect(),
    };
    // Before the first webhook this service received an earlier system sent the reports: a
    // first sweep reaches back only an hour before it (webhooks lost while the automation was
    // being switched over).
    let on_duty_since =
        store.first_event_at().await?.unwrap_or(started_at) - (OVERLAP_SECONDS as i64) * 1000;
    let default_since = (started_at - lookback_ms).max(on_duty_since) as f64 / 1000.0;
    let mut report = SweepReport {
        dry_run: opts.dry_run,
        assessments: Vec::new(),
    };
    for id in ids {
        let since = match opts.since {
            Some(s) => s,
            None => match store.sweep_watermark(&id).await? {
                Some(w) => w - OVERLAP_SECONDS,
                None => default_since,
            },
        };
        let template = template_event(store, profiles, &id).await?;
        let mut one = AssessmentSweep::new(&id);
        match api.responses_since(&id, Some(since), Priority::Sweep).await {
            Ok(listed) => {
                one.listed = listed.len();
                let newest = listed
                    .iter()
                    .filter_map(|s| s.submitted_at)
                    .reduce(f64::max);
                for s in listed {
                    if let Some(f) =
                        found::check(store, profiles, &template, s, opts.dry_run).await?
                    {
                        one.found.push(f);
                    } else {
                        one.known += 1;
                    }
                }
                let clean = one.found.iter().all(|f| f.action.queues());
                if let (false, true, Some(newest)) = (opts.dry_run, clean, newest) {
                    store.set_sweep_watermark(&id, newest).await?;
                }
            }
            Err(e) => {
                tracing::warn!(code = "sweep_list_failed", assessment_id = %id, error = %e, "the sweep could not list an assessment's responses");
                one.error = Some(format!("{}: {e}", e.code()));
            }
        }
        report.assessments.push(one);
    }
    if !opts.dry_run {
        store
            .record_sweep(&SweepRun {
                started_at,
                finished_at: now_ms(),
                totals: report.totals(),
                error: None,
            })
            .await?;
    }
    Ok(report)
}

/// What the webhooks of this assessment said of it (title, URL, course, school), from its
/// newest stored event; for an assessment never seen, what its route names it.
async fn template_event(
    store: &Store,
    profiles: &ProfileSet,
    id: &str,
) -> Result<SubmissionEvent, crate::db::StoreError> {
    if let Some(payload) = store.newest_event_of(id).await? {
        if let Ok(routed) = serde_json::from_str::<RoutedEvent>(&payload) {
            return Ok(routed.event);
        }
    }
    let mut event = SubmissionEvent {
        user_id: String::new(),
        username: None,
        email: None,
        assessment_id: id.to_string(),
        assessment_title: id.to_string(),
        assessment_url: String::new(),
        course_id: None,
        submission_id: None,
        school_name: None,
    };
    if let Ok(route) = profiles.route(&event) {
        if let Some(name) = route.assessment_name {
            event.assessment_title = name;
        }
    }
    Ok(event)
}

/// One scheduled sweep, by the instance holding the sweep lease (None when another holds it).
/// The lease outlasts any sweep the budget allows; a crashed holder's lease runs out.
pub async fn sweep_if_leader(
    store: &Store,
    api: &LearnWorlds,
    profiles: &ProfileSet,
    opts: &SweepOptions,
    holder: i64,
) -> Result<Option<SweepReport>, crate::db::StoreError> {
    const LEASE_MS: i64 = 30 * 60 * 1000;
    if !store.take_sweep_lease(holder, LEASE_MS).await? {
        return Ok(None);
    }
    let result = sweep(store, api, profiles, opts).await;
    store.release_sweep_lease(holder).await?;
    let report = result?;
    let totals = report.totals();
    if totals.queued > 0 {
        tracing::warn!(
            code = "sweep_found_missed",
            queued = totals.queued,
            assessments = totals.assessments,
            "the reconciliation sweep found students who completed an assessment but had no report; they are queued"
        );
    } else {
        tracing::info!(
            assessments = totals.assessments,
            listed = totals.listed,
            unresolved = totals.failed,
            "reconciliation sweep: nobody missed"
        );
    }
    if totals.failed > 0 {
        tracing::warn!(code = "sweep_unresolved", unresolved = totals.failed, "the sweep found students it cannot queue (no route, no address, or an assessment it could not list): see `webhook-service reconcile --dry-run`");
    }
    Ok(Some(report))
}
