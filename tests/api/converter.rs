//! One warm LibreOffice pool for the whole test binary, started by the first conversion.
//!
//! Every `#[tokio::test]` has a runtime of its own that ends with the test, while the pool's
//! instances are tasks that must outlive any one test. So the pool lives on a runtime of its
//! own (kept in a static, never shut down), and [`SharedConverter`] hands each conversion to
//! that runtime and waits for the answer. Tests that never convert never start LibreOffice.
//!
//! At exit the instances are killed (they would also exit by themselves once their watchdog
//! sees the parent gone) and their scratch folder, private to this process, is removed.

use std::path::PathBuf;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use office_convert::{
    ConvertError, Converter, Health, Pool, PoolOptions, SpawnConverter, WorkerCommand,
};
use tokio::runtime::Runtime;
use tokio::sync::OnceCell;

/// Instances of the shared pool: tests run two at a time on the two-core CI machine.
const INSTANCES: usize = 2;

struct Shared {
    runtime: Runtime,
    /// Started once; a pool that failed to start is not tried again for every test.
    pool: OnceCell<Result<Pool, String>>,
    options: PoolOptions,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("shared-converter")
        .enable_all()
        .build()
        .expect("the shared converter's runtime starts");
    let scratch = scratch_dir();
    // SAFETY: registering a plain `extern "C" fn()` with atexit.
    unsafe {
        libc::atexit(remove_scratch_dir);
    }
    Shared {
        runtime,
        pool: OnceCell::new(),
        options: PoolOptions {
            instances: INSTANCES,
            timeout: Duration::from_secs(90),
            // The test harness cannot act as a LibreOffice worker; the service binary can.
            worker: WorkerCommand::new(env!("CARGO_BIN_EXE_webhook-service")),
            scratch_dir: scratch,
            ..PoolOptions::default()
        },
    }
});

fn scratch_dir() -> PathBuf {
    std::env::temp_dir().join(format!("webhook-service-tests-{}", std::process::id()))
}

/// At exit: the instances are killed first, or a worker's LibreOffice could still write its
/// profile into the folder after it is removed.
extern "C" fn remove_scratch_dir() {
    if let Some(Ok(pool)) = SHARED.pool.get() {
        for pid in pool.stats().instances.iter().filter_map(|s| s.pid) {
            // SAFETY: signalling the worker's process group (each worker leads its own).
            unsafe {
                libc::kill(-(pid as libc::pid_t), libc::SIGKILL);
            }
        }
    }
    let _ = std::fs::remove_dir_all(scratch_dir());
}

/// The process-wide pool, started on the shared runtime by the first caller.
async fn pool() -> Result<&'static Pool, ConvertError> {
    let shared = &*SHARED;
    let started = shared
        .pool
        .get_or_init(|| async {
            Pool::start(shared.options.clone())
                .await
                .map_err(|e| e.to_string())
        })
        .await;
    started.as_ref().map_err(|e| {
        ConvertError::NotInstalled(format!(
            "the tests' shared LibreOffice pool did not start: {e}"
        ))
    })
}

/// The shared pool as a [`Converter`] for `Application::build_with`.
pub struct SharedConverter;

pub fn shared_converter() -> Arc<dyn Converter> {
    Arc::new(SharedConverter)
}

/// The shared pool itself (started if need be), for tests that compare it with soffice.
pub async fn shared_pool() -> &'static Pool {
    SHARED
        .runtime
        .spawn(pool())
        .await
        .expect("the shared converter's runtime runs")
        .expect("the tests' shared LibreOffice pool starts")
}

#[async_trait::async_trait]
impl Converter for SharedConverter {
    async fn convert(&self, docx: Vec<u8>) -> Result<Vec<u8>, ConvertError> {
        SHARED
            .runtime
            .spawn(async move { pool().await?.convert(docx).await })
            .await
            .map_err(|e| ConvertError::Crashed(format!("shared converter task: {e}")))?
    }

    /// The pool's own health once it runs; before the first conversion, whether it could start
    /// (LibreOffice found, scratch folder writable), without starting it.
    async fn health(&self) -> Health {
        match SHARED.pool.get() {
            Some(Ok(pool)) => pool.health().await,
            Some(Err(e)) => Health {
                ok: false,
                detail: format!("the tests' shared LibreOffice pool did not start: {e}"),
            },
            None => {
                let office = SpawnConverter::new(SHARED.options.spawn_options())
                    .health()
                    .await;
                let detail = if office.ok {
                    "LibreOfficeKit pool shared by the tests: starts on the first conversion"
                        .to_string()
                } else {
                    format!(
                        "LibreOfficeKit pool shared by the tests cannot start: {}",
                        office.detail
                    )
                };
                Health {
                    ok: office.ok,
                    detail,
                }
            }
        }
    }

    fn name(&self) -> &str {
        "shared-test-pool"
    }

    fn pool_stats(&self) -> Option<office_convert::PoolStats> {
        match SHARED.pool.get() {
            Some(Ok(pool)) => Some(pool.stats()),
            _ => None,
        }
    }
}
