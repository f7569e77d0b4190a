//! A pool of long-lived LibreOfficeKit worker processes.
//!
//! Why LibreOfficeKit in child processes: it converts in-process with no
//! network bridge (0.11 s for a 5-page draft here, against 0.19 s through
//! unoserver's XML-RPC and 1.2–2 s for a fresh `soffice`), needs no Python,
//! and a worker that hangs or crashes takes nobody else with it. LOK can be
//! initialised once per process, hence one process per instance.

mod instance;
mod options;
mod slot;
mod stats;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::{check_docx, ConvertError, Converter, Health};
use instance::Launch;
pub use options::{PoolOptions, WorkerCommand};
pub use stats::{InstanceState, InstanceStats, PoolStats};

pub(crate) struct Job {
    docx: Vec<u8>,
    reply: oneshot::Sender<Result<Vec<u8>, ConvertError>>,
    enqueued: Instant,
    attempts: u32,
}

#[derive(Default)]
pub(crate) struct Counters {
    completed: AtomicU64,
    retried: AtomicU64,
    replaced: AtomicU64,
    recycled: AtomicU64,
}

pub(crate) struct Shared {
    opts: PoolOptions,
    launch: Launch,
    jobs: tokio::sync::Mutex<mpsc::Receiver<Job>>,
    slots: Mutex<Vec<InstanceStats>>,
    counters: Counters,
}

impl Shared {
    fn update(&self, index: usize, f: impl FnOnce(&mut InstanceStats)) {
        if let Ok(mut slots) = self.slots.lock() {
            if let Some(s) = slots.get_mut(index) {
                f(s);
            }
        }
    }

    async fn next_job(&self) -> Option<Job> {
        self.jobs.lock().await.recv().await
    }

    fn slot_count(&self) -> usize {
        self.slots.lock().map(|s| s.len()).unwrap_or(1)
    }

    fn snapshot(&self) -> Vec<InstanceStats> {
        self.slots.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

/// LibreOffice kept running: conversions go to warm instances through a
/// bounded queue. Dropping the pool kills its instances.
pub struct Pool {
    tx: mpsc::Sender<Job>,
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

impl Pool {
    /// Start every instance and wait until each has started (and warmed up)
    /// or failed once. Fails when no instance could start, so the caller can
    /// fall back to [`crate::SpawnConverter`].
    pub async fn start(opts: PoolOptions) -> Result<Pool, ConvertError> {
        if std::env::var_os(crate::worker::IN_WORKER_ENV).is_some() {
            return Err(ConvertError::NotInstalled(format!(
                "this process was started as a LibreOffice worker but did not hand over to it \
                 (its main must call office_convert::run_worker_if_requested() first); \
                 refusing to start a pool inside a worker ({} is set)",
                crate::worker::IN_WORKER_ENV
            )));
        }
        let office_dir = opts.resolve_office_dir()?;
        opts.worker.check()?;
        let launch = Launch {
            program: opts.worker.program.clone(),
            args: opts.worker.args.clone(),
            office_dir,
            scratch_root: opts.scratch_dir.clone(),
            start_timeout: opts.start_timeout,
            warm_up: opts.warm_up,
            pdf_filter_options: opts.pdf.filter_options(),
        };
        let instances = opts.instances.max(1);
        let (tx, rx) = mpsc::channel(opts.queue_capacity.max(1));
        let blank = InstanceStats {
            state: InstanceState::Starting,
            pid: None,
            conversions: 0,
            generation: 0,
            failures: 0,
            peak_rss_bytes: 0,
            last_error: None,
        };
        let deadline = Instant::now() + opts.start_timeout * 2 + Duration::from_secs(5);
        let shared = Arc::new(Shared {
            opts,
            launch,
            jobs: tokio::sync::Mutex::new(rx),
            slots: Mutex::new(vec![blank; instances]),
            counters: Counters::default(),
        });
        let tasks = (0..instances)
            .map(|i| tokio::spawn(slot::run(shared.clone(), i)))
            .collect();
        let pool = Pool { tx, shared, tasks };
        loop {
            let slots = pool.shared.snapshot();
            let settled = slots.iter().all(|s| s.generation > 0 || s.failures > 0);
            if settled || Instant::now() >= deadline {
                if slots.iter().any(|s| s.generation > 0) {
                    return Ok(pool);
                }
                let why = slots.iter().find_map(|s| s.last_error.clone());
                let why = why.unwrap_or_else(|| "instances did not start in time".into());
                return Err(ConvertError::Crashed(format!(
                    "no LibreOffice instance started: {why}"
                )));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn stats(&self) -> PoolStats {
        let c = &self.shared.counters;
        PoolStats {
            instances: self.shared.snapshot(),
            queued: self.tx.max_capacity() - self.tx.capacity(),
            completed: c.completed.load(Ordering::Relaxed),
            retried: c.retried.load(Ordering::Relaxed),
            replaced: c.replaced.load(Ordering::Relaxed),
            recycled: c.recycled.load(Ordering::Relaxed),
        }
    }

    pub fn options(&self) -> &PoolOptions {
        &self.shared.opts
    }

    /// Longest a caller can wait: queueing, then every attempt with a
    /// replacement start before each retry.
    fn overall_limit(&self) -> Duration {
        let o = &self.shared.opts;
        o.queue_timeout + (o.timeout + o.start_timeout) * (o.retries + 1) + Duration::from_secs(5)
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

#[async_trait::async_trait]
impl Converter for Pool {
    async fn convert(&self, docx: Vec<u8>) -> Result<Vec<u8>, ConvertError> {
        check_docx(&docx)?;
        let (reply, answer) = oneshot::channel();
        let job = Job {
            docx,
            reply,
            enqueued: Instant::now(),
            attempts: 0,
        };
        self.tx.try_send(job).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => ConvertError::Overloaded,
            mpsc::error::TrySendError::Closed(_) => {
                ConvertError::Crashed("pool is shut down".into())
            }
        })?;
        let limit = self.overall_limit();
        match tokio::time::timeout(limit, answer).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(ConvertError::Crashed("pool dropped the conversion".into())),
            Err(_) => Err(ConvertError::Timeout(limit)),
        }
    }

    fn pool_stats(&self) -> Option<PoolStats> {
        Some(self.stats())
    }

    async fn health(&self) -> Health {
        let stats = self.stats();
        let count = |st: InstanceState| stats.instances.iter().filter(|s| s.state == st).count();
        let (idle, busy) = (count(InstanceState::Idle), count(InstanceState::Busy));
        let mut detail = format!(
            "LibreOfficeKit pool: {}/{} instances alive ({busy} busy, {} starting, {} down), \
             {} queued of {}; {} replaced, {} recycled",
            idle + busy,
            stats.instances.len(),
            count(InstanceState::Starting),
            count(InstanceState::Down),
            stats.queued,
            self.tx.max_capacity(),
            stats.replaced,
            stats.recycled,
        );
        if let Some(err) = stats.instances.iter().find_map(|s| s.last_error.as_ref()) {
            detail.push_str(&format!("; last start failure: {err}"));
        }
        // An instance being replaced after it worked (recycling, a crash)
        // still takes jobs into the queue; only a pool that cannot start any
        // instance is not ready.
        let restarting = stats
            .instances
            .iter()
            .any(|s| s.state == InstanceState::Starting && s.generation > 0);
        Health {
            ok: idle + busy > 0 || restarting,
            detail,
        }
    }

    fn name(&self) -> &str {
        "libreofficekit-pool"
    }
}
