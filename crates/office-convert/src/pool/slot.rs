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
    let mut generation = 0u64;
    loop {
        let Some(inst) = instance.as_mut() else {
            shared.update(index, |s| {
                s.state = InstanceState::Starting;
                s.pid = None;
                s.conversions = 0;
            });
            match Instance::start(&shared.launch).await {
                Ok(inst) => {
                    generation += 1;
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
        let due = recycle_due(opts.recycle_after, index, shared.slot_count(), generation);
        if due.is_some_and(|n| conversions >= n) || over_memory {
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

/// Conversions after which this slot's current process is recycled. The
/// first processes of the slots are spread out so that, under even load,
/// the instances are not all restarting at the same moment.
fn recycle_due(recycle_after: u64, index: usize, slots: usize, generation: u64) -> Option<u64> {
    if recycle_after == 0 {
        return None;
    }
    if generation > 1 || slots <= 1 {
        return Some(recycle_after);
    }
    let offset = recycle_after * index as u64 / (2 * slots as u64);
    Some((recycle_after - offset).max(1))
}

#[cfg(test)]
mod tests {
    use super::recycle_due;

    #[test]
    fn first_generation_recycling_is_staggered() {
        assert_eq!(recycle_due(0, 0, 2, 1), None);
        assert_eq!(recycle_due(200, 0, 2, 1), Some(200));
        assert_eq!(recycle_due(200, 1, 2, 1), Some(150));
        assert_eq!(recycle_due(200, 1, 2, 2), Some(200));
        assert_eq!(recycle_due(1, 3, 4, 1), Some(1));
        assert_eq!(recycle_due(2, 0, 1, 1), Some(2));
    }
}
