use std::path::Path;
use std::time::Duration;

use office_convert::{
    best_available, ConvertError, Converter, InstanceState, Pool, PoolOptions, WorkerCommand,
};

use crate::common::*;

pub fn report_docx() -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/fixtures/report.docx");
    std::fs::read(path).expect("benches/fixtures/report.docx")
}

pub fn pool_options(test: &str, instances: usize) -> PoolOptions {
    PoolOptions {
        instances,
        timeout: Duration::from_secs(30),
        worker: WorkerCommand::new(env!("CARGO_BIN_EXE_office-convert-worker")),
        scratch_dir: scratch(test),
        ..PoolOptions::default()
    }
}

fn pid_of(pool: &Pool, slot: usize) -> u32 {
    pool.stats().instances[slot]
        .pid
        .expect("instance has a pid")
}

fn signal(pid: u32, sig: i32) {
    // SAFETY: sends a signal to a worker this test's pool started.
    let rc = unsafe { libc::kill(pid as i32, sig) };
    assert_eq!(rc, 0, "signal {sig} to {pid}");
}

fn alive(pid: u32) -> bool {
    // A killed worker may linger as a zombie until reaped; that is not alive.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            !s.rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        })
        .unwrap_or(false)
}

async fn wait_ready_with_new_pid(pool: &Pool, old: u32) -> u32 {
    let ok = wait_until(Duration::from_secs(60), || {
        let s = &pool.stats().instances[0];
        s.state == InstanceState::Idle && s.pid.is_some_and(|p| p != old)
    })
    .await;
    assert!(ok, "no replacement instance: {:?}", pool.stats());
    pid_of(pool, 0)
}

#[tokio::test]
async fn pool_converts_and_reports_health() {
    let pool = Pool::start(pool_options("pool-basic", 2))
        .await
        .expect("pool starts");
    let health = pool.health().await;
    assert!(health.ok, "{health:?}");
    assert!(health.detail.contains("2/2 instances alive"), "{health:?}");
    let pdf = pool.convert(report_docx()).await.expect("converts");
    assert_eq!(pdf_pages(&pdf), 2);
    assert!(pdf_text(&pdf).contains("Reporte de Resultados"));
    assert_eq!(pool.stats().completed, 1);
}

#[tokio::test]
async fn pool_replaces_an_instance_killed_mid_conversion_and_retries_the_job() {
    let pool = Pool::start(pool_options("pool-kill", 1))
        .await
        .expect("pool starts");
    let victim = pid_of(&pool, 0);
    // Stopped, the worker holds the job until we kill it: no race with a
    // conversion that finishes first.
    signal(victim, libc::SIGSTOP);
    let job = {
        let pool = &pool;
        async move { pool.convert(report_docx()).await }
    };
    let killer = async {
        let busy = wait_until(Duration::from_secs(10), || {
            pool.stats().instances[0].state == InstanceState::Busy
        })
        .await;
        assert!(busy, "job never reached the instance");
        signal(victim, libc::SIGKILL);
    };
    let (result, ()) = tokio::join!(job, killer);
    let pdf = result.expect("job retried on the replacement");
    assert!(pdf_text(&pdf).contains("Reporte de Resultados"));
    let stats = pool.stats();
    assert_eq!((stats.replaced, stats.retried), (1, 1), "{stats:?}");
    assert_ne!(pid_of(&pool, 0), victim);
    assert!(!alive(victim));
}

#[tokio::test]
async fn pool_times_out_a_hung_instance_and_replaces_it() {
    let mut opts = pool_options("pool-hang", 1);
    opts.timeout = Duration::from_secs(2);
    opts.retries = 0;
    let pool = Pool::start(opts).await.expect("pool starts");
    let hung = pid_of(&pool, 0);
    signal(hung, libc::SIGSTOP);
    let err = pool.convert(report_docx()).await.unwrap_err();
    assert!(matches!(err, ConvertError::Timeout(_)), "{err:?}");
    assert!(err.is_transient());
    wait_ready_with_new_pid(&pool, hung).await;
    assert!(
        wait_until(Duration::from_secs(5), || !alive(hung)).await,
        "hung worker survived"
    );
    pool.convert(report_docx())
        .await
        .expect("replacement converts");
}

#[tokio::test]
async fn pool_retries_a_timed_out_job_on_a_fresh_instance() {
    let mut opts = pool_options("pool-hang-retry", 1);
    opts.timeout = Duration::from_secs(2);
    let pool = Pool::start(opts).await.expect("pool starts");
    signal(pid_of(&pool, 0), libc::SIGSTOP);
    pool.convert(report_docx())
        .await
        .expect("retried after the hang");
    assert_eq!(pool.stats().retried, 1);
}

#[tokio::test]
async fn pool_recycles_instances_after_n_conversions() {
    let mut opts = pool_options("pool-recycle", 1);
    opts.recycle_after = 2;
    let pool = Pool::start(opts).await.expect("pool starts");
    let first = pid_of(&pool, 0);
    for _ in 0..2 {
        pool.convert(report_docx()).await.expect("converts");
    }
    let second = wait_ready_with_new_pid(&pool, first).await;
    assert_eq!(pool.stats().recycled, 1);
    pool.convert(report_docx())
        .await
        .expect("converts on the new instance");
    assert_eq!(pid_of(&pool, 0), second);
    assert_eq!(pool.stats().instances[0].conversions, 1);
}

#[tokio::test]
async fn pool_refuses_work_beyond_its_queue() {
    let mut opts = pool_options("pool-overload", 1);
    opts.queue_capacity = 1;
    let pool = std::sync::Arc::new(Pool::start(opts).await.expect("pool starts"));
    let worker = pid_of(&pool, 0);
    signal(worker, libc::SIGSTOP);
    let submit = |pool: &std::sync::Arc<Pool>| {
        let pool = pool.clone();
        tokio::spawn(async move { pool.convert(report_docx()).await })
    };
    // First job held by the stopped instance, second waiting in the queue.
    let first = submit(&pool);
    let busy = wait_until(Duration::from_secs(10), || {
        pool.stats().instances[0].state == InstanceState::Busy
    });
    assert!(busy.await, "{:?}", pool.stats());
    let second = submit(&pool);
    assert!(wait_until(Duration::from_secs(10), || pool.stats().queued == 1).await);
    let err = pool.convert(report_docx()).await.unwrap_err();
    assert!(matches!(err, ConvertError::Overloaded), "{err:?}");
    assert!(err.is_transient());
    signal(worker, libc::SIGCONT);
    first.await.unwrap().expect("first job");
    second.await.unwrap().expect("queued job");
}

#[tokio::test]
async fn pool_rejects_a_corrupt_document_and_keeps_the_instance() {
    let pool = Pool::start(pool_options("pool-corrupt", 1))
        .await
        .expect("pool starts");
    let pid = pid_of(&pool, 0);
    let mut truncated = fixture("template examen.docx");
    truncated.truncate(20_000);
    let err = pool.convert(truncated).await.unwrap_err();
    assert!(matches!(err, ConvertError::Failed(_)), "{err:?}");
    assert!(!err.is_transient());
    let err = pool.convert(b"plain text".to_vec()).await.unwrap_err();
    assert!(matches!(err, ConvertError::Failed(_)), "{err:?}");
    pool.convert(report_docx())
        .await
        .expect("instance still works");
    assert_eq!(pid_of(&pool, 0), pid);
}

#[tokio::test]
async fn pool_replaces_an_instance_over_its_memory_limit() {
    let mut opts = pool_options("pool-memory", 1);
    // Far below what LibreOffice needs: every conversion trips the limit,
    // either while running (the job is retried) or right after (recycled).
    opts.memory_limit = Some(32 * 1024 * 1024);
    opts.retries = 0;
    let pool = Pool::start(opts).await.expect("pool starts");
    let first = pid_of(&pool, 0);
    match pool.convert(report_docx()).await {
        Ok(pdf) => assert!(pdf.starts_with(b"%PDF")),
        Err(e) => assert!(e.to_string().contains("memory limit"), "{e}"),
    }
    wait_ready_with_new_pid(&pool, first).await;
    let stats = pool.stats();
    assert_eq!(stats.replaced + stats.recycled, 1, "{stats:?}");
}

#[tokio::test]
async fn dropping_the_pool_kills_its_instances() {
    let pool = Pool::start(pool_options("pool-drop", 2))
        .await
        .expect("pool starts");
    let pids: Vec<u32> = pool
        .stats()
        .instances
        .iter()
        .filter_map(|s| s.pid)
        .collect();
    assert_eq!(pids.len(), 2);
    drop(pool);
    let gone = wait_until(Duration::from_secs(10), || pids.iter().all(|p| !alive(*p))).await;
    assert!(gone, "instances outlived the pool: {pids:?}");
}

#[tokio::test]
async fn best_available_prefers_the_pool() {
    let (conv, warning) = best_available(pool_options("best-pool", 1)).await;
    assert_eq!(conv.name(), "libreofficekit-pool");
    assert!(warning.is_none(), "{warning:?}");
    assert!(conv.health().await.ok);
}

#[tokio::test]
async fn best_available_falls_back_to_spawn_with_a_warning() {
    let mut opts = pool_options("best-fallback", 1);
    // A program that exits at once, as a worker without LibreOfficeKit would.
    opts.worker = WorkerCommand::new("/bin/true");
    let (conv, warning) = best_available(opts).await;
    assert_eq!(conv.name(), "spawn");
    let warning = warning.expect("a warning");
    assert!(warning.contains("pool unavailable"), "{warning}");
    let health = conv.health().await;
    assert!(
        health.ok && health.detail.contains("pool unavailable"),
        "{health:?}"
    );
    let pdf = conv
        .convert(report_docx())
        .await
        .expect("fallback converts");
    assert_eq!(pdf_pages(&pdf), 2);

    let mut opts = pool_options("best-no-kit", 1);
    opts.office_dir = Some("/nonexistent/program".into());
    let (conv, warning) = best_available(opts).await;
    assert_eq!(conv.name(), "spawn");
    assert!(warning
        .expect("warning")
        .contains("libreoffice-writer-nogui"));
}
