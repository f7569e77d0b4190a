//! Faults the pool must survive: crashes, hangs, memory growth, overload,
//! bad documents, and planned recycling. Workers are stopped with SIGSTOP so
//! that each scenario is set up deterministically, not raced.

use std::time::Duration;

use office_convert::{ConvertError, Converter, InstanceState, Pool};

use crate::common::*;
use crate::pool::{pid_of, pool_options, report_docx};

fn signal(pid: u32, sig: i32) {
    // SAFETY: sends a signal to a worker this test's pool started.
    let rc = unsafe { libc::kill(pid as i32, sig) };
    assert_eq!(rc, 0, "signal {sig} to {pid}");
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
