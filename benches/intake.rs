//! Durable intake throughput of `POST /webhook`: signed, unique events posted by concurrent
//! clients to the real application (group commit into SQLite, synchronous=FULL), each answered
//! 202 only after its transaction committed.
//!
//!   cargo bench --bench intake                      # SQLite in a temp dir
//!   BENCH_DATABASE_URL=postgres://… cargo bench --bench intake
//!   BENCH_EVENTS=50000 BENCH_CONCURRENCY=128 cargo bench --bench intake

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use webhook_service::config::{Config, Source};
use webhook_service::Application;

const SECRET: &str = "bench-secret-0001";

/// `cargo bench` passes `--bench`; `cargo test --benches` (by hand: CI only builds the benches)
/// runs this binary without it, and then a smoke run of a few hundred events is enough.
fn env_usize(name: &str, default: usize) -> usize {
    let smoke = !std::env::args().any(|a| a == "--bench");
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if smoke { default.min(300) } else { default })
}

fn main() -> anyhow::Result<()> {
    // Any program that builds the Application can be started as a LibreOffice worker.
    office_convert::run_worker_if_requested();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let events = env_usize("BENCH_EVENTS", 30_000);
    let concurrency = env_usize("BENCH_CONCURRENCY", 64);
    let dir = tempfile::tempdir()?;
    let db = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| {
        format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        )
    });
    let source = Source::from_pairs([
        ("PORT", "0".to_string()),
        ("HOST", "127.0.0.1".to_string()),
        ("DATA_DIR", dir.path().display().to_string()),
        ("DATABASE_URL", db.clone()),
        ("WEBHOOK_SECRET", SECRET.to_string()),
        // Intake only: no job workers and no LibreOffice instances compete for the CPU.
        ("WORKERS", "0".to_string()),
        ("CONVERTER", "spawn".to_string()),
        // Every request comes from 127.0.0.1: the per-client limit would measure itself.
        ("WEBHOOK_RATE_LIMIT_PER_MINUTE", "0".to_string()),
    ]);
    let app = Application::build(Config::from_source(&source)?).await?;
    let url = format!("http://127.0.0.1:{}/webhook", app.port());
    let stop = tokio_util::sync::CancellationToken::new();
    tokio::spawn(app.run_until(stop.clone()));

    let template = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/test_data.json"))?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, url, next, template) =
            (client.clone(), url.clone(), next.clone(), template.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut accepted = 0usize;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= events {
                    break;
                }
                let body = template.replace("6650c1d2e3f4a5b6c7d8e9f0", &format!("{i:024x}"));
                let t = Instant::now();
                let r = client
                    .post(&url)
                    .header("Learnworlds-Webhook-Signature", format!("v1={SECRET}"))
                    .header("Content-Type", "application/json")
                    .body(body)
                    .send()
                    .await;
                latencies.push(t.elapsed());
                if r.is_ok_and(|r| r.status().as_u16() == 202) {
                    accepted += 1;
                }
            }
            (accepted, latencies)
        }));
    }
    let mut accepted = 0;
    let mut latencies: Vec<Duration> = Vec::with_capacity(events);
    for t in tasks {
        let (a, l) = t.await?;
        accepted += a;
        latencies.extend(l);
    }
    let elapsed = started.elapsed();
    stop.cancel();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let backend = if db.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "intake ({backend}): {accepted}/{events} accepted (202) in {:.2} s = {:.0} events/s with {concurrency} concurrent clients; latency p50 {:.1} ms, p99 {:.1} ms",
        elapsed.as_secs_f64(),
        accepted as f64 / elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
    );
    anyhow::ensure!(
        accepted == events,
        "{} events were not accepted",
        events - accepted
    );
    Ok(())
}
