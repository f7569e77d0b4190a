//! The supervisor of one instance slot: starts its LibreOffice worker, feeds
//! it jobs from the shared queue, and replaces it when it dies, hangs, grows
//! too big or has done enough conversions.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use super::instance::{Instance, Outcome};
use super::{InstanceState, Job, Shared};
use crate::ConvertError;

const MAX_BACKOFF: Duration = Duration::from_secs(30);

pub(crate) async fn run(shared: Arc<Shared>, index: usize) {
    let mut instance: Option<Instance> = None;
    let mut retry: Option<Job> = None;
    let mut backoff = Duration::from_millis(500);
    loop {
        let Some(inst) = instance.as_mut() else {
            shared.update(index, |s| {
                s.state = InstanceState::Starting;
                s.pid = None;
                s.conversions = 0;
            });
            match Instance::start(&shared.launch).await {
                Ok(inst) => {
                    tracing::info!(slot = index, pid = inst.pid, "LibreOffice instance ready");
                    shared.update(index, |s| {
                        s.state = InstanceState::Idle;
                        s.pid = Some(inst.pid);
                        s.generation += 1;
                        s.last_error = None;
                    });
                    backoff = Duration::from_millis(500);
                    instance = Some(inst);
                }
                Err(e) => {
                    tracing::warn!(slot = index, error = %e, "LibreOffice instance failed to start");
                    shared.update(index, |s| {
                        s.state = InstanceState::Down;
                        s.failures += 1;
                        s.last_error = Some(e.clone());
                    });
                    if let Some(job) = retry.take() {
                        let msg = format!("instance could not be replaced: {e}");
                        let _ = job.reply.send(Err(ConvertError::Crashed(msg)));
                    }
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
            continue;
        };

        let mut job = match retry.take() {
            Some(job) => job,
            None => match shared.next_job().await {
                Some(job) => job,
                None => return,
            },
        };
        if job.reply.is_closed() {
            continue;
        }
        if job.attempts == 0 && job.enqueued.elapsed() > shared.opts.queue_timeout {
            let _ = job.reply.send(Err(ConvertError::Overloaded));
            continue;
        }
        shared.update(index, |s| s.state = InstanceState::Busy);
        let opts = &shared.opts;
        let outcome = inst
            .convert(&job.docx, opts.timeout, opts.memory_limit)
            .await;
        // Ok: the instance is fine and this is the answer; Err: it is lost.
        let verdict = match outcome {
            Ok(pdf) => Ok(Ok(pdf)),
            Err(Outcome::Rejected(msg)) => Ok(Err(ConvertError::Failed(msg))),
            Err(Outcome::TimedOut) => Err(ConvertError::Timeout(opts.timeout)),
            Err(Outcome::OverMemory(rss)) => Err(ConvertError::Crashed(format!(
                "instance exceeded its memory limit ({} MiB)",
                rss / (1024 * 1024)
            ))),
            Err(Outcome::Lost(msg)) => Err(ConvertError::Crashed(msg)),
        };
        let (pid, conversions, peak, rss) = (inst.pid, inst.conversions, inst.peak_rss, inst.rss());
        shared.update(index, |s| {
            s.conversions = conversions;
            s.peak_rss_bytes = s.peak_rss_bytes.max(peak);
        });

        match verdict {
            Ok(answer) => {
                if answer.is_ok() {
                    shared.counters.completed.fetch_add(1, Ordering::Relaxed);
                }
                let _ = job.reply.send(answer);
            }
            Err(err) => {
                tracing::warn!(slot = index, pid, error = %err, "LibreOffice instance lost; replacing it");
                inst.kill();
                instance = None;
                shared.counters.replaced.fetch_add(1, Ordering::Relaxed);
                if job.attempts < opts.retries {
                    job.attempts += 1;
                    shared.counters.retried.fetch_add(1, Ordering::Relaxed);
                    retry = Some(job);
                } else {
                    let _ = job.reply.send(Err(err));
                }
                continue;
            }
        }
        let over_memory = matches!((rss, opts.memory_limit), (Some(r), Some(l)) if r > l);
        if opts.recycle_after > 0 && conversions >= opts.recycle_after || over_memory {
            tracing::info!(
                slot = index,
                pid,
                conversions,
                over_memory,
                "recycling LibreOffice instance"
            );
            inst.kill();
            instance = None;
            shared.counters.recycled.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        shared.update(index, |s| s.state = InstanceState::Idle);
    }
}
