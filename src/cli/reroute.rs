//! `reroute`: the submissions answered 422 (routed nowhere) queued once the profiles or the
//! routing spreadsheet route them (the work is the jobs layer's, shared with the dashboard).

use std::process::ExitCode;

use serde_json::json;

use super::output::Out;
use super::profiles::registry;
use crate::config::Config;
use crate::jobs::reroute::{reroute as reroute_all, Rerouted};

pub async fn reroute(config: &Config, out: Out) -> anyhow::Result<ExitCode> {
    let store = super::queue::open_store(config).await?;
    let registry = registry(config).await?;
    let results = reroute_all(&store, &registry, &super::output::actor()).await?;
    store.close().await;
    let count = |f: fn(&Rerouted) -> bool| results.iter().filter(|r| f(&r.outcome)).count();
    let queued = count(|o| matches!(o, Rerouted::Queued { .. }));
    let already = count(|o| matches!(o, Rerouted::AlreadyQueued { .. }));
    let still = count(|o| matches!(o, Rerouted::StillUnroutable { .. }));
    if out.json {
        out.json(&json!({"ok": still == 0, "queued": queued, "already_queued": already, "still_unroutable": still, "events": results}))?;
    } else {
        for r in &results {
            let id = r.event_id;
            match &r.outcome {
                Rerouted::Queued { job_id } => println!("event {id}: queued as job {job_id}"),
                Rerouted::AlreadyQueued { job_id } => println!(
                    "event {id}: already queued as job {}",
                    job_id.map(|j| j.to_string()).unwrap_or("null".into())
                ),
                Rerouted::StillUnroutable { code, message } => {
                    println!("event {id}: still routes nowhere: {code} ({message})")
                }
                Rerouted::Unreadable { message } => {
                    println!("event {id}: unreadable ({message}), skipped")
                }
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
