//! `reroute`: the submissions answered 422 (routed nowhere) queued once the profiles or the
//! routing spreadsheet route them.

use std::process::ExitCode;

use serde_json::json;

use super::output::Out;
use super::profiles::registry;
use crate::config::Config;
use crate::domain::event::SubmissionEvent;
use crate::rules::intake_record::intake_record;

/// Queues the submissions that were recorded as unroutable and route now (after the profiles
/// or the routing spreadsheet were fixed). Running it twice queues nothing twice; each one
/// queued is marked with its job, so `status` stops listing it.
pub async fn reroute(config: &Config, out: Out) -> anyhow::Result<ExitCode> {
    let store = super::queue::open_store(config).await?;
    let registry = registry(config).await?;
    let actor = super::output::actor();
    let mut results = Vec::new();
    let (mut queued, mut already, mut still) = (0, 0, 0);
    // Oldest first, as they arrived.
    for u in store.unroutable(false).await?.into_iter().rev() {
        let id = u.event_id;
        if let Some(job_id) = u.rerouted_job_id {
            already += 1;
            results.push(json!({"event_id": id, "result": "already_queued", "job_id": job_id}));
            continue;
        }
        let event: SubmissionEvent = match serde_json::from_value(u.event) {
            Ok(e) => e,
            Err(e) => {
                results.push(
                    json!({"event_id": id, "result": "unreadable", "message": e.to_string()}),
                );
                continue;
            }
        };
        let (record, why) = intake_record(&registry.current(), event)?;
        if let Some(why) = why {
            still += 1;
            results.push(json!({"event_id": id, "result": "still_unroutable", "code": why.code, "message": why.reason}));
            continue;
        }
        let key = record.dedup_key.clone();
        let job_id = match store.insert_batch(&[record]).await?.remove(0) {
            crate::db::Inserted::Queued { job_id, .. } => {
                queued += 1;
                results.push(json!({"event_id": id, "result": "queued", "job_id": job_id}));
                Some(job_id)
            }
            _ => {
                already += 1;
                let job_id = store.job_of_dedup_key(&key).await?;
                results.push(json!({"event_id": id, "result": "already_queued", "job_id": job_id}));
                job_id
            }
        };
        if let Some(job_id) = job_id {
            store.mark_rerouted(id, job_id, &actor).await?;
        }
    }
    store.close().await;
    if out.json {
        out.json(&json!({"ok": still == 0, "queued": queued, "already_queued": already, "still_unroutable": still, "events": results}))?;
    } else {
        for r in &results {
            let id = &r["event_id"];
            match r["result"].as_str().unwrap_or_default() {
                "queued" => println!("event {id}: queued as job {}", r["job_id"]),
                "already_queued" => println!("event {id}: already queued as job {}", r["job_id"]),
                "still_unroutable" => println!(
                    "event {id}: still routes nowhere: {} ({})",
                    r["code"].as_str().unwrap_or_default(),
                    r["message"].as_str().unwrap_or_default()
                ),
                _ => println!("event {id}: unreadable ({}), skipped", r["message"]),
            }
        }
        println!("{queued} queued, {already} already queued before, {still} still routing nowhere");
        if queued > 0 {
            println!("a running service reports them once it has re-read the profiles (PROFILES_RELOAD_SECONDS)");
        }
    }
    Ok(if still == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
