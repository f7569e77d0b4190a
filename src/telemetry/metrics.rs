//! Prometheus metrics through the `metrics` facade: one recorder for the process, installed
//! by the service at start-up (the operator's commands record nothing), rendered as text by
//! `GET /metrics`, followed by the gauges read from the service's own database at each scrape
//! ([`Gauges`], written here rather than kept in the process-wide recorder). The names, in
//! one place:
//!
//! | metric | kind | labels |
//! |---|---|---|
//! | `webhooks_total` | counter | `outcome`: queued, duplicate, ignored, unroutable, or the refusal's code |
//! | `jobs` | gauge | `state` (read from the database at each scrape) |
//! | `jobs_finished_total` | counter | `outcome`: done, retrying, dead, lease_lost |
//! | `job_stage_duration_seconds` | histogram | `stage`, `outcome`: ok, error |
//! | `emails_sent_total` | counter | |
//! | `emails_failed_total` | counter | `code` |
//! | `learnworlds_api_calls_total` | counter | `status` (HTTP status, or `network`) |
//! | `learnworlds_rate_limited_total` | counter | |
//! | `converter_up` | gauge | 1 when a conversion can be attempted now |
//! | `converter_instances` | gauge | `state`: starting, idle, busy, down (the LibreOffice pool) |
//! | `converter_queued`, `converter_peak_rss_bytes` | gauge | the pool's waiting documents, its largest instance |
//! | `converter_{conversions,retried,replaced,recycled}_total` | counter | the pool's own counts |
//! | `queue_oldest_waiting_seconds` | gauge | age of the oldest queued or running job (0: none) |
//! | `http_connections_refused_total` | counter | connections closed at once for a connection cap |

use std::sync::OnceLock;
use std::time::Duration;

use metrics::{counter, describe_counter, describe_histogram, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const WEBHOOKS: &str = "webhooks_total";
pub const JOBS: &str = "jobs";
pub const JOBS_FINISHED: &str = "jobs_finished_total";
pub const STAGE_DURATION: &str = "job_stage_duration_seconds";
pub const EMAILS_SENT: &str = "emails_sent_total";
pub const EMAILS_FAILED: &str = "emails_failed_total";
/// Recorded by `learnworlds` (a peer module, which spells the same names).
pub const API_CALLS: &str = "learnworlds_api_calls_total";
pub const API_RATE_LIMITED: &str = "learnworlds_rate_limited_total";
pub const CONVERTER_UP: &str = "converter_up";
pub const QUEUE_AGE: &str = "queue_oldest_waiting_seconds";
pub const CONNECTIONS_REFUSED: &str = "http_connections_refused_total";

/// Stage durations: from a cached bank lookup (milliseconds) to a slow conversion or a
/// LearnWorlds call waiting out a rate limit (minutes).
const STAGE_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process's recorder once (later calls, as in tests that build several
/// applications in one process, get the same one). None when another recorder was installed.
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(STAGE_DURATION.into()), &STAGE_BUCKETS)
                .ok()?
                .install_recorder()
                .ok()?;
            describe();
            Some(handle)
        })
        .as_ref()
}

fn describe() {
    describe_counter!(WEBHOOKS, "Webhooks answered, by outcome");
    describe_counter!(JOBS_FINISHED, "Job attempts finished, by outcome");
    describe_histogram!(
        STAGE_DURATION,
        metrics::Unit::Seconds,
        "Time one stage of a job took"
    );
    describe_counter!(EMAILS_SENT, "Reports the mail server accepted");
    describe_counter!(EMAILS_FAILED, "Report emails that failed, by error code");
    describe_counter!(API_CALLS, "LearnWorlds API calls, by HTTP status");
    describe_counter!(API_RATE_LIMITED, "LearnWorlds API answers 429");
    describe_counter!(
        CONNECTIONS_REFUSED,
        "Connections refused for HTTP_MAX_CONNECTIONS or HTTP_MAX_CONNECTIONS_PER_IP"
    );
}

/// The gauges read at scrape time: jobs per state, the queue's age, the converter.
#[derive(Debug, Clone, Default)]
pub struct Gauges {
    pub jobs: Vec<(String, i64)>,
    pub oldest_waiting_s: f64,
    pub converter_up: bool,
    /// The LibreOffice pool, when the converter is one.
    pub pool: Option<office_convert::PoolStats>,
}

/// The Prometheus text of every metric, then `gauges`; None before `install`.
pub fn render(gauges: &Gauges) -> Option<String> {
    use std::fmt::Write;
    let mut text = HANDLE.get().and_then(Option::as_ref)?.render();
    let mut gauge = |name: &str, help: &str, samples: &[(String, f64)]| {
        let _ = writeln!(text, "# HELP {name} {help}\n# TYPE {name} gauge");
        for (labels, value) in samples {
            let _ = writeln!(text, "{name}{labels} {value}");
        }
    };
    let jobs: Vec<(String, f64)> = gauges
        .jobs
        .iter()
        .map(|(state, n)| (format!("{{state=\"{state}\"}}"), *n as f64))
        .collect();
    gauge(JOBS, "Jobs in the database, by state", &jobs);
    gauge(
        QUEUE_AGE,
        "Age of the oldest queued or running job, in seconds (0: none)",
        &[(String::new(), gauges.oldest_waiting_s)],
    );
    gauge(
        CONVERTER_UP,
        "1 when the PDF converter can convert now",
        &[(String::new(), if gauges.converter_up { 1.0 } else { 0.0 })],
    );
    if let Some(pool) = &gauges.pool {
        use office_convert::InstanceState as S;
        let states = [
            (S::Starting, "starting"),
            (S::Idle, "idle"),
            (S::Busy, "busy"),
            (S::Down, "down"),
        ];
        let instances: Vec<(String, f64)> = states
            .iter()
            .map(|(state, name)| {
                let n = pool.instances.iter().filter(|i| i.state == *state).count();
                (format!("{{state=\"{name}\"}}"), n as f64)
            })
            .collect();
        gauge(
            "converter_instances",
            "LibreOffice instances of the pool, by state",
            &instances,
        );
        gauge(
            "converter_queued",
            "Documents waiting for a LibreOffice instance",
            &[(String::new(), pool.queued as f64)],
        );
        let peak = pool.instances.iter().map(|i| i.peak_rss_bytes).max();
        gauge(
            "converter_peak_rss_bytes",
            "Highest resident memory of any LibreOffice instance",
            &[(String::new(), peak.unwrap_or(0) as f64)],
        );
        for (name, help, n) in [
            (
                "converter_conversions_total",
                "Conversions the pool completed",
                pool.completed,
            ),
            (
                "converter_retried_total",
                "Conversions re-run after their instance was lost",
                pool.retried,
            ),
            (
                "converter_replaced_total",
                "Instances killed after a crash, hang or memory overrun",
                pool.replaced,
            ),
            (
                "converter_recycled_total",
                "Instances replaced after their conversion budget or memory growth",
                pool.recycled,
            ),
        ] {
            let _ = writeln!(
                text,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {n}"
            );
        }
    }
    Some(text)
}

pub fn webhook(outcome: &'static str) {
    counter!(WEBHOOKS, "outcome" => outcome).increment(1);
}

pub fn job_finished(outcome: &'static str) {
    counter!(JOBS_FINISHED, "outcome" => outcome).increment(1);
}

pub fn stage_finished(stage: &'static str, ok: bool, took: Duration) {
    let outcome = if ok { "ok" } else { "error" };
    histogram!(STAGE_DURATION, "stage" => stage, "outcome" => outcome).record(took.as_secs_f64());
}

pub fn connection_refused() {
    counter!(CONNECTIONS_REFUSED).increment(1);
}

pub fn email_sent() {
    counter!(EMAILS_SENT).increment(1);
}

pub fn email_failed(code: &'static str) {
    counter!(EMAILS_FAILED, "code" => code).increment(1);
}
