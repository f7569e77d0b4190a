use std::path::Path;
use std::time::Duration;

use office_convert::{best_available, Converter, Pool, PoolOptions, WorkerCommand};

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

pub fn pid_of(pool: &Pool, slot: usize) -> u32 {
    pool.stats().instances[slot]
        .pid
        .expect("instance has a pid")
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

/// A worker program that forgot to hand over to the worker runs its own `main`: if that main
/// starts a pool, it must not start workers of its own (each would do the same, without end).
#[tokio::test]
async fn a_pool_refuses_to_start_inside_a_worker_process() {
    if std::env::var_os("OFFICE_CONVERT_IN_WORKER").is_some() {
        // Second act: this test binary, started as if it were a worker.
        let err = Pool::start(pool_options("in-worker", 1))
            .await
            .err()
            .expect("refused");
        assert!(err.to_string().contains("run_worker_if_requested"), "{err}");
        return;
    }
    // The pool marks its workers' environment: a worker that is only a shell shows it.
    let marker = scratch("in-worker-marker").join("env");
    let mut opts = pool_options("in-worker-env", 1);
    opts.start_timeout = Duration::from_secs(5);
    opts.worker = WorkerCommand {
        program: "/bin/sh".into(),
        args: vec![
            "-c".into(),
            format!("echo \"$OFFICE_CONVERT_IN_WORKER\" > {}", marker.display()).into(),
            "sh".into(),
        ],
    };
    assert!(Pool::start(opts).await.is_err());
    assert_eq!(
        std::fs::read_to_string(&marker).expect("marker").trim(),
        "1"
    );
    // Re-run this very test in a process whose environment says "worker".
    let status = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "pool::a_pool_refuses_to_start_inside_a_worker_process",
        ])
        .env("OFFICE_CONVERT_IN_WORKER", "1")
        .status()
        .expect("re-run");
    assert!(status.success());
}
