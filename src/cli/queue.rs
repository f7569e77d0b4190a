//! The operator's view of the queue and actions on it: `status`, `retry`, `requeue`.

use std::process::ExitCode;

use serde_json::{json, Value};

use super::output::{actor, Out};
use super::NoDatabase;
use crate::config::Config;
use crate::db::{ActionOutcome, Requeue, StatusQuery, StatusReport, Store, StoreError};
use crate::startup::redact_url;

/// The service's database, never a new one: a command run from the wrong folder says where
/// it looked instead of reporting on an empty database it just created.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    match Store::open_existing(&config.database_url).await {
        Ok(store) => Ok(store),
        Err(StoreError::NoDatabase(why)) => {
            let hint = if config_uses_default_url(config) {
                format!(
                    "DATABASE_URL is not set, so the default in DATA_DIR={} was used",
                    config.data_dir.display()
                )
            } else {
                format!("DATABASE_URL={}", redact_url(&config.database_url))
            };
            Err(NoDatabase(format!(
                "{why} ({hint}). Run the command where the service runs, or set DATABASE_URL \
                 (or DATA_DIR) to the service's database; nothing was created."
            ))
            .into())
        }
        Err(e) => Err(e.into()),
    }
}

fn config_uses_default_url(config: &Config) -> bool {
    let default = config.data_dir.join("webhook-service.db");
    config.database_url.contains(&default.display().to_string())
}

fn who(event: &Value) -> String {
    let get = |k: &str| event[k].as_str().unwrap_or("?").to_string();
    format!(
        "student {} <{}>, assessment {}",
        event["username"].as_str().unwrap_or(&get("user_id")),
        get("email"),
        get("assessment_title")
    )
}

pub async fn status(config: &Config, query: StatusQuery, out: Out) -> anyhow::Result<ExitCode> {
    let store = open_store(config).await?;
    let report = store.status_of(&query).await?;
    store.close().await;
    // Usable from cron: 1 while a student is left without a report (a dead job, or a
    // submission that routes nowhere).
    let code = if report.dead_matching > 0 || !report.unroutable.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    };
    if out.json {
        out.json(&report)?;
    } else {
        print_status(&report, &query, out);
    }
    Ok(code)
}

fn print_status(report: &StatusReport, query: &StatusQuery, out: Out) {
    println!("events received: {}", report.events);
    println!(
        "emails sent:     {} (and {} resend(s))",
        report.emails_sent, report.resends_sent
    );
    println!(
        "emails counted:  {} in the last hour, {} in the last 24 hours (MAIL_MAX_PER_HOUR / MAIL_MAX_PER_DAY)",
        report.mail_sent_last_hour, report.mail_sent_last_day
    );
    if let Some(mail) = &report.mail {
        println!("{}", out.bad(mail));
    }
    println!("jobs:");
    for (state, n) in &report.jobs {
        let line = format!("  {state:<8} {n}");
        if state == "dead" && *n > 0 {
            println!("{}", out.bad(&line));
        } else {
            println!("{line}");
        }
    }
    if !report.pending_by_stage.is_empty() {
        println!("waiting or running, by stage:");
        for (stage, n) in &report.pending_by_stage {
            println!("  {stage:<8} {n}");
        }
    }
    if let Some(w) = &report.oldest_waiting {
        println!(
            "oldest waiting:  job {} ({}, stage {}) since {} ({:.0} s)",
            w.job_id, w.state, w.stage, w.since, w.age_seconds
        );
    }
    println!(
        "unroutable:      {} submission(s) answered 422 and not rerouted",
        report.unroutable_waiting
    );
    let mut filters = Vec::new();
    if let Some(e) = &query.email {
        filters.push(format!("email contains '{e}'"));
    }
    if let Some(a) = &query.assessment {
        filters.push(format!("assessment '{a}'"));
    }
    if !filters.is_empty() {
        println!(
            "{}",
            out.strong(&format!("showing: {}", filters.join(", ")))
        );
    }
    if report.problems.is_empty() {
        println!("{}", out.good("no failures"));
    } else {
        println!("{}", out.strong("latest failures:"));
        for p in &report.problems {
            let line = format!(
                "  job {} [{}] stage {} after {} attempt(s), {}: {} {}",
                p.job_id,
                p.state,
                p.stage,
                p.attempts,
                p.updated_at,
                p.error_code.as_deref().unwrap_or("-"),
                p.error.as_deref().unwrap_or("")
            );
            println!(
                "{}",
                if p.state == "dead" {
                    out.bad(&line)
                } else {
                    line
                }
            );
            println!("      {}", who(&p.event));
        }
    }
    if !report.unroutable.is_empty() {
        println!(
            "{}",
            out.strong("unroutable submissions (fix the routing, then `reroute`):")
        );
        for u in &report.unroutable {
            println!(
                "  event {}, {}: {} {}",
                u.event_id, u.received_at, u.code, u.reason
            );
            println!("      {}", who(&u.event));
        }
    }
    if let Some(deliveries) = &report.deliveries {
        println!("{}", out.strong("deliveries (newest first):"));
        if deliveries.is_empty() {
            println!("  none");
        }
        for d in deliveries {
            let resent = if d.resent > 0 {
                format!(", resent {} time(s)", d.resent)
            } else {
                String::new()
            };
            println!(
                "  job {} emailed {} to {} <{}>, assessment {}{resent}",
                d.job_id,
                d.sent_at,
                d.name.as_deref().unwrap_or("?"),
                d.email.as_deref().unwrap_or("?"),
                d.assessment_title.as_deref().unwrap_or("?"),
            );
            if let Some(key) = &d.report_key {
                println!("      report {key}");
            }
        }
    }
}

fn describe(id: i64, outcome: &ActionOutcome, done: &str) -> String {
    match outcome {
        ActionOutcome::Done { was } => format!("job {id}: {done} (was {was})"),
        ActionOutcome::NotApplicable { state } if state == "done" => format!(
            "job {id}: left alone, it is done (delivered; `resend --job {id}` emails it again)"
        ),
        ActionOutcome::NotApplicable { state } => format!("job {id}: left alone, it is {state}"),
        ActionOutcome::Unknown => format!("job {id}: no such job"),
    }
}

fn report(
    results: &[(i64, ActionOutcome)],
    done: &str,
    hint: &str,
    out: Out,
) -> anyhow::Result<ExitCode> {
    let failed = results
        .iter()
        .any(|(_, o)| !matches!(o, ActionOutcome::Done { .. }));
    if out.json {
        let jobs: Vec<Value> = results
            .iter()
            .map(|(id, o)| {
                let mut v = serde_json::to_value(o).unwrap_or(Value::Null);
                v["job_id"] = json!(id);
                v
            })
            .collect();
        out.json(&json!({"jobs": jobs, "ok": !failed}))?;
    } else {
        for (id, o) in results {
            let line = describe(*id, o, done);
            println!("{}", if failed { out.bad(&line) } else { line });
        }
        let n = results
            .iter()
            .filter(|(_, o)| matches!(o, ActionOutcome::Done { .. }))
            .count();
        println!("{n} job(s) {done}; {hint}");
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// `retry --job N…`: due now, whatever the back-off (queued), or queued again (dead).
pub async fn retry(config: &Config, jobs: &[i64], out: Out) -> anyhow::Result<ExitCode> {
    let store = open_store(config).await?;
    let actor = actor();
    let mut results = Vec::new();
    for &id in jobs {
        results.push((id, store.retry_now(id, &actor).await?));
    }
    store.close().await;
    report(
        &results,
        "due now",
        "a running service picks them up within seconds",
        out,
    )
}

/// `requeue`: dead jobs (all, those of one error code, or the ones named) back in the queue.
pub async fn requeue(config: &Config, which: Requeue, out: Out) -> anyhow::Result<ExitCode> {
    let store = open_store(config).await?;
    let results = store.requeue(&which, &actor()).await?;
    store.close().await;
    report(
        &results,
        "put back in the queue",
        "a running service picks them up within seconds",
        out,
    )
}

/// `unpark-mail`: lifts a park (after the provider's quota was raised) and makes the emails
/// waiting on it due now.
pub async fn unpark_mail(config: &Config, out: Out) -> anyhow::Result<ExitCode> {
    let store = open_store(config).await?;
    let n = store.unpark_mail().await?;
    if out.json {
        out.json(&json!({"unparked": true, "due_now": n}))?;
    } else {
        println!("mail is no longer parked; {n} waiting email(s) are due now");
    }
    Ok(ExitCode::SUCCESS)
}
