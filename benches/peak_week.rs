//! Peak week: 2,000 students of one assessment submit within a minute. The real service (warm
//! LibreOffice pool, SQLite or PostgreSQL) against a fake LearnWorlds that enforces the
//! school's limit (30 requests / 10 s, 429 above it) and an SMTP sink, all on loopback.
//! Measures the time to the last email, emails per student, API requests and the most in any
//! 10 s window (counted at the fake), and peak RSS of the service and its LibreOffice children.
//! Runs batched fetching (`LW_BATCH_USERS=200`) and one call per student (`=1`, the behaviour
//! before batching) in the same run and prints the ratio.
//!
//!   cargo bench --bench peak_week                          # 2,000 students, both modes
//!   BENCH_STUDENTS=500 BENCH_MODES=200 cargo bench --bench peak_week
//!   BENCH_DATABASE_URL=postgres://… cargo bench --bench peak_week

#[path = "../tests/api/fake_learnworlds.rs"]
#[allow(dead_code)]
mod fake_learnworlds;
#[path = "../tests/api/smtp.rs"]
#[allow(dead_code)]
mod smtp;

/// What the fake needs of the test helpers.
mod helpers {
    use std::path::PathBuf;

    pub fn fixture(rel: &str) -> PathBuf {
        std::env::var_os("SHARED_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared")))
            .join("fixtures")
            .join(rel)
    }

    pub fn automation_body() -> String {
        std::fs::read_to_string(fixture("webhooks/automation_assessment_submitted.json"))
            .expect("fixture webhook")
    }
}

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use fake_learnworlds::{Cohort, FakeLearnWorlds};
use smtp::SmtpSink;
use webhook_service::config::{Config, Source};
use webhook_service::Application;

const SECRET: &str = "bench-secret-0001";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> anyhow::Result<()> {
    // Any program that builds the Application can be started as a LibreOffice worker.
    office_convert::run_worker_if_requested();
    // `cargo test --benches` (CI builds the benches, never runs them) gets a smoke run.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let students = env_or("BENCH_STUDENTS", if smoke { 20 } else { 2000 });
    let modes: Vec<usize> = std::env::var("BENCH_MODES")
        .unwrap_or_else(|_| "200,1".into())
        .split(',')
        .filter_map(|m| m.trim().parse().ok())
        .collect();
    let spread = Duration::from_secs(env_or("BENCH_SPREAD_SECONDS", if smoke { 2 } else { 60 }));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut results = Vec::new();
    for batch in modes {
        let r = runtime.block_on(run(students, batch, spread))?;
        r.print();
        results.push(r);
    }
    if let [batched, single, ..] = results.as_slice() {
        println!(
            "peak_week: time to the last email, one call per student / batched = {:.1} / {:.1} s = {:.2}×",
            single.last_email.as_secs_f64(),
            batched.last_email.as_secs_f64(),
            single.last_email.as_secs_f64() / batched.last_email.as_secs_f64()
        );
    }
    Ok(())
}

struct Figures {
    students: usize,
    batch: usize,
    backend: &'static str,
    last_email: Duration,
    emails: usize,
    distinct: usize,
    most_to_one: usize,
    api_requests: usize,
    max_in_10s: usize,
    peak_rss_mb: u64,
}

impl Figures {
    fn print(&self) {
        println!(
            "peak_week: {} students, LW_BATCH_USERS={}, {}: last email after {:.1} s; {} emails to {} students (at most {} to one); {} API requests, at most {} in any 10 s; peak RSS {} MB (service + LibreOffice)",
            self.students, self.batch, self.backend, self.last_email.as_secs_f64(), self.emails,
            self.distinct, self.most_to_one, self.api_requests, self.max_in_10s, self.peak_rss_mb
        );
    }
}

async fn run(students: usize, batch: usize, spread: Duration) -> anyhow::Result<Figures> {
    let dir = tempfile::tempdir()?;
    // The shipped templates and question banks, as a deployment has them.
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&repo.join("templates"), &dir.path().join("templates"))?;
    copy_dir(
        &repo.join("data/responses/questions"),
        &dir.path().join("data/responses/questions"),
    )?;
    let lw = FakeLearnWorlds::start().await;
    lw.state.limit_per_10s.store(30, Ordering::SeqCst);
    Cohort::serve(&lw, students);
    let sink = SmtpSink::start();
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
        ("LEARNWORLDS_API_URL", lw.base_url()),
        ("CLIENT_ID", "test-client".to_string()),
        ("ACCESS_TOKEN", fake_learnworlds::TOKEN.to_string()),
        ("SMTP_SERVER", "127.0.0.1".to_string()),
        ("SMTP_PORT", sink.port().to_string()),
        ("SMTP_SECURITY", "none".to_string()),
        ("EMAIL_FROM", "informes@academia.example.com".to_string()),
        ("LW_BATCH_USERS", batch.to_string()),
        ("RECONCILE_INTERVAL", "off".to_string()),
    ]);
    let config = Config::from_source(&source)?;
    if std::env::var_os("BENCH_LOG").is_some() {
        webhook_service::telemetry::init(&config.log);
    }
    let app = Application::build(config).await?;
    let url = format!("http://127.0.0.1:{}/webhook", app.port());
    let stop = tokio_util::sync::CancellationToken::new();
    let running = tokio::spawn(app.run_until(stop.clone()));

    let started = Instant::now();
    let poster = tokio::spawn(async move {
        let client = reqwest::Client::new();
        for i in 0..students {
            tokio::time::sleep_until((started + spread.mul_f64(i as f64 / students as f64)).into())
                .await;
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move {
                for _ in 0..5 {
                    let r = client
                        .post(&url)
                        .header("Learnworlds-Webhook-Signature", format!("v1={SECRET}"))
                        .header("Content-Type", "application/json")
                        .body(Cohort::webhook(i))
                        .send()
                        .await;
                    if r.is_ok_and(|r| r.status().as_u16() == 202) {
                        return;
                    }
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                eprintln!("peak_week: student {i}'s webhook was never accepted");
            });
        }
    });
    let deadline = started + Duration::from_secs(env_or("BENCH_DEADLINE_SECONDS", 1800));
    let mut peak_rss_kb = 0;
    let mut last_email = None;
    while Instant::now() < deadline {
        peak_rss_kb = peak_rss_kb.max(tree_rss_kb(std::process::id()));
        if sink.messages.lock().expect("lock").len() >= students {
            last_email = Some(started.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    poster.await?;
    let last_email = last_email.unwrap_or_else(|| {
        eprintln!("peak_week: not every student was emailed before the deadline");
        started.elapsed()
    });
    // Anything sent twice arrives shortly after.
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.cancel();
    let _ = running.await;

    let mut per_student: HashMap<Vec<String>, usize> = HashMap::new();
    let received = sink.messages.lock().expect("lock").clone();
    for m in &received {
        *per_student.entry(m.to.clone()).or_default() += 1;
    }
    let arrivals = lw.state.arrivals.lock().expect("lock").clone();
    Ok(Figures {
        students,
        batch,
        backend: if db.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        last_email,
        emails: received.len(),
        distinct: per_student.len(),
        most_to_one: per_student.values().copied().max().unwrap_or(0),
        api_requests: arrivals.len(),
        max_in_10s: max_in_window(&arrivals, Duration::from_secs(10)),
        peak_rss_mb: peak_rss_kb / 1024,
    })
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

fn max_in_window(times: &[Instant], window: Duration) -> usize {
    let mut sorted = times.to_vec();
    sorted.sort();
    let mut most = 0;
    let mut start = 0;
    for end in 0..sorted.len() {
        while sorted[end] - sorted[start] >= window {
            start += 1;
        }
        most = most.max(end - start + 1);
    }
    most
}

/// Resident memory of a process and all its descendants, in KB (Linux /proc).
fn tree_rss_kb(root: u32) -> u64 {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    let mut rss: HashMap<u32, u64> = HashMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        };
        if let Some(ppid) = field("PPid:") {
            children.entry(ppid as u32).or_default().push(pid);
        }
        rss.insert(pid, field("VmRSS:").unwrap_or(0));
    }
    let mut total = 0;
    let mut todo = vec![root];
    while let Some(pid) = todo.pop() {
        total += rss.get(&pid).copied().unwrap_or(0);
        todo.extend(children.get(&pid).into_iter().flatten());
    }
    total
}
