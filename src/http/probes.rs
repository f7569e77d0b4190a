//! Readiness checks too costly to run on every probe: the SMTP server is asked (a connection
//! and EHLO, nothing sent) at most once per [`SMTP_PROBE_PERIOD`], and its answer is reused.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::jobs::Queue;

/// How long one SMTP answer stands.
pub const SMTP_PROBE_PERIOD: Duration = Duration::from_secs(60);

/// How long a readiness request waits for a new SMTP answer before showing the last one.
const PROBE_WAIT: Duration = Duration::from_millis(800);

/// An answer: when (monotonic, for its age; and the wall clock, to show), and what.
type Answered = (
    Instant,
    chrono::DateTime<chrono::Utc>,
    Result<String, String>,
);

/// The latest SMTP answer, and when it was had.
#[derive(Default)]
pub struct SmtpProbe {
    last: Mutex<Option<Answered>>,
    /// One probe at a time; concurrent readiness probes wait for its answer.
    probing: tokio::sync::Mutex<()>,
}

/// What `/readyz` shows of the mail server.
pub struct SmtpAnswer {
    pub result: Result<String, String>,
    pub checked_at: String,
}

impl SmtpProbe {
    /// The mail server's answer, asked again when the last one is older than a minute. A
    /// probe runs in the background and is waited for at most [`PROBE_WAIT`]: a mail server
    /// that hangs (up to `SMTP_TIMEOUT_SECONDS`) must not make the platform's readiness probe
    /// time out. Until it answers, the previous answer (or "not answered yet") is shown.
    pub async fn check(self: &Arc<Self>, queue: &Arc<Queue>) -> SmtpAnswer {
        if let Some(answer) = self.fresh() {
            return answer;
        }
        let (probe, queue) = (self.clone(), queue.clone());
        let mut task = tokio::spawn(async move {
            let _one = probe.probing.lock().await;
            if probe.fresh().is_some() {
                return;
            }
            let mailer = queue.deps().mailer.as_ref();
            let result = mailer
                .check()
                .await
                .map_err(|e| format!("{}: {} ({})", mailer.describe(), e, e.code()));
            *probe.last.lock().unwrap_or_else(|e| e.into_inner()) =
                Some((Instant::now(), chrono::Utc::now(), result));
        });
        let _ = tokio::time::timeout(PROBE_WAIT, &mut task).await;
        self.fresh()
            .or_else(|| self.latest())
            .unwrap_or(SmtpAnswer {
                result: Err(format!(
                    "the mail server has not answered within {} s; still asking",
                    PROBE_WAIT.as_secs_f64()
                )),
                checked_at: String::new(),
            })
    }

    fn fresh(&self) -> Option<SmtpAnswer> {
        self.answer(true)
    }

    fn latest(&self) -> Option<SmtpAnswer> {
        self.answer(false)
    }

    fn answer(&self, fresh_only: bool) -> Option<SmtpAnswer> {
        let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let (at, when, result) = last.as_ref()?;
        (!fresh_only || at.elapsed() < SMTP_PROBE_PERIOD).then(|| SmtpAnswer {
            result: result.clone(),
            checked_at: when.to_rfc3339(),
        })
    }
}
