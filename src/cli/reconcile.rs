//! `reconcile`: the sweep by hand — who completed an assessment but has no report, and (unless
//! `--dry-run`) queue them. A running service emails them; so does `serve` started later.

use std::process::ExitCode;
use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};

use super::output::Out;
use crate::config::Config;
use crate::jobs::SharedBudget;
use crate::learnworlds::LearnWorlds;
use crate::sweep::{sweep, SweepOptions, SweepReport};

#[derive(Debug, clap::Args)]
pub struct ReconcileArgs {
    /// Only this assessment (its 24-hex unit id).
    #[arg(long)]
    pub assessment: Option<String>,
    /// Look back to this date (YYYY-MM-DD, UTC) instead of each assessment's watermark.
    #[arg(long)]
    pub since: Option<NaiveDate>,
    /// Print who would be queued and why; queue nobody.
    #[arg(long)]
    pub dry_run: bool,
}

pub async fn reconcile(
    config: &Config,
    args: &ReconcileArgs,
    out: Out,
) -> anyhow::Result<ExitCode> {
    let store = super::queue::open_store(config).await?;
    let lw = &config.learnworlds;
    if lw.api.is_none() {
        anyhow::bail!("the LearnWorlds API is not configured (CLIENT_ID, ACCESS_TOKEN or CLIENT_SECRET, SCHOOL_DOMAIN): the sweep lists submissions through it");
    }
    // The service's instances count their calls in the same budget.
    let budget = SharedBudget::new(store.clone(), lw.rate_limit, lw.rate_window);
    let api = LearnWorlds::new(lw)?.with_budget(Arc::new(budget));
    let registry = super::profiles::registry(config).await?;
    let opts = SweepOptions {
        assessment: args.assessment.clone(),
        since: args
            .since
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| Utc.from_utc_datetime(&t).timestamp() as f64),
        dry_run: args.dry_run,
        days: config.sweep.days,
    };
    let report = sweep(&store, &api, &registry.current(), &opts).await?;
    if out.json {
        out.json(&report)?;
    } else {
        print_report(&report);
    }
    let totals = report.totals();
    Ok(if totals.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn print_report(report: &SweepReport) {
    for a in &report.assessments {
        let line = match &a.error {
            Some(e) => format!("could not be listed: {e}"),
            None => format!(
                "{} submission(s) listed, {} with a report or a job, {} without",
                a.listed,
                a.known,
                a.found.len()
            ),
        };
        println!("assessment {}: {line}", a.assessment_id);
        for f in &a.found {
            println!(
                "  {} (user {}, submission {}): {}",
                f.email.as_deref().unwrap_or("(no address)"),
                f.user_id,
                f.submission_id,
                f.action.explain()
            );
        }
    }
    let t = report.totals();
    let verb = if report.dry_run {
        "would be queued"
    } else {
        "queued"
    };
    println!(
        "{} assessment(s), {} submission(s) listed: {} {verb}, {} cannot be queued",
        t.assessments, t.listed, t.queued, t.failed
    );
    if t.assessments == 0 {
        println!("nothing to sweep: no profile routes an assessment by id and no webhook arrived in the last RECONCILE_DAYS");
    }
}
