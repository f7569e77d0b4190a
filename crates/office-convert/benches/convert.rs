//! Seconds per conversion of the service's default report (2 pages with the
//! chart: benches/fixtures/default_report.docx, made with `webhook-service
//! template sample` + `template render`; or BENCH_DOCX=path) for
//! (a) one soffice per document, (b) the pool with 1 instance, and
//! (c) the pool with 2 instances converting 20 documents at once; plus the
//! peak resident memory of each pool instance.
//!
//! cargo bench -p office-convert --bench convert
//! Knobs: BENCH_SPAWN_RUNS (default 10), BENCH_POOL_RUNS (30),
//! BENCH_BATCH (20), BENCH_BATCH_ROUNDS (3).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use office_convert::{Converter, Pool, PoolOptions, SpawnConverter, SpawnOptions, WorkerCommand};

/// `cargo bench` passes `--bench`; `cargo test --benches` (by hand: CI only
/// builds the benches) runs this binary without it, and then a smoke run (one
/// or two conversions each) is enough.
fn env_usize(key: &str, default: usize) -> usize {
    let smoke = !std::env::args().any(|a| a == "--bench");
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if smoke { default.min(2) } else { default })
}

fn summary(label: &str, mut secs: Vec<f64>) -> f64 {
    secs.sort_by(f64::total_cmp);
    let at = |q: f64| secs[((secs.len() - 1) as f64 * q).round() as usize];
    let median = at(0.5);
    println!(
        "{label:<34} n={:<3} median {:.3} s  p95 {:.3} s  min {:.3} s  max {:.3} s",
        secs.len(),
        median,
        at(0.95),
        secs[0],
        secs[secs.len() - 1]
    );
    median
}

async fn sequential(conv: &dyn Converter, docx: &[u8], runs: usize) -> Vec<f64> {
    let mut secs = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let pdf = conv.convert(docx.to_vec()).await.expect("conversion");
        secs.push(t.elapsed().as_secs_f64());
        assert!(pdf.starts_with(b"%PDF"));
    }
    secs
}

fn pool_options(instances: usize, scratch: &std::path::Path) -> PoolOptions {
    PoolOptions {
        instances,
        worker: WorkerCommand::new(env!("CARGO_BIN_EXE_office-convert-worker")),
        scratch_dir: scratch.join(format!("pool{instances}")),
        ..PoolOptions::default()
    }
}

fn print_rss(pool: &Pool) {
    for (i, s) in pool.stats().instances.iter().enumerate() {
        println!(
            "    instance {i}: peak RSS {:.0} MiB over {} conversions",
            s.peak_rss_bytes as f64 / 1048576.0,
            s.conversions
        );
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let docx_path = std::env::var_os("BENCH_DOCX")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/fixtures/default_report.docx")
        });
    let docx = std::fs::read(&docx_path).expect("benchmark document");
    let scratch = std::env::temp_dir().join(format!("office-convert-bench-{}", std::process::id()));
    println!("document: {} ({} bytes)", docx_path.display(), docx.len());
    // Two shared cores: other builds skew every figure, so record the load.
    println!("load average at start: {}", load_average());

    let spawn = SpawnConverter::new(SpawnOptions {
        timeout: Duration::from_secs(120),
        scratch_dir: scratch.join("spawn"),
        ..SpawnOptions::default()
    });
    let spawn_median = summary(
        "(a) spawn soffice per document",
        sequential(&spawn, &docx, env_usize("BENCH_SPAWN_RUNS", 10)).await,
    );

    let t = Instant::now();
    let pool1 = Pool::start(pool_options(1, &scratch))
        .await
        .expect("pool of 1");
    println!(
        "    pool of 1 started and warmed in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let pool_median = summary(
        "(b) pool, 1 instance, sequential",
        sequential(&pool1, &docx, env_usize("BENCH_POOL_RUNS", 30)).await,
    );
    print_rss(&pool1);
    drop(pool1);
    println!(
        "    warm pool vs spawn: {:.1}x faster (median)",
        spawn_median / pool_median
    );

    let t = Instant::now();
    let pool2 = Arc::new(
        Pool::start(pool_options(2, &scratch))
            .await
            .expect("pool of 2"),
    );
    println!(
        "    pool of 2 started and warmed in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let batch = env_usize("BENCH_BATCH", 20);
    let mut latencies = Vec::new();
    let mut walls = Vec::new();
    for _ in 0..env_usize("BENCH_BATCH_ROUNDS", 3) {
        let start = Instant::now();
        let tasks: Vec<_> = (0..batch)
            .map(|_| {
                let (pool, docx) = (pool2.clone(), docx.clone());
                tokio::spawn(async move {
                    let t = Instant::now();
                    pool.convert(docx).await.expect("conversion");
                    t.elapsed().as_secs_f64()
                })
            })
            .collect();
        for task in tasks {
            latencies.push(task.await.expect("task"));
        }
        walls.push(start.elapsed().as_secs_f64());
    }
    summary("(c) pool, 2 instances, latency", latencies);
    let wall = summary(&format!("(c) pool, 2 instances, {batch} docs wall"), walls);
    println!(
        "    throughput: {:.1} documents/s (median round)",
        batch as f64 / wall
    );
    print_rss(&pool2);
    drop(pool2);

    println!("load average at end: {}", load_average());
    let _ = std::fs::remove_dir_all(&scratch);
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}
